//! The registry: one value a host builds once and calls for every request. It is a thin
//! front: it builds the request context, routes, authenticates and authorizes by the route's
//! policy ([`Route::policy`]), calls the service that owns the route, and records changes in the
//! audit trail. The services hold their own state and are built here with their dependencies.

use std::sync::Arc;

use bytes::Bytes;
use http::request::Parts;
use http::{header, HeaderValue, Method, Request, Response};

use crate::admin::{AdminService, AuditLog};
use crate::auth::{
    Action, Authenticator, Authorizer, Principal, RoleAuthorizer, TokenAuthenticator, TokenStore,
};
use crate::catalogue::{CatalogueService, Listing};
use crate::clock::SharedClock;
use crate::config::RegistryConfig;
use crate::downloads::{Counted, DownloadCounter};
use crate::http::body::{read_limited, Body};
use crate::http::router::{self, Access, AuditTarget, BodyUse, Route, DISCOVERY_PATH};
use crate::http::signing::UrlSigner;
use crate::http::slots::UploadSlots;
use crate::http::{response, Links, RequestContext};
use crate::identity::{IdentityService, OidcConfig, OidcHttp};
use crate::lifecycle::{Change, Subject};
use crate::maintenance::{GarbageReport, Maintenance};
use crate::mirror::MirrorService;
use crate::modules::external::fetch::SourceFetcher;
use crate::modules::metadata::Metadata;
use crate::modules::ModuleService;
use crate::oci::OciService;
use crate::protocol::{Discovery, Health};
use crate::providers::keyring::KeyRing;
use crate::providers::publish::Package;
use crate::providers::ProviderService;
use crate::proxy::pins::PinService;
use crate::scm::{ScmClient, ScmConfig, ScmService};
use crate::spool::SpooledFile;
use crate::storage::Storage;
use crate::types::{Platform, ProviderAddress, Version};
use crate::uploads::UploadService;
use crate::upstream::Upstream;
use crate::{Error, Result};

/// A Terraform registry over a [`Storage`], answering `http::Request`s with
/// `http::Response`s. Cheap to clone; clones share everything.
#[derive(Clone, Debug)]
pub struct Registry {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: RegistryConfig,
    storage: Arc<dyn Storage>,
    links: Arc<Links>,
    ui_assets: crate::ui::Assets,
    authenticator: Arc<dyn Authenticator>,
    authorizer: Arc<dyn Authorizer>,
    tokens: Arc<TokenStore>,
    audit: AuditLog,
    modules: Arc<ModuleService>,
    catalogue: Arc<CatalogueService>,
    downloads: Arc<DownloadCounter>,
    providers: Arc<ProviderService>,
    mirror: MirrorService,
    oci: OciService,
    scm: ScmService,
    identity: Option<IdentityService>,
    trust: crate::identity::trust::TrustService,
    uploads: UploadService,
    pins: PinService,
    admin: AdminService,
    slots: UploadSlots,
    maintenance: Maintenance,
    discovery: Bytes,
    /// The OpenAPI document, built when first asked for.
    openapi: std::sync::OnceLock<Bytes>,
}

/// Builds a [`Registry`].
#[derive(Debug)]
pub struct RegistryBuilder {
    storage: Arc<dyn Storage>,
    authenticator: Option<Arc<dyn Authenticator>>,
    authorizer: Arc<dyn Authorizer>,
    tokens: Option<Arc<TokenStore>>,
    master_hash: Option<[u8; 32]>,
    config: RegistryConfig,
    signer: Option<UrlSigner>,
    upstream: Option<Upstream>,
    fetcher: Option<Arc<dyn SourceFetcher>>,
    scm_client: Option<Arc<dyn ScmClient>>,
    scm: ScmConfig,
    oidc: Option<OidcConfig>,
    oidc_http: Option<Arc<dyn OidcHttp>>,
    aws_sts_url: Option<String>,
    clock: SharedClock,
}

impl RegistryBuilder {
    /// Replaces the default settings.
    pub fn config(mut self, config: RegistryConfig) -> Self {
        self.config = config;
        self
    }

    /// Accepts the master token with this SHA-256 (see
    /// [`MasterToken`](crate::auth::MasterToken)) in the built-in authenticator.
    pub fn master_token(mut self, sha256: [u8; 32]) -> Self {
        self.master_hash = Some(sha256);
        self
    }

    /// Uses this token store (share it with a [`TokenAuthenticator`] you wrap in your own
    /// authenticator, so revocations through the token API take effect at once).
    pub fn tokens(mut self, tokens: Arc<TokenStore>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Replaces the built-in [`TokenAuthenticator`] (master token plus issued tokens).
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// Replaces the default [`RoleAuthorizer`] (closed reads).
    pub fn authorizer(mut self, authorizer: Arc<dyn Authorizer>) -> Self {
        self.authorizer = authorizer;
        self
    }

    /// Proxies what is not hosted here from this upstream registry.
    pub fn upstream(mut self, upstream: Upstream) -> Self {
        self.upstream = Some(upstream);
        self
    }

    /// Imports external module versions with this fetcher (see [`crate::modules::external`]);
    /// without one, external versions can only be registered as locations.
    pub fn source_fetcher(mut self, fetcher: Arc<dyn SourceFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Reads repositories on source-control hosts with this client, to publish their tags (see
    /// [`crate::scm`]); without one, the registry takes no webhooks that publish.
    pub fn scm_client(mut self, client: Arc<dyn ScmClient>) -> Self {
        self.scm_client = Some(client);
        self
    }

    /// Publishes from source control as `config` says (the GitHub App, the grace period of
    /// withdrawn modules).
    pub fn scm(mut self, config: ScmConfig) -> Self {
        self.scm = config;
        self
    }

    /// Signs people in through this OpenID Connect provider for `terraform login` (see
    /// [`crate::identity`]), reaching it with `http`; discovery then advertises `login.v1`.
    pub fn oidc(mut self, config: OidcConfig, http: Arc<dyn OidcHttp>) -> Self {
        self.oidc = Some(config);
        self.oidc_http = Some(http);
        self
    }

    /// Reaches identity providers with `http` for trusted publishing (`POST
    /// /v1/auth/exchange`), without signing people in.
    pub fn oidc_http(mut self, http: Arc<dyn OidcHttp>) -> Self {
        self.oidc_http = Some(http);
        self
    }

    /// Forwards AWS callers' signed `GetCallerIdentity` requests only to this STS endpoint
    /// (GovCloud, China, a VPC endpoint, a test's) instead of AWS's public global and regional
    /// ones.
    pub fn aws_sts_url(mut self, url: impl Into<String>) -> Self {
        self.aws_sts_url = Some(url.into());
        self
    }

    /// Uses this signer for download links instead of the secret kept in the store.
    pub fn url_signer(mut self, signer: UrlSigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Reads the time from `clock` (the system's by default): tests pass a
    /// [`ManualClock`](crate::clock::ManualClock) and move it instead of sleeping. A token store
    /// given with [`RegistryBuilder::tokens`] keeps its own clock.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the registry, loading (or creating) the link-signing secret from the store.
    pub async fn build(self) -> Result<Registry> {
        let config = self.config.normalised()?;
        let clock = self.clock;
        let storage = crate::storage::Metered::wrap(self.storage);
        let signer = match self.signer {
            Some(signer) => signer,
            None => UrlSigner::load_or_create(storage.as_ref()).await?,
        };
        let tokens = self
            .tokens
            .unwrap_or_else(|| Arc::new(TokenStore::new(storage.clone()).with_clock(clock.clone())));
        let authenticator = self
            .authenticator
            .unwrap_or_else(|| Arc::new(TokenAuthenticator::new(self.master_hash, Some(tokens.clone()))));
        let upstream = self.upstream.map(|mut upstream| {
            upstream.clock = clock.clone();
            Arc::new(upstream)
        });
        let public_url = config.public_url.as_deref();
        let links =
            Arc::new(Links::new(public_url, &config.base_path, signer, config.link_ttl, clock.clone()));
        let login_v1 = self.oidc.as_ref().map(|_| crate::protocol::LoginV1 {
            client: crate::identity::TERRAFORM_CLIENT_ID.to_owned(),
            grant_types: vec!["authz_code".to_owned()],
            authz: Some(links.to("/oauth/authorization")),
            token: Some(links.to("/oauth/token")),
            ports: [crate::identity::TERRAFORM_PORTS.0, crate::identity::TERRAFORM_PORTS.1],
        });
        let discovery = serde_json::to_vec(&Discovery {
            modules_v1: Some(links.to("/v1/modules/")),
            providers_v1: Some(links.to("/v1/providers/")),
            login_v1,
        })
        .map_err(|e| Error::internal_with("cannot render the discovery document", e))?;
        let keys =
            Arc::new(KeyRing::new(storage.clone(), config.provider_signing_key.clone(), clock.clone()));
        let audit = AuditLog::new(storage.clone(), clock.clone());
        let catalogue = Arc::new(CatalogueService::new(
            storage.clone(),
            self.authorizer.clone(),
            links.clone(),
            config.cache_ttl,
        ));
        let downloads =
            DownloadCounter::new(storage.clone(), clock.clone(), catalogue.clone(), config.download_flush);
        let modules = Arc::new(ModuleService::new(
            storage.clone(),
            links.clone(),
            upstream.clone(),
            catalogue.clone(),
            self.fetcher,
            &config,
        ));
        let providers = Arc::new(ProviderService::new(
            storage.clone(),
            links.clone(),
            keys.clone(),
            upstream.clone(),
            catalogue.clone(),
            &config,
        ));
        let mirror = MirrorService::new(providers.clone(), upstream.clone(), public_url, &config.hostnames);
        let oci = OciService::new(storage.clone(), providers.clone(), modules.clone(), config.link_ttl);
        let slots = UploadSlots::new(config.max_uploads, config.max_uploads_per_principal);
        let uploads = UploadService::new(
            storage.clone(),
            links.clone(),
            self.authorizer.clone(),
            slots.clone(),
            &config,
        );
        let pins = PinService::new(
            storage.clone(),
            clock.clone(),
            upstream,
            modules.clone(),
            providers.clone(),
            keys.clone(),
            &config,
        );
        let scm = ScmService::new(
            storage.clone(),
            modules.clone(),
            self.scm_client,
            self.authorizer.clone(),
            audit.clone(),
            clock.clone(),
            links.clone(),
            self.scm,
        );
        let identity = match (self.oidc, self.oidc_http.clone()) {
            (Some(oidc), Some(http)) => {
                oidc.rules.check()?;
                Some(IdentityService::new(
                    oidc,
                    http,
                    storage.clone(),
                    tokens.clone(),
                    audit.clone(),
                    clock.clone(),
                ))
            }
            _ => None,
        };
        let trust = crate::identity::trust::TrustService::new(
            storage.clone(),
            tokens.clone(),
            audit.clone(),
            clock.clone(),
            self.oidc_http,
            self.aws_sts_url,
        );
        let admin = AdminService::new(tokens.clone(), keys, audit.clone());
        let maintenance = Maintenance::new(storage.clone(), clock.clone());
        Ok(Registry {
            inner: Arc::new(Inner {
                config,
                storage: storage.clone(),
                links: links.clone(),
                ui_assets: crate::ui::Assets::new(),
                authenticator,
                authorizer: self.authorizer,
                tokens,
                audit,
                modules,
                catalogue,
                downloads,
                providers,
                mirror,
                oci,
                scm,
                identity,
                trust,
                uploads,
                pins,
                admin,
                slots,
                maintenance,
                discovery: Bytes::from(discovery),
                openapi: std::sync::OnceLock::new(),
            }),
        })
    }
}

impl Registry {
    /// Starts building a registry over `storage`. By default it authenticates with the master
    /// token given to [`RegistryBuilder::master_token`] and the tokens it issues itself.
    pub fn builder(storage: Arc<dyn Storage>) -> RegistryBuilder {
        RegistryBuilder {
            storage,
            authenticator: None,
            authorizer: Arc::new(RoleAuthorizer::default()),
            tokens: None,
            master_hash: None,
            config: RegistryConfig::default(),
            signer: None,
            upstream: None,
            fetcher: None,
            scm_client: None,
            scm: ScmConfig::default(),
            oidc: None,
            oidc_http: None,
            aws_sts_url: None,
            clock: crate::clock::system(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &RegistryConfig {
        &self.inner.config
    }

    /// The registry's issued tokens.
    pub fn tokens(&self) -> &Arc<TokenStore> {
        &self.inner.tokens
    }

    /// The registry's audit trail.
    pub fn audit(&self) -> &AuditLog {
        &self.inner.audit
    }

    /// The largest request body the registry accepts; adapters stop reading beyond it.
    pub fn max_body_bytes(&self) -> u64 {
        self.inner.config.max_upload_bytes
    }

    /// Answers one request. `request`'s path is the full path the client asked for (the
    /// registry strips its own base path). Never fails: errors become `{"errors": [...]}`
    /// responses. A `HEAD` is answered like the `GET`, with the `Content-Length` the `GET` would
    /// have and an empty body. Archives from stores that cannot presign come back as streamed
    /// bodies; everything else is whole.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        self.answer(parts, Incoming { stream: crate::http::body::Whole(Some(body)), declared: None }).await
    }

    /// Dispatches a request with its body, and answers a `HEAD` like its `GET` without a body.
    async fn answer<S>(&self, mut parts: Parts, body: Incoming<S>) -> Response<Body>
    where
        S: futures_core::Stream<Item = Result<Bytes>> + Unpin,
    {
        let head = parts.method == Method::HEAD;
        let mut seen = crate::observe::Seen::of(&parts, &self.inner.config.trusted_proxies);
        let oci = self.oci_request(&mut parts);
        let result = self.dispatch(parts, body, &mut seen).await;
        let mut response = match oci {
            None => result.unwrap_or_else(Error::into_response),
            Some(challenge) => {
                let mut response =
                    result.unwrap_or_else(|err| crate::oci::errors::render(err, Some(&challenge)));
                response.headers_mut().insert(
                    crate::oci::API_VERSION_HEADER,
                    HeaderValue::from_static(crate::oci::API_VERSION),
                );
                response
            }
        };
        seen.answered(&mut response);
        if head {
            head_response(response)
        } else {
            response
        }
    }

    /// For a request to the OCI distribution API (`/v2/`, at the root of the host): reads its
    /// credentials as the authenticator takes them ([`crate::oci::auth`]) and returns the
    /// `WWW-Authenticate` challenge a 401 to it carries. `None` for any other request.
    fn oci_request(&self, parts: &mut Parts) -> Option<String> {
        let path = parts.uri.path();
        if !(path == "/v2" || path.starts_with("/v2/")) {
            return None;
        }
        crate::oci::auth::normalise(&mut parts.headers);
        let repository = match router::route(&parts.method, path) {
            Ok(
                Route::OciTags(repo)
                | Route::OciManifest(repo, _)
                | Route::OciBlob(repo, _)
                | Route::OciManifestPush(repo, _)
                | Route::OciUploadOpen(repo)
                | Route::OciUpload(repo, _),
            ) => Some(repo.to_string()),
            _ => None,
        };
        let push = !matches!(parts.method, Method::GET | Method::HEAD);
        let ctx = RequestContext::new(parts, path);
        let public = self.inner.config.public_url.as_deref().and_then(|u| url::Url::parse(u).ok());
        let origin = match public {
            Some(url) => url.origin().ascii_serialization(),
            None => ctx.origin().unwrap_or_default(),
        };
        Some(crate::oci::auth::challenge(&origin, &self.source_host(&ctx), repository.as_deref(), push))
    }

    /// A repository of the OCI distribution API with a mirror's host resolved as the network
    /// mirror resolves it (this registry's own names stand for its own providers).
    fn oci_repository(&self, ctx: &RequestContext, repo: crate::oci::Repository) -> crate::oci::Repository {
        match repo {
            crate::oci::Repository::Mirror(addr) => {
                crate::oci::Repository::Mirror(self.inner.mirror.resolve(ctx, &addr))
            }
            other => other,
        }
    }

    /// Whether a request's body should be streamed to [`Registry::handle_streamed`] rather than
    /// read whole: `PUT`s to the registry's signed upload URLs, which may carry far more than
    /// [`Registry::max_body_bytes`].
    pub fn streams_body(&self, method: &Method, path: &str) -> bool {
        *method == Method::PUT
            && self
                .relative_path(path)
                .ok()
                .and_then(|p| p.strip_prefix("/v1/uploads/"))
                .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    }

    /// Answers a request whose body arrives as a stream of chunks. The request is routed,
    /// authenticated and authorized from its head alone, so a request that may not go ahead is
    /// answered (401, 403, 404, ...) before a byte of its body is read; routes that take no body
    /// never read it. Uploads to the registry's signed upload URLs (see
    /// [`Registry::streams_body`]) go to the store chunk by chunk, never held whole; any other
    /// body is read up to the route's limit (413 beyond, or as soon as `Content-Length` says
    /// so). Every body must keep arriving at the configured
    /// [`body_pace`](RegistryConfig::body_pace) (408 otherwise), and uploads hold one of the
    /// caller's upload slots while they arrive (429 when none is free).
    pub async fn handle_streamed<S, E>(&self, request: Request<S>) -> Response<Body>
    where
        S: futures_core::Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let (parts, body) = request.into_parts();
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let body = self.inner.config.body_pace.watch(body);
        if self.streams_body(&parts.method, parts.uri.path()) {
            let mut seen = crate::observe::Seen::of(&parts, &self.inner.config.trusted_proxies);
            seen.route = "/v1/uploads/{id}";
            let result = async {
                let path = self.relative_path(parts.uri.path())?;
                let Route::UploadData(id) = router::route(&parts.method, path)? else {
                    return Err(Error::internal("a streamed route that is not an upload"));
                };
                let ctx = RequestContext::new(&parts, path);
                self.inner.uploads.receive(&ctx, &id, declared, body).await
            };
            let mut response = result.await.unwrap_or_else(Error::into_response);
            seen.answered(&mut response);
            return response;
        }
        self.answer(parts, Incoming { stream: body, declared }).await
    }

    /// Routes, authorizes and serves a request; `seen` learns the route's path template and the
    /// principal as soon as they are known (for metrics and the access log).
    async fn dispatch<S>(
        &self,
        parts: Parts,
        body: Incoming<S>,
        seen: &mut crate::observe::Seen,
    ) -> Result<Response<Body>>
    where
        S: futures_core::Stream<Item = Result<Bytes>> + Unpin,
    {
        let path = self.relative_path(parts.uri.path())?.to_owned();
        if let Some(ui) = self.ui_path() {
            if path == "/" || path.is_empty() {
                return response::redirect(http::StatusCode::FOUND, &self.inner.links.to(&format!("{ui}/")));
            }
            if let Some(rest) = path.strip_prefix(ui).filter(|r| r.is_empty() || r.starts_with('/')) {
                seen.route = "/ui";
                let rest = rest.to_owned();
                let ctx = RequestContext::from_parts(parts, &path);
                let body = if ctx.method == Method::POST {
                    body.read(router::DOCUMENT_LIMIT).await?
                } else {
                    Bytes::new()
                };
                return Ok(crate::ui::answer(self, &ctx, &rest, body).await);
            }
        }
        let route = router::route(&parts.method, &path)?;
        seen.route = route.template();
        let (access, audit) = route.policy();
        let authenticated = match &access {
            Access::Public => Ok(None),
            Access::Authorized(_) => self.inner.authenticator.authenticate(&parts).await,
        };
        // Who to record if the request is refused, for the routes the audit trail records.
        let refused_actor = audit.as_ref().map(|_| match &authenticated {
            Ok(Some(p)) => p.id.clone(),
            Ok(None) => "anonymous".to_owned(),
            Err(_) => "invalid-token".to_owned(),
        });
        let mut ctx = RequestContext::from_parts(parts, &path);
        let principal = authenticated.and_then(|principal| match &access {
            Access::Public => Ok(principal),
            Access::Authorized(action) => {
                self.inner.authorizer.authorize(principal.as_ref(), action).map(|()| principal)
            }
        });
        let Some(audit) = audit else {
            ctx.principal = principal?;
            seen.principal = ctx.principal.as_ref().map(|p| p.id.clone());
            return self.admitted(route, &ctx, body).await;
        };
        let target = audit.target.unwrap_or_default();
        let principal = match principal {
            Ok(principal) => principal,
            Err(err) => {
                // Refused before anything could change; who tried is still recorded.
                let actor = refused_actor.unwrap_or_default();
                self.inner.audit.record(&actor, audit.action, &target, err.status()).await;
                return Err(err);
            }
        };
        ctx.principal = principal;
        seen.principal = ctx.principal.as_ref().map(|p| p.id.clone());
        // The change goes ahead only once its audit entry is stored.
        let pending = self.inner.audit.begin(ctx.actor(), audit.action, &target).await?;
        let result = self.admitted(route, &ctx, body).await;
        let status = result.as_ref().map_or_else(|e| e.status(), |r| r.status());
        let target = match result.as_ref().ok().and_then(|r| r.extensions().get::<AuditTarget>()) {
            Some(found) if target.is_empty() => found.0.clone(),
            _ => target,
        };
        self.inner.audit.finish(pending, &target, status).await;
        result
    }

    /// Serves a request that was allowed: reads its body as the route needs it (taking an
    /// upload slot for uploads), then calls the service.
    async fn admitted<S>(
        &self,
        route: Route,
        ctx: &RequestContext,
        body: Incoming<S>,
    ) -> Result<Response<Body>>
    where
        S: futures_core::Stream<Item = Result<Bytes>> + Unpin,
    {
        let (_slot, body) = match route.body_use() {
            BodyUse::Ignored => (None, Bytes::new()),
            BodyUse::Document => (None, body.read(router::DOCUMENT_LIMIT).await?),
            BodyUse::Webhook => (None, body.read(router::WEBHOOK_LIMIT).await?),
            // Upload data takes its slot in the name of the session's owner, in the service.
            BodyUse::Upload if matches!(route, Route::UploadData(_)) => {
                (None, body.read(self.max_body_bytes()).await?)
            }
            BodyUse::Upload => {
                let slot = self.inner.slots.acquire(ctx.actor())?;
                (Some(slot), body.read(self.max_body_bytes()).await?)
            }
            BodyUse::Stream => {
                let _slot = self.inner.slots.acquire(ctx.actor())?;
                let limit = self.inner.config.max_session_upload_bytes;
                if body.declared.is_some_and(|len| len > limit) {
                    return Err(Error::PayloadTooLarge { limit });
                }
                return self.serve_stream(route, ctx, body.stream).await;
            }
        };
        self.serve(route, ctx, body).await
    }

    /// Calls the service of a route whose body streams to the store: the OCI blob uploads.
    async fn serve_stream<S>(&self, route: Route, ctx: &RequestContext, body: S) -> Result<Response<Body>>
    where
        S: futures_core::Stream<Item = Result<Bytes>> + Unpin,
    {
        let (oci, uploads) = (&self.inner.oci, &self.inner.uploads);
        match route {
            Route::OciUploadOpen(repo) => oci.open_upload(uploads, ctx, &repo, body).await,
            Route::OciUpload(repo, id) => match ctx.method {
                Method::PATCH => oci.upload_chunk(uploads, ctx, &repo, &id, body).await,
                Method::PUT => oci.finish_upload(uploads, ctx, &repo, &id, body).await,
                Method::DELETE => oci.cancel_upload(uploads, ctx, &id).await,
                _ => oci.upload_status(uploads, ctx, &repo, &id).await,
            },
            _ => Err(Error::internal("a route with a streamed body that is not a blob upload")),
        }
    }

    /// Calls the service that owns `route` (authorized already).
    async fn serve(&self, route: Route, ctx: &RequestContext, body: Bytes) -> Result<Response<Body>> {
        let inner = &*self.inner;
        let who = ctx.principal.as_ref();
        match route {
            Route::Discovery => Ok(response::json_bytes(http::StatusCode::OK, inner.discovery.clone())),
            Route::Health => Ok(response::json(http::StatusCode::OK, &Health { status: "ok".into() })),
            Route::OpenApi => {
                let document = match inner.openapi.get() {
                    Some(document) => document.clone(),
                    None => {
                        let built = crate::openapi::document(&inner.config.base_path)?;
                        inner.openapi.get_or_init(|| built).clone()
                    }
                };
                Ok(response::json_bytes(http::StatusCode::OK, document))
            }
            Route::Ready => {
                // One cheap round trip: the head of an object every registry's store holds.
                inner.storage.head(crate::storage::layout::URL_SIGNING_KEY).await.map_err(|err| {
                    Error::Storage {
                        message: format!("the store does not answer: {err}"),
                        transient: true,
                        source: Some(Box::new(err)),
                    }
                })?;
                Ok(response::json(http::StatusCode::OK, &Health { status: "ok".into() }))
            }
            Route::Namespaces => inner.catalogue.namespaces(ctx).await,
            Route::ModuleCatalogue => inner.catalogue.list(ctx, Listing::All).await,
            Route::ModuleSearch => inner.catalogue.search(ctx).await,
            Route::NamespaceModules(ns) => inner.catalogue.list(ctx, Listing::Namespace(ns.key())).await,
            Route::ModuleSystems(ns, name) => {
                inner.catalogue.list(ctx, Listing::Name(ns.key(), name.key())).await
            }
            Route::Module(addr) => inner.modules.detail(&addr).await,
            Route::ModuleVersions(addr) => inner.modules.versions(&addr).await,
            Route::ModuleLatestDownload(addr) => inner.modules.latest_download(&addr).await,
            Route::ModuleVersion(addr, version) => inner.modules.version(&addr, &version).await,
            Route::ModuleDownload(addr, version) => {
                let answer = inner.modules.download(ctx, &addr, &version).await?;
                inner.downloads.count(Counted::module(&addr), &version);
                crate::observe::download("module", addr.key(), version.to_string());
                Ok(answer)
            }
            Route::ModuleArchive { addr, version, sha256 } => {
                inner.modules.archive(ctx, &addr, &version, &sha256).await
            }
            Route::ModuleExternal(addr, version) => {
                inner.modules.register_external(&addr, &version, &body, ctx.actor()).await
            }
            Route::ModuleUpload(addr, version) => {
                let metadata = Metadata::from_query(&ctx.query, &[])?;
                match inner.uploads.session_param(ctx, &body)? {
                    None => inner.modules.publish(&addr, &version, body, ctx.actor(), metadata).await,
                    Some(id) => {
                        let archive = inner.uploads.bytes(who, &id).await?;
                        let published =
                            inner.modules.publish(&addr, &version, archive, ctx.actor(), metadata).await?;
                        inner.uploads.used(&id).await;
                        Ok(published)
                    }
                }
            }
            Route::ProviderCatalogue => inner.catalogue.list_providers(ctx, Listing::All).await,
            Route::ProviderSearch => inner.catalogue.search_providers(ctx).await,
            Route::NamespaceProviders(ns) => {
                inner.catalogue.list_providers(ctx, Listing::Namespace(ns.key())).await
            }
            Route::Provider(addr) => inner.providers.detail(&addr).await,
            Route::ProviderVersion(addr, version) => inner.providers.version_detail(&addr, &version).await,
            Route::ProviderVersions(addr) => inner.providers.versions(&addr).await,
            Route::ProviderDocs(addr, version) => inner.providers.docs(&addr, &version).await,
            Route::ProviderDocsUpload(addr, version) => {
                inner.providers.publish_docs(&addr, &version, body).await
            }
            Route::ProviderDocPage(addr, version, category, slug) => {
                inner.providers.doc_page(&addr, &version, &category, &slug).await
            }
            Route::ProviderDownload(addr, version, platform) => {
                let answer = inner.providers.download(&addr, &version, &platform).await?;
                inner.downloads.count(Counted::provider(&addr), &version);
                crate::observe::download("provider", addr.key(), version.to_string());
                Ok(answer)
            }
            Route::ProviderFile(addr, version, file) => {
                inner.providers.file(ctx, &addr, &version, &file).await
            }
            Route::ProviderUpload(addr, version, platform) => {
                let (query, by) = (&ctx.query, ctx.actor());
                match inner.uploads.session_param(ctx, &body)? {
                    None => {
                        inner
                            .providers
                            .publish(&addr, &version, platform, query, Package::Body(body), by)
                            .await
                    }
                    Some(id) => {
                        let package = Package::File(inner.uploads.file(who, &id).await?);
                        let published =
                            inner.providers.publish(&addr, &version, platform, query, package, by).await?;
                        inner.uploads.used(&id).await;
                        Ok(published)
                    }
                }
            }
            Route::ModuleLifecycle(addr, version, step) => {
                inner.modules.change(&addr, &version, &Change::parse(step, &body)?, ctx.actor()).await
            }
            Route::ProviderLifecycle(addr, version, step) => {
                inner.providers.change(&addr, &version, &Change::parse(step, &body)?, ctx.actor()).await
            }
            Route::ProviderShaSums(addr, version) => {
                inner.providers.publish_shasums(&addr, &version, &ctx.query, &body).await
            }
            Route::MirrorIndex(addr) => inner.mirror.index(&inner.mirror.resolve(ctx, &addr)).await,
            Route::MirrorVersion(addr, version) => {
                inner.mirror.version(&inner.mirror.resolve(ctx, &addr), &version).await
            }
            Route::TokenCreate => inner.admin.token_create(ctx, &body).await,
            Route::TokenList => inner.admin.token_list().await,
            Route::TokenRevoke(id) => inner.admin.token_revoke(&id).await,
            Route::Audit => inner.admin.audit_page(&ctx.query).await,
            Route::KeyList => inner.admin.key_list().await,
            Route::KeyAdd => inner.admin.key_add(&body).await,
            Route::ModulePin(addr, version) => {
                inner.pins.pin_module(ctx.actor(), &addr, version, &ctx.query).await
            }
            Route::ModuleUnpin(addr, version) => inner.pins.unpin_module(&addr, &version).await,
            Route::ProviderPin(addr, version) => {
                inner.pins.pin_provider(ctx.actor(), &addr, version, &ctx.query).await
            }
            Route::ProviderUnpin(addr, version) => inner.pins.unpin_provider(&addr, &version).await,
            Route::PinList => inner.pins.list().await,
            Route::UploadCreate => inner.uploads.create(ctx, &body).await,
            Route::UploadStatus(id) => inner.uploads.status(who, &id).await,
            Route::UploadDelete(id) => inner.uploads.delete(who, &id).await,
            Route::UploadData(id) => {
                inner.uploads.receive(ctx, &id, None, crate::http::body::Whole(Some(body))).await
            }
            Route::WebhookApp => inner.scm.app_hook(ctx, &body).await,
            Route::WebhookSource(kind, id) => inner.scm.source_hook(ctx, &kind, &id, &body).await,
            Route::Deliveries => inner.scm.deliveries(ctx).await,
            Route::InstallationSync(id) => inner.scm.sync_installation_answer(id).await,
            Route::SourceCreate => inner.scm.create_source(ctx, &body).await,
            Route::SourceList => inner.scm.list_sources(ctx).await,
            Route::Source(id) => inner.scm.get_source(ctx, &id).await,
            Route::SourceDelete(id) => inner.scm.delete_source(ctx, &id).await,
            Route::SourceSync(id) => inner.scm.sync_source(ctx, &id).await,
            Route::OauthAuthorization | Route::OauthCallback | Route::OauthToken => {
                let identity = inner.identity.as_ref().ok_or_else(|| {
                    Error::not_found("this registry signs nobody in (tfreg serve --oidc-issuer ...)")
                })?;
                match route {
                    Route::OauthAuthorization => identity.authorization(ctx, &inner.links).await,
                    Route::OauthCallback => identity.callback_answer(ctx, &inner.links).await,
                    _ => identity.token(&body).await,
                }
            }
            Route::AuthExchange => inner.trust.exchange(&body).await,
            Route::TrustCreate => inner.trust.create(ctx, &body).await,
            Route::TrustList => inner.trust.list().await,
            Route::TrustDelete(id) => inner.trust.delete(&id).await,
            Route::OciVersion => Ok(inner.oci.version()),
            Route::OciToken => Ok(inner.oci.token(ctx)),
            Route::OciTags(repo) => inner.oci.tags(ctx, &self.oci_repository(ctx, repo)).await,
            Route::OciManifest(repo, reference) => {
                inner.oci.manifest(&self.oci_repository(ctx, repo), &reference).await
            }
            Route::OciManifestPush(repo, reference) => {
                inner.oci.push_manifest(&inner.uploads, ctx, &repo, &reference, body).await
            }
            Route::OciUploadOpen(_) | Route::OciUpload(..) => {
                Err(Error::internal("a blob upload was read whole instead of streamed"))
            }
            Route::OciBlob(repo, digest) => {
                // Who may push to the repository also sees the blobs staged for it.
                let may_push =
                    inner.authorizer.authorize(who, &Action::Publish { namespace: repo.namespace() }).is_ok();
                let repo = self.oci_repository(ctx, repo);
                let (answer, package) = inner.oci.blob(ctx, &repo, &digest, may_push).await?;
                // A package fetched whole counts as a download, as a download description does.
                let whole = !ctx.is_head() && ctx.header(header::RANGE).is_none();
                if let Some((counted, version)) = package.filter(|_| {
                    whole && matches!(answer.status(), http::StatusCode::OK | http::StatusCode::FOUND)
                }) {
                    let kind = if counted.is_provider() { "provider" } else { "module" };
                    crate::observe::download(kind, counted.key().to_owned(), version.to_string());
                    inner.downloads.count(counted, &version);
                }
                Ok(answer)
            }
        }
    }

    /// Removes expired upload sessions with their uploads, and uploads whose session is gone.
    /// Returns how many sessions and stray objects were removed. Runs on its own every few
    /// minutes as sessions are opened; hosts may also call it on a schedule. Lists `uploads/`,
    /// so it is kept off every hot path.
    pub async fn sweep_uploads(&self) -> Result<usize> {
        self.inner.uploads.sweep().await
    }

    /// Removes orphaned archives and packages, what interrupted writes left, and the files of
    /// dead upload sessions, once older than [`RegistryConfig::orphan_grace`]; never anything an
    /// index references (see [`crate::maintenance`]). Lists and reads every index: run it on a
    /// schedule, not per request.
    pub async fn collect_garbage(&self) -> Result<GarbageReport> {
        self.inner.maintenance.collect_garbage(self.inner.config.orphan_grace).await
    }

    /// Imports one package into the mirror (as `tfreg mirror import` does for a directory
    /// written by `terraform providers mirror`): read from `package` (never whole), checked
    /// like an upload, and refused unless its hashes match `expected_hashes` (`h1:`/`zh:`
    /// entries from the mirror's own JSON) when given. Importing the same package again is not
    /// an error. Imported packages carry no signature: the mirror protocol relies on hashes.
    pub async fn import_provider_package(
        &self,
        principal: Option<&Principal>,
        addr: &ProviderAddress,
        version: &Version,
        platform: &Platform,
        package: std::fs::File,
        expected_hashes: &[String],
    ) -> Result<()> {
        let size =
            package.metadata().map_err(|e| Error::internal_with("cannot read a package file", e))?.len();
        let by = principal.map_or("import", |p| p.id.as_str());
        let package = Package::File(SpooledFile { file: package, size });
        self.inner.mirror.import(by, addr, version, platform, package, expected_hashes).await
    }

    /// The registry's answer to `GET path` (below the base path) as `T`, with `token` as the
    /// bearer: how the UI reads the API, so a page shows what the token may see. An error
    /// answer becomes the error, with its status and message.
    pub(crate) fn api<'a, T: serde::de::DeserializeOwned + Send + 'a>(
        &'a self,
        path: &'a str,
        token: Option<&'a str>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T>> + Send + 'a>> {
        // Boxed and type-erased: the UI answers from inside `handle`, which this calls again.
        Box::pin(async move {
            let mut request = Request::get(format!("{}{path}", self.inner.config.base_path));
            if let Some(token) = token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let request = request
                .body(Bytes::new())
                .map_err(|e| Error::internal_with("cannot build an API request", e))?;
            let answer = self.handle(request).await;
            let status = answer.status();
            let body = answer.into_body().collect().await?;
            if !status.is_success() {
                let message = serde_json::from_slice::<crate::protocol::Errors>(&body)
                    .ok()
                    .and_then(|e| e.errors.into_iter().next())
                    .unwrap_or_else(|| status.to_string());
                return Err(Error::with_status(status, message));
            }
            serde_json::from_slice(&body)
                .map_err(|e| Error::internal_with(format!("cannot read the answer of {path}"), e))
        })
    }

    /// The registry's links.
    pub(crate) fn links(&self) -> &Links {
        &self.inner.links
    }

    /// Where the UI is served, below the base path (`None`: switched off).
    /// The sign-in through the identity provider, when one is configured.
    pub(crate) fn identity(&self) -> Option<&IdentityService> {
        self.inner.identity.as_ref()
    }

    pub(crate) fn ui_path(&self) -> Option<&str> {
        self.inner.config.ui_path.as_deref()
    }

    /// The UI's embedded files.
    pub(crate) fn ui_assets(&self) -> &crate::ui::Assets {
        &self.inner.ui_assets
    }

    /// The host (with its port) that Terraform users write in module and provider sources: the
    /// public URL's, else the request's.
    pub(crate) fn source_host(&self, ctx: &RequestContext) -> String {
        let public = self.inner.config.public_url.as_deref().and_then(|u| url::Url::parse(u).ok());
        match public.as_ref().and_then(|u| u.host_str().map(|h| (h.to_owned(), u.port()))) {
            Some((host, Some(port))) => format!("{host}:{port}"),
            Some((host, None)) => host,
            None => ctx.host.clone().unwrap_or_else(|| "localhost".to_owned()),
        }
    }

    /// Reads every module version's documentation again from its archive and rebuilds the
    /// module and provider catalogues from the version indexes (as `tfreg reindex` does): for a
    /// store published before either existed, after an upgrade of the documentation extractor,
    /// or after objects were changed by hand. Lists and reads the whole store: run it by hand.
    pub async fn reindex(&self) -> Result<crate::protocol::ReindexReport> {
        let (docs_read, docs_failed) = crate::modules::docs::reindex(self.inner.storage.as_ref()).await?;
        let (modules, providers, removed) = self.inner.catalogue.rebuild().await?;
        Ok(crate::protocol::ReindexReport { docs_read, docs_failed, modules, providers, removed })
    }

    /// Writes out the download counts this instance gathered and has not written yet (they are
    /// written every [`RegistryConfig::download_flush`] as downloads arrive): call it on a clean
    /// shutdown so none are lost.
    pub async fn flush_downloads(&self) -> Result<()> {
        self.inner.downloads.flush().await
    }

    /// The stored download counts of a module or provider, by version (what this instance
    /// counted since its last write is not in them yet).
    pub async fn download_counts(&self, subject: &Subject) -> Result<crate::downloads::Counts> {
        let counted = match subject {
            Subject::Module(addr) => Counted::module(addr),
            Subject::Provider(addr) => Counted::provider(addr),
        };
        self.inner.downloads.counts(&counted).await
    }

    /// Applies a lifecycle change to a version in the name of `actor` (as `tfreg module yank`
    /// and its siblings do), recorded in the audit trail like the same change through the API.
    /// The answer is the API's: 200 with the version as it now is, 204 for a delete.
    pub async fn change_version(
        &self,
        actor: &str,
        subject: &Subject,
        version: &Version,
        change: &Change,
    ) -> Result<Response<Body>> {
        let action = change.step().audit_action(matches!(subject, Subject::Provider(_)));
        let target = format!("{subject}/{version}");
        let pending = self.inner.audit.begin(actor, action, &target).await?;
        let result = match subject {
            Subject::Module(addr) => self.inner.modules.change(addr, version, change, actor).await,
            Subject::Provider(addr) => self.inner.providers.change(addr, version, change, actor).await,
        };
        let status = result.as_ref().map_or_else(|e| e.status(), |r| r.status());
        self.inner.audit.finish(pending, &target, status).await;
        result
    }

    /// The request path relative to the base path, or 404 when it lies outside it.
    fn relative_path<'a>(&self, path: &'a str) -> Result<&'a str> {
        // The OCI distribution API is looked for at the root of the host, like discovery.
        if path == DISCOVERY_PATH || path == "/v2" || path.starts_with("/v2/") {
            return Ok(path);
        }
        let base = self.inner.config.base_path.as_str();
        match path.strip_prefix(base) {
            Some(rest) if rest.starts_with('/') => Ok(rest),
            _ => Err(Error::not_found(format!(
                "no such endpoint: {:?}; the registry is mounted at {base}/",
                crate::types::truncate(path)
            ))),
        }
    }
}

/// The answer to a `HEAD`: the `GET`'s headers with the `Content-Length` its body would have,
/// and no body.
fn head_response(mut response: Response<Body>) -> Response<Body> {
    let len = response.body().len();
    if let Some(len) = len.filter(|&len| len > 0 || !response.headers().contains_key(header::CONTENT_LENGTH))
    {
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    *response.body_mut() = Body::empty();
    response
}

/// A request's body as it arrives, with the length its head declared.
struct Incoming<S> {
    stream: S,
    declared: Option<u64>,
}

impl<S> Incoming<S>
where
    S: futures_core::Stream<Item = Result<Bytes>> + Unpin,
{
    /// The whole body, refused (413) past `limit` bytes.
    async fn read(self, limit: u64) -> Result<Bytes> {
        read_limited(self.stream, self.declared, limit).await
    }
}
