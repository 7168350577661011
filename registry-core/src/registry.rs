//! The registry: one value a host builds once and calls for every request.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};

use crate::admin::audit::AuditLog;
use crate::auth::{
    Action, Authenticator, Authorizer, Principal, RoleAuthorizer, TokenAuthenticator, TokenStore,
};
use crate::cache::TtlCache;
use crate::config::RegistryConfig;
use crate::http::router::{self, Route, DISCOVERY_PATH};
use crate::http::signing::UrlSigner;
use crate::modules::read::CachedModule;
use crate::providers::handlers::Package;
use crate::providers::index::ProviderIndex;
use crate::providers::keyring::KeyRing;
use crate::proxy::upstream::Upstream;
use crate::storage::Storage;
use crate::uploads::session_param;
use crate::Result;

/// A Terraform registry over a [`Storage`], answering `http::Request`s with
/// `http::Response`s. Cheap to clone; clones share everything.
#[derive(Clone, Debug)]
pub struct Registry {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) config: RegistryConfig,
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) authorizer: Arc<dyn Authorizer>,
    pub(crate) tokens: Arc<TokenStore>,
    pub(crate) audit: AuditLog,
    pub(crate) signer: UrlSigner,
    pub(crate) modules: TtlCache<CachedModule>,
    pub(crate) providers: TtlCache<Option<ProviderIndex>>,
    pub(crate) keys: KeyRing,
    pub(crate) upstream: Option<Arc<Upstream>>,
    /// When this instance last swept expired upload sessions (seconds since the epoch).
    pub(crate) last_upload_sweep: AtomicU64,
    discovery: Bytes,
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
    upstream: Option<Arc<Upstream>>,
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
        self.upstream = Some(Arc::new(upstream));
        self
    }

    /// Uses this signer for download links instead of the secret kept in the store.
    pub fn url_signer(mut self, signer: UrlSigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Builds the registry, loading (or creating) the link-signing secret from the store.
    pub async fn build(self) -> Result<Registry> {
        let config = self.config.normalised()?;
        let signer = match self.signer {
            Some(signer) => signer,
            None => UrlSigner::load_or_create(self.storage.as_ref()).await?,
        };
        let tokens = self.tokens.unwrap_or_else(|| Arc::new(TokenStore::new(self.storage.clone())));
        let authenticator = self
            .authenticator
            .unwrap_or_else(|| Arc::new(TokenAuthenticator::new(self.master_hash, Some(tokens.clone()))));
        let prefix = format!("{}{}", config.public_url.as_deref().unwrap_or(""), config.base_path);
        let discovery = serde_json::to_vec(&serde_json::json!({
            "modules.v1": format!("{prefix}/v1/modules/"),
            "providers.v1": format!("{prefix}/v1/providers/"),
        }))
        .map_err(|e| crate::Error::internal(e.to_string()))?;
        Ok(Registry {
            inner: Arc::new(Inner {
                audit: AuditLog::new(self.storage.clone()),
                keys: KeyRing::new(self.storage.clone(), config.provider_signing_key.clone()),
                upstream: self.upstream,
                storage: self.storage,
                modules: TtlCache::new(config.cache_ttl, config.cache_capacity),
                providers: TtlCache::new(config.cache_ttl, config.cache_capacity),
                config,
                authenticator,
                authorizer: self.authorizer,
                tokens,
                signer,
                last_upload_sweep: AtomicU64::new(0),
                discovery: Bytes::from(discovery),
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
    /// have and an empty body.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let head = request.method() == Method::HEAD;
        let mut response = match self.dispatch(request).await {
            Ok(response) => response,
            Err(err) => err.into_response(),
        };
        if head {
            let len = response.body().len();
            if len > 0 || !response.headers().contains_key(header::CONTENT_LENGTH) {
                response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            }
            *response.body_mut() = Bytes::new();
        }
        response
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

    /// Answers a request whose body arrives as a stream of chunks. Uploads to the registry's
    /// signed upload URLs (see [`Registry::streams_body`]) go to the store chunk by chunk, never
    /// held whole; any other body is read up to [`Registry::max_body_bytes`] (413 beyond, or as
    /// soon as `Content-Length` says so) and answered by [`Registry::handle`].
    pub async fn handle_streamed<S, E>(&self, request: Request<S>) -> Response<Bytes>
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
        if self.streams_body(&parts.method, parts.uri.path()) {
            let result = async {
                let path = self.relative_path(parts.uri.path())?;
                let Route::UploadData(id) = router::route(&parts.method, path)? else {
                    return Err(crate::Error::internal("a streamed route that is not an upload"));
                };
                self.upload_receive(path, parts.uri.query(), &id, declared, body).await
            };
            return result.await.unwrap_or_else(crate::Error::into_response);
        }
        match crate::http::body::read_limited(body, declared, self.max_body_bytes()).await {
            Ok(bytes) => self.handle(Request::from_parts(parts, bytes)).await,
            Err(err) => err.into_response(),
        }
    }

    async fn dispatch(&self, request: Request<Bytes>) -> Result<Response<Bytes>> {
        let (parts, body) = request.into_parts();
        let path = self.relative_path(parts.uri.path())?;
        let route = router::route(&parts.method, path)?;
        match route {
            Route::Discovery => {
                return Ok(crate::http::response::json_bytes(StatusCode::OK, self.inner.discovery.clone()))
            }
            Route::ModuleArchive { addr, version, sha256 } => {
                self.inner.signer.verify(path, parts.uri.query(), crate::clock::unix_now())?;
                let head = parts.method == Method::HEAD;
                return self.module_archive(&addr, &version, &sha256, head).await;
            }
            Route::ProviderFile(addr, version, file) => {
                self.inner.signer.verify(path, parts.uri.query(), crate::clock::unix_now())?;
                let head = parts.method == Method::HEAD;
                return self.provider_file(&addr, &version, &file, head).await;
            }
            Route::KeyList => return self.key_list().await,
            Route::UploadData(id) => {
                let once = crate::storage::Once(Some(body));
                return self.upload_receive(path, parts.uri.query(), &id, None, once).await;
            }
            _ => {}
        }
        let change = route.change();
        let principal = self.inner.authenticator.authenticate(&parts).await;
        let actor = match &principal {
            Ok(Some(p)) => p.id.clone(),
            Ok(None) => "anonymous".to_owned(),
            Err(_) => "invalid-token".to_owned(),
        };
        let result = match principal {
            Ok(principal) => self.serve(route, &parts, principal, body).await,
            Err(err) => Err(err),
        };
        if let Some((action, target)) = change {
            let status = result.as_ref().map_or_else(|e| e.status(), |r| r.status());
            // A token's id is known only once it exists: take it from the answer.
            let target = match (&result, target.is_empty()) {
                (Ok(response), true) => serde_json::from_slice::<serde_json::Value>(response.body())
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_owned))
                    .unwrap_or_default(),
                _ => target,
            };
            self.inner.audit.record(&actor, action, &target, status).await;
        }
        result
    }

    /// Authorizes and answers a route that needs a caller.
    async fn serve(
        &self,
        route: Route,
        parts: &http::request::Parts,
        principal: Option<Principal>,
        body: Bytes,
    ) -> Result<Response<Bytes>> {
        let who = principal.as_ref();
        let authorize = |action: Action<'_>| self.inner.authorizer.authorize(who, &action);
        match route {
            Route::Module(addr) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.module_detail(&addr).await
            }
            Route::ModuleVersions(addr) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.module_versions(&addr).await
            }
            Route::ModuleLatestDownload(addr) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.module_latest_download(&addr).await
            }
            Route::ModuleVersion(addr, version) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.module_version(&addr, &version).await
            }
            Route::ModuleDownload(addr, version) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.module_download(parts, &addr, &version).await
            }
            Route::ModuleUpload(addr, version) => {
                authorize(Action::Publish { namespace: addr.namespace.key() })?;
                match session_param(parts.uri.query(), &body)? {
                    None => self.module_upload(principal, &addr, &version, body).await,
                    Some(id) => {
                        let archive = self.session_bytes(who, &id).await?;
                        let published =
                            self.module_upload(principal.clone(), &addr, &version, archive).await?;
                        self.session_used(&id).await;
                        Ok(published)
                    }
                }
            }
            Route::TokenCreate => {
                authorize(Action::Administer)?;
                self.token_create(who, &body).await
            }
            Route::TokenList => {
                authorize(Action::Administer)?;
                self.token_list().await
            }
            Route::TokenRevoke(id) => {
                authorize(Action::Administer)?;
                self.token_revoke(&id).await
            }
            Route::Audit => {
                authorize(Action::Administer)?;
                self.audit_page(parts.uri.query()).await
            }
            Route::ProviderVersions(addr) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.provider_versions(&addr).await
            }
            Route::ProviderDownload(addr, version, platform) => {
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.provider_download(&addr, &version, &platform.os, &platform.arch).await
            }
            Route::ProviderUpload(addr, version, platform) => {
                authorize(Action::Publish { namespace: addr.namespace.key() })?;
                let query = parts.uri.query();
                match session_param(query, &body)? {
                    None => {
                        let package = Package::Body(body);
                        self.provider_upload(principal, &addr, &version, platform, query, package).await
                    }
                    Some(id) => {
                        let package = Package::File(self.session_file(who, &id).await?);
                        let published = self
                            .provider_upload(principal.clone(), &addr, &version, platform, query, package)
                            .await?;
                        self.session_used(&id).await;
                        Ok(published)
                    }
                }
            }
            Route::ProviderShaSums(addr, version) => {
                authorize(Action::Publish { namespace: addr.namespace.key() })?;
                self.provider_shasums_upload(&addr, &version, parts.uri.query(), &body).await
            }
            Route::MirrorIndex(host, ns, ty) => {
                let addr = self.mirror_address(parts, &host, &ns, &ty)?;
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.mirror_index(&addr).await
            }
            Route::MirrorVersion(host, ns, ty, version) => {
                let addr = self.mirror_address(parts, &host, &ns, &ty)?;
                authorize(Action::Read { namespace: addr.namespace.key() })?;
                self.mirror_version(&addr, &version).await
            }
            Route::ModulePin(addr, version) => {
                authorize(Action::Administer)?;
                self.pin_module(who, &addr, version, parts.uri.query()).await
            }
            Route::ModuleUnpin(addr, version) => {
                authorize(Action::Administer)?;
                self.unpin_module(&addr, &version).await
            }
            Route::ProviderPin(addr, version) => {
                authorize(Action::Administer)?;
                self.pin_provider(who, &addr, version, parts.uri.query()).await
            }
            Route::ProviderUnpin(addr, version) => {
                authorize(Action::Administer)?;
                self.unpin_provider(&addr, &version).await
            }
            Route::PinList => {
                authorize(Action::Administer)?;
                self.pin_list().await
            }
            Route::KeyAdd => {
                authorize(Action::Administer)?;
                self.key_add(&body).await
            }
            Route::UploadCreate => {
                authorize(Action::Upload)?;
                self.upload_create(parts, principal, &body).await
            }
            Route::UploadStatus(id) => {
                authorize(Action::Upload)?;
                self.upload_status(who, &id).await
            }
            Route::UploadDelete(id) => {
                authorize(Action::Upload)?;
                self.upload_delete(who, &id).await
            }
            Route::Discovery
            | Route::ModuleArchive { .. }
            | Route::ProviderFile(..)
            | Route::KeyList
            | Route::UploadData(..) => {
                Err(crate::Error::internal("public routes are answered before authentication"))
            }
        }
    }

    /// The request path relative to the base path, or 404 when it lies outside it.
    fn relative_path<'a>(&self, path: &'a str) -> Result<&'a str> {
        if path == DISCOVERY_PATH {
            return Ok(path);
        }
        let base = self.inner.config.base_path.as_str();
        match path.strip_prefix(base) {
            Some(rest) if rest.starts_with('/') => Ok(rest),
            _ => Err(crate::Error::not_found(format!(
                "no such endpoint: {:?}; the registry is mounted at {base}/",
                crate::types::address::truncate(path)
            ))),
        }
    }

    /// An absolute (with a public URL) or host-relative link to `path` under the base path.
    pub(crate) fn link(&self, path: &str) -> String {
        let config = &self.inner.config;
        format!("{}{}{path}", config.public_url.as_deref().unwrap_or(""), config.base_path)
    }
}
