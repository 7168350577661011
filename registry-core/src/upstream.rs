//! The upstream registry of a pull-through proxy: found by its own service discovery, asked for
//! what is not hosted here, with its metadata cached for a TTL and served stale when it fails.
//! Answers come back as the typed documents of [`crate::protocol`], every body read within a
//! size limit.
//!
//! The HTTP client is a trait ([`UpstreamClient`]) so the core carries no HTTP stack; the
//! server implements it with `reqwest` (system trust store plus `SSL_CERT_FILE`).

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use crate::clock::SharedClock;
use crate::protocol::{Discovery, ModuleVersions, ProviderDownload, ProviderVersions};
use crate::types::{ModuleAddress, Platform, ProviderAddress, Version};
use crate::{Error, Result};

/// The largest JSON document read from an upstream.
const MAX_DOCUMENT_BYTES: u64 = 8 << 20;

/// How many upstream documents are kept for stale serving.
const CACHE_CAPACITY: u64 = 10_000;

/// What an upstream answered, read whole.
#[derive(Clone, Debug)]
pub struct UpstreamResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Terraform-Get` header, if any.
    pub terraform_get: Option<String>,
    /// The body.
    pub body: Bytes,
}

/// A body from an upstream, chunk by chunk.
pub type UpstreamBody = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, UpstreamError>> + Send>>;

/// What an upstream answered, with the body still to be read.
pub struct UpstreamStream {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Terraform-Get` header, if any.
    pub terraform_get: Option<String>,
    /// The body.
    pub body: UpstreamBody,
}

impl std::fmt::Debug for UpstreamStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamStream").field("status", &self.status).finish_non_exhaustive()
    }
}

/// Why an upstream request failed before an answer came.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// No answer in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// No connection, TLS failure, or a broken answer.
    #[error("{0}")]
    Unreachable(String),
}

/// Makes plain `GET` requests to the upstream.
#[async_trait]
pub trait UpstreamClient: Send + Sync + std::fmt::Debug + 'static {
    /// `GET url`, with `Authorization: Bearer` when `token` is given. Follows redirects.
    async fn get(
        &self,
        url: &str,
        token: Option<&str>,
    ) -> std::result::Result<UpstreamResponse, UpstreamError>;

    /// `GET url` with the body as a stream, so large packages never sit in memory whole. The
    /// default reads the body with [`UpstreamClient::get`]; clients override it to stream.
    async fn get_stream(
        &self,
        url: &str,
        token: Option<&str>,
    ) -> std::result::Result<UpstreamStream, UpstreamError> {
        let response = self.get(url, token).await?;
        let mut body = Some(response.body);
        let once = once_body(move || body.take());
        Ok(UpstreamStream { status: response.status, terraform_get: response.terraform_get, body: once })
    }
}

/// A stream of the one chunk `next` gives.
fn once_body(next: impl FnMut() -> Option<Bytes> + Send + Unpin + 'static) -> UpstreamBody {
    struct Once<F>(F);
    impl<F: FnMut() -> Option<Bytes> + Unpin> Stream for Once<F> {
        type Item = std::result::Result<Bytes, UpstreamError>;
        fn poll_next(
            mut self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready((self.0)().map(Ok))
        }
    }
    Box::pin(Once(next))
}

/// How the proxy reaches its upstream and what it may take from it.
#[derive(Clone, Debug)]
pub struct UpstreamConfig {
    /// The upstream's base URL (`https://registry.terraform.io`).
    pub url: String,
    /// A token for the upstream's API (never sent to archive locations).
    pub token: Option<String>,
    /// Prefixes of `namespace/name` (modules) or `namespace/type` (providers) that may be
    /// proxied; empty allows all.
    pub allow: Vec<String>,
    /// Prefixes that may not be proxied; deny wins over allow.
    pub deny: Vec<String>,
    /// How long upstream metadata is cached (default 5 minutes).
    pub ttl: Duration,
}

impl UpstreamConfig {
    /// A configuration for `url` with no token, no policy and the default TTL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: None,
            allow: Vec::new(),
            deny: Vec::new(),
            ttl: Duration::from_secs(300),
        }
    }
}

#[derive(Debug)]
struct Services {
    modules: String,
    providers: String,
}

/// The upstream registry.
#[derive(Debug)]
pub struct Upstream {
    client: Arc<dyn UpstreamClient>,
    config: UpstreamConfig,
    base: String,
    host: String,
    services: OnceCell<Services>,
    /// Documents by URL with when they were fetched (milliseconds by the clock): fresh for the
    /// TTL, and served however old when the upstream fails.
    cache: moka::sync::Cache<String, (u64, Bytes)>,
    pub(crate) clock: SharedClock,
}

impl Upstream {
    /// An upstream reached through `client`.
    pub fn new(client: Arc<dyn UpstreamClient>, config: UpstreamConfig) -> Result<Self> {
        let base = config.url.trim_end_matches('/').to_owned();
        let host = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .ok_or_else(|| {
                Error::bad_request(format!("the upstream {base:?} must be an https:// URL without a path"))
            })?
            .to_ascii_lowercase();
        Ok(Self {
            client,
            config,
            base,
            host,
            services: OnceCell::new(),
            cache: moka::sync::Cache::new(CACHE_CAPACITY),
            clock: crate::clock::system(),
        })
    }

    /// The upstream's host name (`registry.terraform.io`), as provider addresses name it.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// 404 with the policy's reason unless `path` (`namespace/name` or `namespace/type`) may be
    /// proxied. Deny wins; with no allow list everything not denied is allowed.
    pub fn check_policy(&self, path: &str) -> Result<()> {
        let path = path.to_ascii_lowercase();
        let matches = |prefix: &String| path.starts_with(&prefix.to_ascii_lowercase());
        let denied = self.config.deny.iter().any(matches);
        let allowed = self.config.allow.is_empty() || self.config.allow.iter().any(matches);
        if denied || !allowed {
            return Err(Error::not_found(format!(
                "{path} is not hosted here, and proxying it from {} is not allowed by policy",
                self.base
            )));
        }
        Ok(())
    }

    async fn services(&self) -> Result<&Services> {
        self.services
            .get_or_try_init(|| async {
                let url = format!("{}/.well-known/terraform.json", self.base);
                let discovery: Discovery = parse(&url, &self.fetch(&url, true, MAX_DOCUMENT_BYTES).await?)?;
                let service = |value: Option<String>| {
                    value.map(|v| {
                        let resolved = resolve(&url, &v);
                        if resolved.ends_with('/') {
                            resolved
                        } else {
                            format!("{resolved}/")
                        }
                    })
                };
                Ok(Services {
                    modules: service(discovery.modules_v1).unwrap_or_default(),
                    providers: service(discovery.providers_v1).unwrap_or_default(),
                })
            })
            .await
    }

    /// The module API's base URL.
    pub async fn modules_url(&self) -> Result<String> {
        let services = self.services().await?;
        if services.modules.is_empty() {
            return Err(Error::upstream(format!("{} offers no module registry", self.base)));
        }
        Ok(services.modules.clone())
    }

    /// The provider API's base URL.
    pub async fn providers_url(&self) -> Result<String> {
        let services = self.services().await?;
        if services.providers.is_empty() {
            return Err(Error::upstream(format!("{} offers no provider registry", self.base)));
        }
        Ok(services.providers.clone())
    }

    /// The upstream's version list of a module (policy checked, cached).
    pub async fn module_versions(&self, addr: &ModuleAddress) -> Result<ModuleVersions> {
        self.check_policy(&format!("{}/{}", addr.namespace.key(), addr.name.key()))?;
        let url = format!("{}{addr}/versions", self.modules_url().await?);
        parse(&url, &self.cached(&url).await?)
    }

    /// The versions the upstream lists for a module, parsed (unparseable ones skipped).
    pub async fn module_version_list(&self, addr: &ModuleAddress) -> Result<Vec<Version>> {
        let listed = self.module_versions(addr).await?;
        Ok(listed
            .modules
            .iter()
            .take(1)
            .flat_map(|m| m.versions.iter())
            .filter_map(|v| Version::parse(&v.version).ok())
            .collect())
    }

    /// Where the upstream keeps a module version's archive, as an absolute URL.
    pub async fn module_location(&self, addr: &ModuleAddress, version: &Version) -> Result<String> {
        self.check_policy(&format!("{}/{}", addr.namespace.key(), addr.name.key()))?;
        let url = format!("{}{addr}/{version}/download", self.modules_url().await?);
        let answer = self.open(&url, true).await?;
        let location = match answer.terraform_get {
            Some(location) => location,
            None => {
                let body = read_limited(answer.body, MAX_DOCUMENT_BYTES, &url).await?;
                serde_json::from_slice::<crate::protocol::DownloadLocation>(&body)
                    .map(|d| d.location)
                    .map_err(|e| {
                        Error::upstream_with(format!("the upstream gave no location for {addr} {version}"), e)
                    })?
            }
        };
        Ok(resolve(&url, &location))
    }

    /// The upstream's versions of a provider (policy checked): cached, or fetched afresh when
    /// `fresh` (pins want what the upstream says now).
    pub async fn provider_versions(&self, addr: &ProviderAddress, fresh: bool) -> Result<ProviderVersions> {
        self.check_policy(&format!("{}/{}", addr.namespace.key(), addr.r#type))?;
        let url = format!("{}{}/{}/versions", self.providers_url().await?, addr.namespace, addr.r#type);
        let body =
            if fresh { self.fetch(&url, true, MAX_DOCUMENT_BYTES).await? } else { self.cached(&url).await? };
        parse(&url, &body)
    }

    /// The upstream's download description of one package, with its links made absolute
    /// (policy checked; cached unless `fresh`).
    pub async fn provider_download(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        platform: &Platform,
        fresh: bool,
    ) -> Result<ProviderDownload> {
        self.check_policy(&format!("{}/{}", addr.namespace.key(), addr.r#type))?;
        let url = format!(
            "{}{}/{}/{version}/download/{}/{}",
            self.providers_url().await?,
            addr.namespace,
            addr.r#type,
            platform.os,
            platform.arch
        );
        let body =
            if fresh { self.fetch(&url, true, MAX_DOCUMENT_BYTES).await? } else { self.cached(&url).await? };
        let mut download: ProviderDownload = parse(&url, &body)?;
        for link in
            [&mut download.download_url, &mut download.shasums_url, &mut download.shasums_signature_url]
        {
            *link = resolve(&url, link);
        }
        Ok(download)
    }

    /// A document from the upstream API, cached for the TTL; when the upstream fails, the last
    /// good answer is served however old it is.
    async fn cached(&self, url: &str) -> Result<Bytes> {
        let now = self.clock.now_millis();
        let cached = self.cache.get(url);
        if let Some((at, body)) = &cached {
            if now.saturating_sub(*at) < self.config.ttl.as_millis() as u64 {
                crate::observe::upstream_cache("hit");
                return Ok(body.clone());
            }
        }
        crate::observe::upstream_cache("miss");
        match self.fetch(url, true, MAX_DOCUMENT_BYTES).await {
            Ok(body) => {
                self.cache.insert(url.to_owned(), (now, body.clone()));
                Ok(body)
            }
            Err(err) if err.status().is_server_error() => match cached {
                Some((_, body)) => {
                    tracing::warn!(%url, error = %err, "upstream failed; serving a stale cached answer");
                    crate::observe::upstream_cache("stale");
                    Ok(body)
                }
                None => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// `GET url` (with the upstream token when `api`), its body read whole up to `limit`
    /// bytes (502 beyond).
    pub async fn fetch(&self, url: &str, api: bool, limit: u64) -> Result<Bytes> {
        let answer = self.open(url, api).await?;
        read_limited(answer.body, limit, url).await
    }

    /// `GET url` (with the upstream token when `api`), mapping failures to 404/502/504; the
    /// body is left to read.
    pub async fn open(&self, url: &str, api: bool) -> Result<UpstreamStream> {
        let result = self.open_unmeasured(url, api).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(err) if err.status() == http::StatusCode::NOT_FOUND => "not_found",
            Err(err) if err.status() == http::StatusCode::GATEWAY_TIMEOUT => "timeout",
            Err(_) => "failed",
        };
        crate::observe::upstream_request(outcome);
        result
    }

    async fn open_unmeasured(&self, url: &str, api: bool) -> Result<UpstreamStream> {
        let token = if api { self.config.token.as_deref() } else { None };
        let response = self.client.get_stream(url, token).await.map_err(|err| {
            let timeout = matches!(err, UpstreamError::Timeout(_));
            let message = match &err {
                UpstreamError::Timeout(what) => format!("{} did not answer in time: {what}", self.base),
                UpstreamError::Unreachable(what) => format!("{} is unreachable: {what}", self.base),
            };
            Error::Upstream { message, timeout, source: Some(Box::new(err)) }
        })?;
        match response.status {
            200..=299 => Ok(response),
            404 => Err(Error::not_found(format!("not found here nor at the upstream {}", self.base))),
            401 | 403 => Err(Error::upstream(format!(
                "{} refused the proxy ({}); check the upstream token",
                self.base, response.status
            ))),
            status => Err(Error::upstream(format!("{} answered {status}", self.base))),
        }
    }
}

/// Reads an upstream body whole, refusing it past `limit` bytes.
pub(crate) async fn read_limited(mut body: UpstreamBody, limit: u64, url: &str) -> Result<Bytes> {
    let mut out = BytesMut::new();
    while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let chunk = chunk?;
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(Error::upstream(format!("{url} answered with more than {limit} bytes")));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// An upstream document of type `T`, or a 502 naming what was wrong with it.
fn parse<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        Error::upstream_with(format!("{url} answered with a document that does not fit the protocol"), e)
    })
}

/// Resolves `reference` against `base` as a browser would (absolute URLs, absolute paths, and
/// relative paths with `./` and `../`); a base that is not a URL leaves `reference` as it is.
pub fn resolve(base: &str, reference: &str) -> String {
    match url::Url::parse(base).and_then(|base| base.join(reference)) {
        Ok(url) => url.into(),
        Err(_) => reference.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn resolves_the_forms_registries_use() {
        let base = "https://up.example/v1/modules/a/b/c/1.0.0/download";
        assert_eq!(resolve(base, "https://cdn.example/x.tgz"), "https://cdn.example/x.tgz");
        assert_eq!(
            resolve(base, "/v1/archives/x.tar.gz?sig=1"),
            "https://up.example/v1/archives/x.tar.gz?sig=1"
        );
        assert_eq!(resolve(base, "./x.tar.gz"), "https://up.example/v1/modules/a/b/c/1.0.0/x.tar.gz");
        assert_eq!(resolve(base, "../x.zip"), "https://up.example/v1/modules/a/b/c/x.zip");
        assert_eq!(
            resolve("https://up.example/.well-known/terraform.json", "/v1/modules/"),
            "https://up.example/v1/modules/"
        );
        assert_eq!(
            resolve("https://up.example:8443/.well-known/terraform.json", "v1/"),
            "https://up.example:8443/.well-known/v1/"
        );
        assert_eq!(resolve(base, "//cdn.example/y.zip"), "https://cdn.example/y.zip");
    }
}
