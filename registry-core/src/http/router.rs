//! Maps a method and a path (relative to where the registry is mounted) to a [`Route`]. A pure
//! function, fuzzed (`fuzz/fuzz_targets/route.rs`): any input gives a route or an error, never a
//! panic.

use http::Method;

use crate::auth::Action;
use crate::lifecycle::Step;
use crate::oci::{Digest, Reference, Repository};
use crate::types::address::ModuleAddress;
use crate::types::version::Version;
use crate::types::Platform;
use crate::types::{Name, ProviderAddress, ProviderFile};
use crate::Error;
use crate::Result;

/// The path of service discovery, always at the root of the host.
pub const DISCOVERY_PATH: &str = "/.well-known/terraform.json";

/// Everything the registry answers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// `GET /.well-known/terraform.json`
    Discovery,
    /// `GET /healthz`: the process answers.
    Health,
    /// `GET /readyz`: the store answers (and the upstream, when the registry proxies one).
    Ready,
    /// `GET /v1/openapi.json`: the OpenAPI document of this API.
    OpenApi,
    /// `GET /v1/namespaces`: the namespaces that hold modules or providers.
    Namespaces,
    /// `GET /v1/modules`: every module, a page at a time.
    ModuleCatalogue,
    /// `GET /v1/modules/search?q=`
    ModuleSearch,
    /// `GET /v1/modules/{ns}`: a namespace's modules.
    NamespaceModules(Name),
    /// `GET /v1/modules/{ns}/{name}`: one module name for every system.
    ModuleSystems(Name, Name),
    /// `GET /v1/modules/{ns}/{name}/{system}`: the module and its versions.
    Module(ModuleAddress),
    /// `GET /v1/modules/{ns}/{name}/{system}/versions`
    ModuleVersions(ModuleAddress),
    /// `GET /v1/modules/{ns}/{name}/{system}/download`: redirect to the latest version.
    ModuleLatestDownload(ModuleAddress),
    /// `GET /v1/modules/{ns}/{name}/{system}/{version}`: one version's description.
    ModuleVersion(ModuleAddress, Version),
    /// `GET /v1/modules/{ns}/{name}/{system}/{version}/download`
    ModuleDownload(ModuleAddress, Version),
    /// `PUT /v1/modules/{ns}/{name}/{system}/{version}` with the archive as the body.
    ModuleUpload(ModuleAddress, Version),
    /// `POST /v1/modules/{ns}/{name}/{system}/{version}/external` with `{"location": ...}`:
    /// a version registered from (or imported from) an external source.
    ModuleExternal(ModuleAddress, Version),
    /// `PUT|DELETE /v1/modules/{ns}/{name}/{system}/{version}/deprecation`,
    /// `PUT|DELETE .../{version}/yank`, `DELETE .../{version}`.
    ModuleLifecycle(ModuleAddress, Version, Step),
    /// `POST /v1/tokens`: issue a token.
    TokenCreate,
    /// `GET /v1/tokens`: list issued tokens.
    TokenList,
    /// `DELETE /v1/tokens/{id}`: revoke a token.
    TokenRevoke(String),
    /// `GET /v1/audit?limit&after`: the audit trail, newest first.
    Audit,
    /// `GET /v1/providers`: every provider, a page at a time.
    ProviderCatalogue,
    /// `GET /v1/providers/search?q=`
    ProviderSearch,
    /// `GET /v1/providers/{ns}`: a namespace's providers.
    NamespaceProviders(Name),
    /// `GET /v1/providers/{ns}/{type}`: the provider and its versions.
    Provider(ProviderAddress),
    /// `GET /v1/providers/{ns}/{type}/{version}`: one version's detail.
    ProviderVersion(ProviderAddress, Version),
    /// `GET /v1/providers/{ns}/{type}/{version}/docs`: the version's documentation pages.
    ProviderDocs(ProviderAddress, Version),
    /// `PUT /v1/providers/{ns}/{type}/{version}/docs` with the `docs/` folder as an archive.
    ProviderDocsUpload(ProviderAddress, Version),
    /// `GET /v1/providers/{ns}/{type}/{version}/docs/{category}/{slug}`: one page.
    ProviderDocPage(ProviderAddress, Version, String, String),
    /// `GET /v1/providers/{ns}/{type}/versions`
    ProviderVersions(ProviderAddress),
    /// `GET /v1/providers/{ns}/{type}/{version}/download/{os}/{arch}`
    ProviderDownload(ProviderAddress, Version, Platform),
    /// `PUT /v1/providers/{ns}/{type}/{version}/{os}/{arch}?protocols=5.0` with the zip.
    ProviderUpload(ProviderAddress, Version, Platform),
    /// `PUT /v1/providers/{ns}/{type}/{version}/shasums` with the team's SHA256SUMS and signature.
    ProviderShaSums(ProviderAddress, Version),
    /// `PUT|DELETE /v1/providers/{ns}/{type}/{version}/deprecation`,
    /// `PUT|DELETE .../{version}/yank`, `DELETE /v1/providers/{ns}/{type}/{version}`.
    ProviderLifecycle(ProviderAddress, Version, Step),
    /// `GET /v1/archives/providers/{host}/{ns}/{type}/{version}/{file}?expires&signature`
    ProviderFile(ProviderAddress, Version, ProviderFile),
    /// `GET /v1/mirror/{host}/{ns}/{type}/index.json`: `host` as the source address names it
    /// (the mirror maps the registry's own names to its own providers).
    MirrorIndex(ProviderAddress),
    /// `GET /v1/mirror/{host}/{ns}/{type}/{version}.json`
    MirrorVersion(ProviderAddress, Version),
    /// `POST /v1/pins/{ns}/{name}/{system}[/{version}]`: copy from the upstream.
    ModulePin(ModuleAddress, Option<Version>),
    /// `DELETE /v1/pins/{ns}/{name}/{system}/{version}`
    ModuleUnpin(ModuleAddress, Version),
    /// `POST /v1/pins/providers/{ns}/{type}[/{version}]`: copy from the upstream.
    ProviderPin(ProviderAddress, Option<Version>),
    /// `DELETE /v1/pins/providers/{ns}/{type}/{version}`
    ProviderUnpin(ProviderAddress, Version),
    /// `GET /v1/pins`
    PinList,
    /// `GET /v1/keys`: the public signing keys.
    KeyList,
    /// `POST /v1/keys`: register a team's public key for a namespace.
    KeyAdd,
    /// `POST /v1/uploads`: open an upload session.
    UploadCreate,
    /// `GET /v1/uploads/{id}`: a session and what was uploaded to it.
    UploadStatus(String),
    /// `DELETE /v1/uploads/{id}`: abandon a session.
    UploadDelete(String),
    /// `PUT /v1/uploads/{id}?expires&signature`: the file, to the registry's signed upload URL.
    UploadData(String),
    /// `GET /v1/archives/modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz?expires&signature`
    ModuleArchive {
        /// The module.
        addr: ModuleAddress,
        /// The version.
        version: Version,
        /// The archive's content hash, lower-case hex.
        sha256: String,
    },
    /// `GET /v2/`: the OCI distribution API's version check (see [`crate::oci`]).
    OciVersion,
    /// `GET /v2/token`: a bearer token for the credentials sent by basic authentication.
    OciToken,
    /// `GET /v2/{repo}/tags/list?n&last`
    OciTags(Repository),
    /// `GET|HEAD /v2/{repo}/manifests/{reference}`
    OciManifest(Repository, Reference),
    /// `GET|HEAD /v2/{repo}/blobs/{digest}`
    OciBlob(Repository, Digest),
    /// `POST /v2/{repo}/blobs/uploads/`: opens a blob upload, or with `?digest=` uploads a
    /// blob in one request (see [`crate::oci`]'s push side).
    OciUploadOpen(Repository),
    /// `GET|PATCH|PUT|DELETE /v2/{repo}/blobs/uploads/{id}`: an upload's progress, a chunk of
    /// it, its last chunk with `?digest=`, or abandoning it.
    OciUpload(Repository, String),
    /// `PUT /v2/{repo}/manifests/{reference}`: a pushed module manifest or provider index,
    /// published as a version (or a provider's platform manifest, kept for its index).
    OciManifestPush(Repository, Reference),
    /// `POST /v1/webhooks/github`: a delivery to the GitHub App (see [`crate::scm`]).
    WebhookApp,
    /// `POST /v1/webhooks/{github|gitlab|bitbucket}/{id}`: a delivery to a source's own hook.
    WebhookSource(String, String),
    /// `GET /v1/webhooks/deliveries?limit=`: the recent deliveries and what they did.
    Deliveries,
    /// `POST /v1/github/installations/{installation}/sync`: read an App installation again.
    InstallationSync(u64),
    /// `POST /v1/sources`: register a repository with its own webhook.
    SourceCreate,
    /// `GET /v1/sources`
    SourceList,
    /// `GET /v1/sources/{id}`
    Source(String),
    /// `DELETE /v1/sources/{id}`
    SourceDelete(String),
    /// `POST /v1/sources/{id}/sync`: publish every version tag not published yet.
    SourceSync(String),
    /// `GET /oauth/authorization`: `terraform login`'s authorization request (see
    /// [`crate::identity`]).
    OauthAuthorization,
    /// `GET /oauth/callback`: back from the identity provider.
    OauthCallback,
    /// `POST /oauth/token`: Terraform trades its code for a token.
    OauthToken,
    /// `POST /v1/auth/exchange`: a CI job's OIDC token for a short-lived token.
    AuthExchange,
    /// `POST /v1/auth/trust`: a trusted publishing rule.
    TrustCreate,
    /// `GET /v1/auth/trust`
    TrustList,
    /// `DELETE /v1/auth/trust/{id}`
    TrustDelete(String),
}

impl Route {
    /// The route's path template (`/v1/modules/{ns}/{name}/{system}/versions`): what metrics and
    /// access logs name it by, whatever address it was called with.
    pub fn template(&self) -> &'static str {
        match self {
            Route::Health => "/healthz",
            Route::Ready => "/readyz",
            Route::Discovery => "/.well-known/terraform.json",
            Route::OpenApi => "/v1/openapi.json",
            Route::Namespaces => "/v1/namespaces",
            Route::ModuleCatalogue => "/v1/modules",
            Route::ModuleSearch => "/v1/modules/search",
            Route::NamespaceModules(..) => "/v1/modules/{ns}",
            Route::ModuleSystems(..) => "/v1/modules/{ns}/{name}",
            Route::Module(..) => "/v1/modules/{ns}/{name}/{system}",
            Route::ModuleVersions(..) => "/v1/modules/{ns}/{name}/{system}/versions",
            Route::ModuleLatestDownload(..) => "/v1/modules/{ns}/{name}/{system}/download",
            Route::ModuleVersion(..) => "/v1/modules/{ns}/{name}/{system}/{version}",
            Route::ModuleDownload(..) => "/v1/modules/{ns}/{name}/{system}/{version}/download",
            Route::ModuleUpload(..) => "/v1/modules/{ns}/{name}/{system}/{version}",
            Route::ModuleExternal(..) => "/v1/modules/{ns}/{name}/{system}/{version}/external",
            Route::ModuleLifecycle(_, _, step) => match step {
                Step::Deprecate | Step::Undeprecate => {
                    "/v1/modules/{ns}/{name}/{system}/{version}/deprecation"
                }
                Step::Yank | Step::Unyank => "/v1/modules/{ns}/{name}/{system}/{version}/yank",
                Step::Delete => "/v1/modules/{ns}/{name}/{system}/{version}",
            },
            Route::TokenCreate => "/v1/tokens",
            Route::TokenList => "/v1/tokens",
            Route::TokenRevoke(..) => "/v1/tokens/{id}",
            Route::Audit => "/v1/audit",
            Route::ProviderCatalogue => "/v1/providers",
            Route::ProviderSearch => "/v1/providers/search",
            Route::NamespaceProviders(..) => "/v1/providers/{ns}",
            Route::Provider(..) => "/v1/providers/{ns}/{type}",
            Route::ProviderVersion(..) => "/v1/providers/{ns}/{type}/{version}",
            Route::ProviderDocs(..) => "/v1/providers/{ns}/{type}/{version}/docs",
            Route::ProviderDocsUpload(..) => "/v1/providers/{ns}/{type}/{version}/docs",
            Route::ProviderDocPage(..) => "/v1/providers/{ns}/{type}/{version}/docs/{category}/{slug}",
            Route::ProviderVersions(..) => "/v1/providers/{ns}/{type}/versions",
            Route::ProviderDownload(..) => "/v1/providers/{ns}/{type}/{version}/download/{os}/{arch}",
            Route::ProviderUpload(..) => "/v1/providers/{ns}/{type}/{version}/{os}/{arch}",
            Route::ProviderShaSums(..) => "/v1/providers/{ns}/{type}/{version}/shasums",
            Route::ProviderLifecycle(_, _, step) => match step {
                Step::Deprecate | Step::Undeprecate => "/v1/providers/{ns}/{type}/{version}/deprecation",
                Step::Yank | Step::Unyank => "/v1/providers/{ns}/{type}/{version}/yank",
                Step::Delete => "/v1/providers/{ns}/{type}/{version}",
            },
            Route::ProviderFile(..) => "/v1/archives/providers/{host}/{ns}/{type}/{version}/{file}",
            Route::MirrorIndex(..) => "/v1/mirror/{host}/{ns}/{type}/index.json",
            Route::MirrorVersion(..) => "/v1/mirror/{host}/{ns}/{type}/{version}.json",
            Route::ModulePin(..) => "/v1/pins/{ns}/{name}/{system}[/{version}]",
            Route::ModuleUnpin(..) => "/v1/pins/{ns}/{name}/{system}/{version}",
            Route::ProviderPin(..) => "/v1/pins/providers/{ns}/{type}[/{version}]",
            Route::ProviderUnpin(..) => "/v1/pins/providers/{ns}/{type}/{version}",
            Route::PinList => "/v1/pins",
            Route::KeyList => "/v1/keys",
            Route::KeyAdd => "/v1/keys",
            Route::UploadCreate => "/v1/uploads",
            Route::UploadStatus(..) => "/v1/uploads/{id}",
            Route::UploadDelete(..) => "/v1/uploads/{id}",
            Route::UploadData(..) => "/v1/uploads/{id}",
            Route::ModuleArchive { .. } => {
                "/v1/archives/modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz"
            }
            Route::OciVersion => "/v2/",
            Route::OciToken => "/v2/token",
            Route::OciTags(Repository::Provider(_)) => "/v2/providers/{ns}/{type}/tags/list",
            Route::OciTags(Repository::Mirror(_)) => "/v2/mirror/{host}/{ns}/{type}/tags/list",
            Route::OciTags(Repository::Module(_)) => "/v2/modules/{ns}/{name}/{system}/tags/list",
            Route::OciManifest(Repository::Provider(_), _) => {
                "/v2/providers/{ns}/{type}/manifests/{reference}"
            }
            Route::OciManifest(Repository::Mirror(_), _) => {
                "/v2/mirror/{host}/{ns}/{type}/manifests/{reference}"
            }
            Route::OciManifest(Repository::Module(_), _) => {
                "/v2/modules/{ns}/{name}/{system}/manifests/{reference}"
            }
            Route::OciBlob(Repository::Provider(_), _) => "/v2/providers/{ns}/{type}/blobs/{digest}",
            Route::OciBlob(Repository::Mirror(_), _) => "/v2/mirror/{host}/{ns}/{type}/blobs/{digest}",
            Route::OciBlob(Repository::Module(_), _) => "/v2/modules/{ns}/{name}/{system}/blobs/{digest}",
            Route::OciUploadOpen(Repository::Provider(_)) => "/v2/providers/{ns}/{type}/blobs/uploads/",
            Route::OciUploadOpen(Repository::Mirror(_)) => "/v2/mirror/{host}/{ns}/{type}/blobs/uploads/",
            Route::OciUploadOpen(Repository::Module(_)) => "/v2/modules/{ns}/{name}/{system}/blobs/uploads/",
            Route::OciUpload(Repository::Provider(_), _) => "/v2/providers/{ns}/{type}/blobs/uploads/{id}",
            Route::OciUpload(Repository::Mirror(_), _) => "/v2/mirror/{host}/{ns}/{type}/blobs/uploads/{id}",
            Route::OciUpload(Repository::Module(_), _) => {
                "/v2/modules/{ns}/{name}/{system}/blobs/uploads/{id}"
            }
            Route::OciManifestPush(repo, reference) => {
                Route::OciManifest(repo.clone(), reference.clone()).template()
            }
            Route::WebhookApp => "/v1/webhooks/github",
            Route::WebhookSource(..) => "/v1/webhooks/{kind}/{id}",
            Route::Deliveries => "/v1/webhooks/deliveries",
            Route::InstallationSync(..) => "/v1/github/installations/{installation}/sync",
            Route::SourceCreate | Route::SourceList => "/v1/sources",
            Route::Source(..) | Route::SourceDelete(..) => "/v1/sources/{id}",
            Route::SourceSync(..) => "/v1/sources/{id}/sync",
            Route::OauthAuthorization => "/oauth/authorization",
            Route::OauthCallback => "/oauth/callback",
            Route::OauthToken => "/oauth/token",
            Route::AuthExchange => "/v1/auth/exchange",
            Route::TrustCreate | Route::TrustList => "/v1/auth/trust",
            Route::TrustDelete(..) => "/v1/auth/trust/{id}",
        }
    }
}

/// Who may call a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access<'a> {
    /// Anyone: the route carries its own proof (a signed link) or answers public information.
    Public,
    /// A caller the [`Authorizer`](crate::auth::Authorizer) allows this action.
    Authorized(Action<'a>),
}

/// What the audit trail records of a route that changes something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audit {
    /// The kind of change: `module.publish`, `token.create`, ...
    pub action: &'static str,
    /// What it applies to; for a thing named only once it exists (a new token's id), the
    /// handler names it with an [`AuditTarget`] on its answer.
    pub target: Option<String>,
}

/// The audit target a handler names on its answer (in the response's extensions) when the
/// route could not know it before (the id of a token just created).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditTarget(pub String);

impl Route {
    /// The route's policy, in one table: who may call it, and what the audit trail records.
    pub fn policy(&self) -> (Access<'_>, Option<Audit>) {
        use Access::{Authorized, Public};
        let audit = |action: &'static str, target: String| Some(Audit { action, target: Some(target) });
        let admin = Authorized(Action::Administer);
        match self {
            Route::Discovery | Route::KeyList | Route::Health | Route::Ready | Route::OpenApi => {
                (Public, None)
            }
            // Each entry is shown only if its namespace may be read.
            Route::Namespaces
            | Route::ModuleCatalogue
            | Route::ModuleSearch
            | Route::ProviderCatalogue
            | Route::ProviderSearch => (Authorized(Action::Browse), None),
            Route::NamespaceModules(ns) | Route::ModuleSystems(ns, _) | Route::NamespaceProviders(ns) => {
                (reader(ns.key()), None)
            }
            // Signed links: the signature is checked by the service.
            Route::ModuleArchive { .. } | Route::ProviderFile(..) | Route::UploadData(..) => (Public, None),
            Route::Module(addr)
            | Route::ModuleVersions(addr)
            | Route::ModuleLatestDownload(addr)
            | Route::ModuleVersion(addr, _)
            | Route::ModuleDownload(addr, _) => (reader(addr.namespace.key()), None),
            Route::ModuleUpload(addr, version) => (
                Authorized(Action::Publish { namespace: addr.namespace.key() }),
                audit("module.publish", format!("{addr}/{version}")),
            ),
            Route::ModuleExternal(addr, version) => (
                Authorized(Action::Publish { namespace: addr.namespace.key() }),
                audit("module.external", format!("{addr}/{version}")),
            ),
            Route::ProviderVersions(addr)
            | Route::ProviderDownload(addr, ..)
            | Route::Provider(addr)
            | Route::ProviderVersion(addr, _)
            | Route::ProviderDocs(addr, _)
            | Route::ProviderDocPage(addr, ..) => (reader(addr.namespace.key()), None),
            Route::MirrorIndex(addr) | Route::MirrorVersion(addr, _) => (reader(addr.namespace.key()), None),
            // Whoever may browse may learn the API is here, and get a token for what they sent.
            Route::OciVersion | Route::OciToken => (Authorized(Action::Browse), None),
            Route::OciTags(repo) | Route::OciManifest(repo, _) | Route::OciBlob(repo, _) => {
                (reader(repo.namespace()), None)
            }
            Route::OciUploadOpen(repo) | Route::OciUpload(repo, _) => {
                (Authorized(Action::Publish { namespace: repo.namespace() }), None)
            }
            // A tag publishes a version; a platform manifest pushed by digest only waits for one.
            Route::OciManifestPush(repo, reference) => (
                Authorized(Action::Publish { namespace: repo.namespace() }),
                match reference {
                    Reference::Tag(tag) => audit(repo.publish_action(), format!("{repo}:{tag}")),
                    Reference::Digest(_) => None,
                },
            ),
            Route::ProviderUpload(addr, version, platform) => (
                Authorized(Action::Publish { namespace: addr.namespace.key() }),
                audit("provider.publish", format!("{addr}/{version}/{platform}")),
            ),
            Route::ProviderShaSums(addr, version) => (
                Authorized(Action::Publish { namespace: addr.namespace.key() }),
                audit("provider.signature", format!("{addr}/{version}")),
            ),
            Route::ProviderDocsUpload(addr, version) => (
                Authorized(Action::Publish { namespace: addr.namespace.key() }),
                audit("provider.docs", format!("{addr}/{version}")),
            ),
            Route::ModuleLifecycle(addr, version, step) => (
                lifecycle_access(*step, addr.namespace.key()),
                audit(step.audit_action(false), format!("{addr}/{version}")),
            ),
            Route::ProviderLifecycle(addr, version, step) => (
                lifecycle_access(*step, addr.namespace.key()),
                audit(step.audit_action(true), format!("{addr}/{version}")),
            ),
            Route::TokenCreate => (admin, Some(Audit { action: "token.create", target: None })),
            Route::TokenList | Route::Audit | Route::PinList => (admin, None),
            Route::TokenRevoke(id) => (admin, audit("token.revoke", id.clone())),
            Route::KeyAdd => (admin, Some(Audit { action: "key.add", target: None })),
            Route::ModulePin(addr, version) => {
                (admin, audit("module.pin", pin_target(addr, version.as_ref())))
            }
            Route::ModuleUnpin(addr, version) => (admin, audit("module.unpin", format!("{addr}/{version}"))),
            Route::ProviderPin(addr, version) => {
                (admin, audit("provider.pin", pin_target(addr, version.as_ref())))
            }
            Route::ProviderUnpin(addr, version) => {
                (admin, audit("provider.unpin", format!("{addr}/{version}")))
            }
            Route::UploadCreate => {
                (Authorized(Action::Upload), Some(Audit { action: "upload.create", target: None }))
            }
            Route::UploadStatus(_) => (Authorized(Action::Upload), None),
            Route::UploadDelete(id) => (Authorized(Action::Upload), audit("upload.delete", id.clone())),
            // Signed by the host with the hook's secret: the service checks the signature, and
            // audits each version a delivery publishes or withdraws.
            Route::WebhookApp | Route::WebhookSource(..) => (Public, None),
            // The sign-in carries its own proofs (PKCE, the provider's ID token) and audits
            // each step itself.
            Route::OauthAuthorization | Route::OauthCallback | Route::OauthToken => (Public, None),
            // The workload's token is the credential; the service audits each exchange.
            Route::AuthExchange => (Public, None),
            Route::TrustCreate => (admin, Some(Audit { action: "trust.create", target: None })),
            Route::TrustList => (admin, None),
            Route::TrustDelete(id) => (admin, audit("trust.delete", format!("trust/{id}"))),
            Route::Deliveries => (admin, None),
            Route::InstallationSync(id) => (admin, audit("github.sync", format!("installation/{id}"))),
            // The namespace is in the body or the record: the service checks the caller may
            // publish there.
            Route::SourceCreate => {
                (Authorized(Action::Upload), Some(Audit { action: "source.create", target: None }))
            }
            Route::SourceList | Route::Source(_) => (Authorized(Action::Upload), None),
            Route::SourceDelete(id) => {
                (Authorized(Action::Upload), audit("source.delete", format!("source/{id}")))
            }
            Route::SourceSync(id) => {
                (Authorized(Action::Upload), audit("source.sync", format!("source/{id}")))
            }
        }
    }
}

/// What a route does with the request body, which decides whether it is read at all, how much
/// of it, and whether it counts as an upload (see [`Route::body_use`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyUse {
    /// Not read: whatever was sent is ignored (and not waited for).
    Ignored,
    /// A small JSON document, read up to [`DOCUMENT_LIMIT`] bytes.
    Document,
    /// A file to publish, read up to the registry's body limit, holding one of the caller's
    /// upload slots while it arrives.
    Upload,
    /// A chunk of an OCI blob upload, streamed to the store (never held whole), holding one of
    /// the caller's upload slots while it arrives.
    Stream,
    /// A webhook delivery, read up to [`WEBHOOK_LIMIT`] bytes (GitHub's own cap).
    Webhook,
}

/// The most bytes a webhook delivery may have.
pub const WEBHOOK_LIMIT: u64 = 25 << 20;

/// The most bytes a JSON document sent to the registry may have.
pub const DOCUMENT_LIMIT: u64 = 1 << 20;

impl Route {
    /// What the route does with the request body.
    pub fn body_use(&self) -> BodyUse {
        match self {
            Route::ModuleUpload(..)
            | Route::ProviderUpload(..)
            | Route::ProviderShaSums(..)
            | Route::ProviderDocsUpload(..)
            | Route::UploadData(_) => BodyUse::Upload,
            Route::OciUploadOpen(_) | Route::OciUpload(..) => BodyUse::Stream,
            Route::TokenCreate
            | Route::KeyAdd
            | Route::UploadCreate
            | Route::OciManifestPush(..)
            | Route::ModuleExternal(..)
            | Route::SourceCreate
            | Route::OauthToken
            | Route::AuthExchange
            | Route::TrustCreate => BodyUse::Document,
            Route::WebhookApp | Route::WebhookSource(..) => BodyUse::Webhook,
            Route::ModuleLifecycle(_, _, step) | Route::ProviderLifecycle(_, _, step)
                if step.takes_body() =>
            {
                BodyUse::Document
            }
            _ => BodyUse::Ignored,
        }
    }
}

const READ: &str = "GET, HEAD";

/// Finds the route for `method` and `path`. `path` is relative to the registry's base path and
/// starts with `/`. 404 for unknown paths, 405 for a known path with another method, 400 for a
/// malformed address or version.
pub fn route(method: &Method, path: &str) -> Result<Route> {
    match path {
        DISCOVERY_PATH => return read(method, Route::Discovery),
        "/healthz" => return read(method, Route::Health),
        "/readyz" => return read(method, Route::Ready),
        _ => {}
    }
    match path {
        "/oauth/authorization" => return read(method, Route::OauthAuthorization),
        "/oauth/callback" => return read(method, Route::OauthCallback),
        "/oauth/token" => return post(method, Route::OauthToken),
        _ => {}
    }
    if let Some(rest) = path.strip_prefix("/v2").filter(|r| r.is_empty() || r.starts_with('/')) {
        return oci_route(method, rest.strip_prefix('/').unwrap_or(rest));
    }
    let Some(rest) = path.strip_prefix("/v1/") else {
        return Err(not_found(path));
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["openapi.json"] => read(method, Route::OpenApi),
        ["namespaces"] => read(method, Route::Namespaces),
        ["modules"] | ["modules", ""] => read(method, Route::ModuleCatalogue),
        ["modules", "search"] => read(method, Route::ModuleSearch),
        ["modules", ns] => read(method, Route::NamespaceModules(Name::parse(ns, "namespace")?)),
        ["modules", ns, name] => read(
            method,
            Route::ModuleSystems(Name::parse(ns, "namespace")?, Name::parse(name, "module name")?),
        ),
        ["modules", ns, name, system] => read(method, Route::Module(module(ns, name, system)?)),
        ["modules", ns, name, system, "versions"] => {
            read(method, Route::ModuleVersions(module(ns, name, system)?))
        }
        ["modules", ns, name, system, "download"] => {
            read(method, Route::ModuleLatestDownload(module(ns, name, system)?))
        }
        ["modules", ns, name, system, version] => {
            let (addr, version) = (module(ns, name, system)?, Version::parse(version)?);
            match *method {
                Method::PUT => Ok(Route::ModuleUpload(addr, version)),
                Method::GET | Method::HEAD => Ok(Route::ModuleVersion(addr, version)),
                Method::DELETE => Ok(Route::ModuleLifecycle(addr, version, Step::Delete)),
                _ => Err(not_allowed(method, "GET, HEAD, PUT, DELETE")),
            }
        }
        ["modules", ns, name, system, version, mark @ ("deprecation" | "yank")] => {
            let (addr, version) = (module(ns, name, system)?, Version::parse(version)?);
            Ok(Route::ModuleLifecycle(addr, version, marking(method, mark)?))
        }
        ["modules", ns, name, system, version, "external"] => {
            let (addr, version) = (module(ns, name, system)?, Version::parse(version)?);
            match *method {
                Method::POST => Ok(Route::ModuleExternal(addr, version)),
                _ => Err(not_allowed(method, "POST")),
            }
        }
        ["modules", ns, name, system, version, "download"] => {
            let addr = module(ns, name, system)?;
            read(method, Route::ModuleDownload(addr, Version::parse(version)?))
        }
        ["tokens"] => match *method {
            Method::POST => Ok(Route::TokenCreate),
            Method::GET | Method::HEAD => Ok(Route::TokenList),
            _ => Err(not_allowed(method, "GET, HEAD, POST")),
        },
        ["tokens", id] => match *method {
            Method::DELETE => Ok(Route::TokenRevoke((*id).to_owned())),
            _ => Err(not_allowed(method, "DELETE")),
        },
        ["audit"] => read(method, Route::Audit),
        ["webhooks", "deliveries"] => read(method, Route::Deliveries),
        ["webhooks", "github"] => post(method, Route::WebhookApp),
        ["webhooks", kind @ ("github" | "gitlab" | "bitbucket"), id] => {
            post(method, Route::WebhookSource((*kind).to_owned(), crate::scm::parse_source_id(id)?))
        }
        ["github", "installations", id, "sync"] => {
            let id = id.parse::<u64>().map_err(|_| {
                Error::bad_request(format!("{:?} is not an installation id", crate::types::truncate(id)))
            })?;
            post(method, Route::InstallationSync(id))
        }
        ["auth", "exchange"] => post(method, Route::AuthExchange),
        ["auth", "trust"] => match *method {
            Method::POST => Ok(Route::TrustCreate),
            Method::GET | Method::HEAD => Ok(Route::TrustList),
            _ => Err(not_allowed(method, "GET, HEAD, POST")),
        },
        ["auth", "trust", id] => match *method {
            Method::DELETE => Ok(Route::TrustDelete(crate::identity::trust::parse_id(id)?)),
            _ => Err(not_allowed(method, "DELETE")),
        },
        ["sources"] => match *method {
            Method::POST => Ok(Route::SourceCreate),
            Method::GET | Method::HEAD => Ok(Route::SourceList),
            _ => Err(not_allowed(method, "GET, HEAD, POST")),
        },
        ["sources", id] => {
            let id = crate::scm::parse_source_id(id)?;
            match *method {
                Method::GET | Method::HEAD => Ok(Route::Source(id)),
                Method::DELETE => Ok(Route::SourceDelete(id)),
                _ => Err(not_allowed(method, "GET, HEAD, DELETE")),
            }
        }
        ["sources", id, "sync"] => post(method, Route::SourceSync(crate::scm::parse_source_id(id)?)),
        ["pins"] => read(method, Route::PinList),
        ["pins", "providers", ns, ty] => match *method {
            Method::POST => Ok(Route::ProviderPin(ProviderAddress::local(ns, ty)?, None)),
            _ => Err(not_allowed(method, "POST")),
        },
        ["pins", "providers", ns, ty, version] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            match *method {
                Method::POST => Ok(Route::ProviderPin(addr, Some(version))),
                Method::DELETE => Ok(Route::ProviderUnpin(addr, version)),
                _ => Err(not_allowed(method, "POST, DELETE")),
            }
        }
        ["pins", ns, name, system] => match *method {
            Method::POST => Ok(Route::ModulePin(module(ns, name, system)?, None)),
            _ => Err(not_allowed(method, "POST")),
        },
        ["pins", ns, name, system, version] => {
            let (addr, version) = (module(ns, name, system)?, Version::parse(version)?);
            match *method {
                Method::POST => Ok(Route::ModulePin(addr, Some(version))),
                Method::DELETE => Ok(Route::ModuleUnpin(addr, version)),
                _ => Err(not_allowed(method, "POST, DELETE")),
            }
        }
        ["uploads"] => match *method {
            Method::POST => Ok(Route::UploadCreate),
            _ => Err(not_allowed(method, "POST")),
        },
        ["uploads", id] => {
            let id = crate::types::parse_upload_id(id)?;
            match *method {
                Method::GET | Method::HEAD => Ok(Route::UploadStatus(id)),
                Method::PUT => Ok(Route::UploadData(id)),
                Method::DELETE => Ok(Route::UploadDelete(id)),
                _ => Err(not_allowed(method, "GET, HEAD, PUT, DELETE")),
            }
        }
        ["keys"] => match *method {
            Method::POST => Ok(Route::KeyAdd),
            Method::GET | Method::HEAD => Ok(Route::KeyList),
            _ => Err(not_allowed(method, "GET, HEAD, POST")),
        },
        ["providers"] | ["providers", ""] => read(method, Route::ProviderCatalogue),
        ["providers", "search"] => read(method, Route::ProviderSearch),
        ["providers", ns] => read(method, Route::NamespaceProviders(Name::parse(ns, "namespace")?)),
        ["providers", ns, ty] => read(method, Route::Provider(ProviderAddress::local(ns, ty)?)),
        ["providers", ns, ty, "versions"] => {
            read(method, Route::ProviderVersions(ProviderAddress::local(ns, ty)?))
        }
        ["providers", ns, ty, version] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            match *method {
                Method::GET | Method::HEAD => Ok(Route::ProviderVersion(addr, version)),
                Method::DELETE => Ok(Route::ProviderLifecycle(addr, version, Step::Delete)),
                _ => Err(not_allowed(method, "GET, HEAD, DELETE")),
            }
        }
        ["providers", ns, ty, version, mark @ ("deprecation" | "yank")] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            Ok(Route::ProviderLifecycle(addr, version, marking(method, mark)?))
        }
        ["providers", ns, ty, version, "docs"] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            match *method {
                Method::GET | Method::HEAD => Ok(Route::ProviderDocs(addr, version)),
                Method::PUT => Ok(Route::ProviderDocsUpload(addr, version)),
                _ => Err(not_allowed(method, "GET, HEAD, PUT")),
            }
        }
        ["providers", ns, ty, version, "docs", category, slug] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            let page = |s: &str| crate::types::address::truncate(s).to_owned();
            read(method, Route::ProviderDocPage(addr, version, page(category), page(slug)))
        }
        ["providers", ns, ty, version, "shasums"] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            match *method {
                Method::PUT => Ok(Route::ProviderShaSums(addr, version)),
                _ => Err(not_allowed(method, "PUT")),
            }
        }
        ["providers", ns, ty, version, os, arch] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            let platform = Platform::new(os, arch)?;
            match *method {
                Method::PUT => Ok(Route::ProviderUpload(addr, version, platform)),
                _ => Err(not_allowed(method, "PUT")),
            }
        }
        ["providers", ns, ty, version, "download", os, arch] => {
            let (addr, version) = (ProviderAddress::local(ns, ty)?, Version::parse(version)?);
            let platform = Platform::new(os, arch)?;
            read(method, Route::ProviderDownload(addr, version, platform))
        }
        ["archives", "providers", host, ns, ty, version, file] => {
            let addr = ProviderAddress::on_host(host, ns, ty)?;
            let version = Version::parse(version)?;
            let file = ProviderFile::parse(file).ok_or_else(|| not_found(path))?;
            read(method, Route::ProviderFile(addr, version, file))
        }
        ["mirror", host, ns, ty, "index.json"] => {
            read(method, Route::MirrorIndex(ProviderAddress::on_host(host, ns, ty)?))
        }
        ["mirror", host, ns, ty, file] => {
            let version = file.strip_suffix(".json").ok_or_else(|| not_found(path))?;
            let version = Version::parse(version)?;
            read(method, Route::MirrorVersion(ProviderAddress::on_host(host, ns, ty)?, version))
        }
        ["archives", "modules", ns, name, system, version, file] => {
            let addr = module(ns, name, system)?;
            let version = Version::parse(version)?;
            let sha256 = file
                .strip_suffix(".tar.gz")
                .filter(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
                .ok_or_else(|| not_found(path))?;
            read(method, Route::ModuleArchive { addr, version, sha256: sha256.to_owned() })
        }
        _ => Err(not_found(path)),
    }
}

/// The routes of the OCI distribution API, below `/v2/`: reads, and pushes to the registry's
/// own providers and modules (`mirror/` repositories are read-only).
fn oci_route(method: &Method, rest: &str) -> Result<Route> {
    const MANIFEST: &str = "GET, HEAD, PUT";
    const UPLOAD: &str = "GET, HEAD, PATCH, PUT, DELETE";
    let parts: Vec<&str> = rest.split('/').collect();
    // A repository pushed to: `mirror/` ones are only read.
    let pushed = |repo: &[&str], allowed: &'static str| -> Result<Repository> {
        let repo = Repository::parse(repo)?;
        let reading = *method == Method::GET || *method == Method::HEAD;
        if matches!(repo, Repository::Mirror(_)) && !reading {
            return Err(not_allowed(method, READ));
        }
        allow(method, allowed)?;
        Ok(repo)
    };
    match parts.as_slice() {
        [""] => read(method, Route::OciVersion),
        ["token"] => read(method, Route::OciToken),
        [repo @ .., "tags", "list"] if !repo.is_empty() => {
            read(method, Route::OciTags(Repository::parse(repo)?))
        }
        [repo @ .., "blobs", "uploads"] | [repo @ .., "blobs", "uploads", ""] if !repo.is_empty() => {
            Ok(Route::OciUploadOpen(pushed(repo, "POST")?))
        }
        [repo @ .., "blobs", "uploads", id] if !repo.is_empty() => {
            let repo = pushed(repo, UPLOAD)?;
            let id = crate::types::parse_upload_id(id).map_err(|_| {
                Error::oci(
                    crate::oci::ErrorCode::BlobUploadUnknown,
                    format!(
                        "no blob upload {:?}: open one with POST /v2/{repo}/blobs/uploads/",
                        crate::types::truncate(id)
                    ),
                )
            })?;
            Ok(Route::OciUpload(repo, id))
        }
        [repo @ .., "manifests", reference] if !repo.is_empty() => {
            let repo = pushed(repo, MANIFEST)?;
            let reference = Reference::parse(reference)?;
            Ok(match *method {
                Method::PUT => Route::OciManifestPush(repo, reference),
                _ => Route::OciManifest(repo, reference),
            })
        }
        [repo @ .., "blobs", digest] if !repo.is_empty() => {
            read(method, Route::OciBlob(Repository::parse(repo)?, Digest::parse(digest)?))
        }
        _ => Err(Error::oci(
            crate::oci::ErrorCode::NameUnknown,
            format!(
                "no such endpoint of the OCI distribution API: /v2/{}",
                crate::types::address::truncate(rest)
            ),
        )),
    }
}

/// `Ok` when `method` is one of `allowed` (a `GET` allows a `HEAD`), else 405 with `Allow`.
fn allow(method: &Method, allowed: &'static str) -> Result<()> {
    let listed = allowed.split(", ").any(|m| m == method.as_str());
    if listed || (*method == Method::HEAD && allowed.contains("GET")) {
        Ok(())
    } else {
        Err(not_allowed(method, allowed))
    }
}

/// Deprecating and yanking are for a namespace's publishers; deleting is for the master.
fn lifecycle_access(step: Step, namespace: &str) -> Access<'_> {
    match step {
        Step::Delete => Access::Authorized(Action::Administer),
        _ => Access::Authorized(Action::Publish { namespace }),
    }
}

/// The step of `PUT` (mark) or `DELETE` (unmark) on `.../deprecation` or `.../yank`.
fn marking(method: &Method, mark: &str) -> Result<Step> {
    match (method, mark) {
        (&Method::PUT, "deprecation") => Ok(Step::Deprecate),
        (&Method::DELETE, "deprecation") => Ok(Step::Undeprecate),
        (&Method::PUT, _) => Ok(Step::Yank),
        (&Method::DELETE, _) => Ok(Step::Unyank),
        _ => Err(not_allowed(method, "PUT, DELETE")),
    }
}

/// Reading a namespace.
fn reader(namespace: &str) -> Access<'_> {
    Access::Authorized(Action::Read { namespace })
}

fn pin_target(addr: &impl std::fmt::Display, version: Option<&Version>) -> String {
    match version {
        Some(version) => format!("{addr}/{version}"),
        None => format!("{addr} (by constraint)"),
    }
}

fn module(ns: &str, name: &str, system: &str) -> Result<ModuleAddress> {
    ModuleAddress::parse(ns, name, system)
}

fn read(method: &Method, route: Route) -> Result<Route> {
    match *method {
        Method::GET | Method::HEAD => Ok(route),
        _ => Err(not_allowed(method, READ)),
    }
}

/// `route` for a `POST`, 405 for any other method.
fn post(method: &Method, route: Route) -> Result<Route> {
    match *method {
        Method::POST => Ok(route),
        _ => Err(not_allowed(method, "POST")),
    }
}

fn not_allowed(method: &Method, allowed: &'static str) -> Error {
    Error::MethodNotAllowed { method: method.to_string(), allowed }
}

fn not_found(path: &str) -> Error {
    Error::not_found(format!(
        "no such endpoint: {:?}; see /.well-known/terraform.json",
        crate::types::address::truncate(path)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn status(method: Method, path: &str) -> StatusCode {
        route(&method, path).err().map(|e| e.status()).unwrap_or(StatusCode::OK)
    }

    #[test]
    fn routes_upload_sessions() {
        let id = "0123456789abcdef0123456789abcdef";
        let path = format!("/v1/uploads/{id}");
        assert_eq!(route(&Method::POST, "/v1/uploads").unwrap(), Route::UploadCreate);
        assert_eq!(route(&Method::PUT, &path).unwrap(), Route::UploadData(id.into()));
        assert_eq!(route(&Method::GET, &path).unwrap(), Route::UploadStatus(id.into()));
        assert_eq!(route(&Method::DELETE, &path).unwrap(), Route::UploadDelete(id.into()));
        assert_eq!(status(Method::GET, "/v1/uploads"), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(status(Method::PATCH, &path), StatusCode::METHOD_NOT_ALLOWED);
        for bad in ["/v1/uploads/..", "/v1/uploads/0123456789ABCDEF0123456789ABCDEF", "/v1/uploads/abc"] {
            assert_eq!(status(Method::PUT, bad), StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(status(Method::PUT, &format!("{path}/x")), StatusCode::NOT_FOUND);
    }

    #[test]
    fn routes_the_module_protocol() {
        let addr = ModuleAddress::parse("acme", "vpc", "aws").unwrap();
        let v = Version::parse("1.2.0").unwrap();
        let cases = [
            (Method::GET, "/.well-known/terraform.json", Route::Discovery),
            (Method::GET, "/v1/modules/acme/vpc/aws/versions", Route::ModuleVersions(addr.clone())),
            (Method::HEAD, "/v1/modules/acme/vpc/aws/versions", Route::ModuleVersions(addr.clone())),
            (Method::GET, "/v1/modules/acme/vpc/aws", Route::Module(addr.clone())),
            (Method::GET, "/v1/modules/acme/vpc/aws/download", Route::ModuleLatestDownload(addr.clone())),
            (
                Method::GET,
                "/v1/modules/acme/vpc/aws/1.2.0/download",
                Route::ModuleDownload(addr.clone(), v.clone()),
            ),
            (
                Method::GET,
                "/v1/modules/acme/vpc/aws/v1.2/download",
                Route::ModuleDownload(addr.clone(), v.clone()),
            ),
            (Method::PUT, "/v1/modules/acme/vpc/aws/1.2.0", Route::ModuleUpload(addr.clone(), v.clone())),
            (Method::GET, "/v1/modules/acme/vpc/aws/1.2.0", Route::ModuleVersion(addr.clone(), v.clone())),
            (
                Method::POST,
                "/v1/modules/acme/vpc/aws/1.2.0/external",
                Route::ModuleExternal(addr.clone(), v.clone()),
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(&method, path).unwrap(), expected, "{method} {path}");
        }
        let sha = "a".repeat(64);
        let archive = format!("/v1/archives/modules/acme/vpc/aws/1.2.0/{sha}.tar.gz");
        assert_eq!(
            route(&Method::GET, &archive).unwrap(),
            Route::ModuleArchive { addr, version: v, sha256: sha }
        );
    }

    #[test]
    fn routes_lifecycle_changes() {
        let addr = ModuleAddress::parse("acme", "vpc", "aws").unwrap();
        let provider = ProviderAddress::local("acme", "null").unwrap();
        let v = Version::parse("1.2.0").unwrap();
        let cases = [
            (
                Method::PUT,
                "/v1/modules/acme/vpc/aws/1.2.0/deprecation",
                Route::ModuleLifecycle(addr.clone(), v.clone(), Step::Deprecate),
            ),
            (
                Method::DELETE,
                "/v1/modules/acme/vpc/aws/1.2.0/deprecation",
                Route::ModuleLifecycle(addr.clone(), v.clone(), Step::Undeprecate),
            ),
            (
                Method::PUT,
                "/v1/modules/acme/vpc/aws/1.2.0/yank",
                Route::ModuleLifecycle(addr.clone(), v.clone(), Step::Yank),
            ),
            (
                Method::DELETE,
                "/v1/modules/acme/vpc/aws/1.2.0/yank",
                Route::ModuleLifecycle(addr.clone(), v.clone(), Step::Unyank),
            ),
            (
                Method::DELETE,
                "/v1/modules/acme/vpc/aws/1.2.0",
                Route::ModuleLifecycle(addr.clone(), v.clone(), Step::Delete),
            ),
            (
                Method::PUT,
                "/v1/providers/acme/null/1.2.0/deprecation",
                Route::ProviderLifecycle(provider.clone(), v.clone(), Step::Deprecate),
            ),
            (
                Method::DELETE,
                "/v1/providers/acme/null/1.2.0/yank",
                Route::ProviderLifecycle(provider.clone(), v.clone(), Step::Unyank),
            ),
            (
                Method::DELETE,
                "/v1/providers/acme/null/1.2.0",
                Route::ProviderLifecycle(provider.clone(), v.clone(), Step::Delete),
            ),
        ];
        for (method, path, expected) in cases {
            let route = route(&method, path).unwrap();
            let (access, audit) = route.policy();
            let delete =
                method == Method::DELETE && !path.ends_with("deprecation") && !path.ends_with("yank");
            assert_eq!(access == Access::Authorized(Action::Administer), delete, "{method} {path}");
            assert!(audit.is_some_and(|a| a.target.as_deref()
                == Some(if path.contains("providers") { "acme/null/1.2.0" } else { "acme/vpc/aws/1.2.0" })));
            assert_eq!(route, expected, "{method} {path}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert_eq!(status(Method::GET, "/"), StatusCode::NOT_FOUND);
        assert_eq!(status(Method::GET, "/v1/modules/acme/vpc/aws/versions/"), StatusCode::NOT_FOUND);
        assert_eq!(status(Method::GET, "/v2/modules/acme/vpc/aws/versions"), StatusCode::NOT_FOUND);
        assert_eq!(status(Method::POST, "/v1/modules/acme/vpc/aws/versions"), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(status(Method::PATCH, "/v1/modules/acme/vpc/aws/1.0.0"), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            status(Method::GET, "/v1/modules/acme/vpc/aws/1.0.0/yank"),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(status(Method::PUT, "/v1/providers/acme/null/1.0.0/retire"), StatusCode::NOT_FOUND);
        assert_eq!(status(Method::GET, "/v1/modules/ac..me/vpc/aws/versions"), StatusCode::BAD_REQUEST);
        assert_eq!(status(Method::GET, "/v1/modules/acme/vpc/AWS/versions"), StatusCode::BAD_REQUEST);
        assert_eq!(status(Method::PUT, "/v1/modules/acme/vpc/aws/1.2.x"), StatusCode::BAD_REQUEST);
        assert_eq!(
            status(Method::GET, "/v1/archives/modules/acme/vpc/aws/1.0.0/zz.tar.gz"),
            StatusCode::NOT_FOUND
        );
    }
}
