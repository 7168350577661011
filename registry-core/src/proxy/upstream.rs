//! The upstream registry of a pull-through proxy: found by its own service discovery, asked for
//! what is not hosted here, with its metadata cached for a TTL and served stale when it fails.
//!
//! The HTTP client is a trait ([`UpstreamClient`]) so the core carries no HTTP stack; the
//! server implements it with `reqwest` (system trust store plus `SSL_CERT_FILE`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::OnceCell;

use crate::Error;

use crate::Result;

/// What an upstream answered.
#[derive(Clone, Debug)]
pub struct UpstreamResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Terraform-Get` header, if any.
    pub terraform_get: Option<String>,
    /// The body.
    pub body: Bytes,
}

/// Why an upstream request failed before an answer came.
#[derive(Clone, Debug, thiserror::Error)]
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
    cache: Mutex<HashMap<String, (Instant, Bytes)>>,
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
        Ok(Self { client, config, base, host, services: OnceCell::new(), cache: Mutex::new(HashMap::new()) })
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
                let body = self.fetch_json(&url).await?;
                let json: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| upstream_error(format!("its service discovery is not JSON: {e}")))?;
                let service = |key: &str| {
                    json[key].as_str().map(|v| {
                        let resolved = resolve(&url, v);
                        if resolved.ends_with('/') {
                            resolved
                        } else {
                            format!("{resolved}/")
                        }
                    })
                };
                Ok(Services {
                    modules: service("modules.v1").unwrap_or_default(),
                    providers: service("providers.v1").unwrap_or_default(),
                })
            })
            .await
    }

    /// The module API's base URL.
    pub async fn modules_url(&self) -> Result<String> {
        let services = self.services().await?;
        if services.modules.is_empty() {
            return Err(upstream_error(format!("{} offers no module registry", self.base)));
        }
        Ok(services.modules.clone())
    }

    /// The provider API's base URL.
    pub async fn providers_url(&self) -> Result<String> {
        let services = self.services().await?;
        if services.providers.is_empty() {
            return Err(upstream_error(format!("{} offers no provider registry", self.base)));
        }
        Ok(services.providers.clone())
    }

    /// A JSON document from the upstream API, cached for the TTL; when the upstream fails, the
    /// last good answer is served however old it is.
    pub async fn cached_json(&self, url: &str) -> Result<Bytes> {
        let cached = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(url).cloned();
        if let Some((at, body)) = &cached {
            if at.elapsed() < self.config.ttl {
                return Ok(body.clone());
            }
        }
        match self.fetch_json(url).await {
            Ok(body) => {
                self.cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(url.to_owned(), (Instant::now(), body.clone()));
                Ok(body)
            }
            Err(err) if err.status().is_server_error() => match cached {
                Some((_, body)) => {
                    tracing::warn!(%url, error = %err, "upstream failed; serving a stale cached answer");
                    Ok(body)
                }
                None => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// `GET` from the upstream API (with its token): the body of a 200, 404 for a 404, 502 or
    /// 504 for everything else.
    pub async fn fetch_json(&self, url: &str) -> Result<Bytes> {
        let response = self.get(url, true).await?;
        Ok(response.body)
    }

    /// `GET url` (with the upstream token when `api`), mapping failures to 404/502/504.
    pub async fn get(&self, url: &str, api: bool) -> Result<UpstreamResponse> {
        let token = if api { self.config.token.as_deref() } else { None };
        let response = self.client.get(url, token).await.map_err(|err| match err {
            UpstreamError::Timeout(what) => Error::Upstream {
                message: format!("{} did not answer in time: {what}", self.base),
                timeout: true,
            },
            UpstreamError::Unreachable(what) => {
                upstream_error(format!("{} is unreachable: {what}", self.base))
            }
        })?;
        match response.status {
            200..=299 => Ok(response),
            404 => Err(Error::not_found(format!("not found here nor at the upstream {}", self.base))),
            401 | 403 => Err(upstream_error(format!(
                "{} refused the proxy ({}); check the upstream token",
                self.base, response.status
            ))),
            status => Err(upstream_error(format!("{} answered {status}", self.base))),
        }
    }
}

fn upstream_error(message: String) -> Error {
    Error::Upstream { message, timeout: false }
}

/// Resolves `reference` against `base` as a browser would, for the forms registries use:
/// absolute URLs, absolute paths, and relative paths (with `./` and `../`).
pub fn resolve(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let path = path.split(['?', '#']).next().unwrap_or("");
    if let Some(absolute) = reference.strip_prefix('/') {
        if reference.starts_with("//") {
            return format!("{scheme}:{reference}");
        }
        return format!("{scheme}://{authority}/{absolute}");
    }
    let (reference, suffix) = match reference.find(['?', '#']) {
        Some(i) => reference.split_at(i),
        None => (reference, ""),
    };
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop(); // the last segment of the base is replaced
    for part in reference.split('/') {
        match part {
            "." => {}
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            other => segments.push(other),
        }
    }
    let mut joined = segments.join("/");
    if !joined.starts_with('/') {
        joined.insert(0, '/');
    }
    format!("{scheme}://{authority}{joined}{suffix}")
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
    }
}
