//! The request context: what every handler may need to know about a request, computed once.

use http::request::Parts;
use http::{HeaderMap, Method};

use crate::auth::Principal;
use crate::http::query::Query;

/// One request as the registry sees it: method, path relative to the base path, decoded query,
/// headers, the host it was addressed to (with its port), the scheme, and who is asking.
#[derive(Debug)]
pub struct RequestContext {
    /// The method.
    pub method: Method,
    /// The path relative to where the registry is mounted (starting with `/`).
    pub path: String,
    /// The raw query string, for checking signatures over it.
    pub raw_query: Option<String>,
    /// The decoded query.
    pub query: Query,
    /// The request headers.
    pub headers: HeaderMap,
    /// `host[:port]` the request was addressed to: the `Host` header (HTTP/1.1) or the URI's
    /// authority (HTTP/2's `:authority`), port included.
    pub host: Option<String>,
    /// `https` or `http`: `X-Forwarded-Proto` when a proxy in front set it, else the URI's
    /// scheme, else `https` (Terraform only talks to registries over TLS).
    pub scheme: &'static str,
    /// Who is asking, once authenticated.
    pub principal: Option<Principal>,
}

impl RequestContext {
    /// The context of a request with these parts, whose path relative to the base path is
    /// `path`.
    pub fn new(parts: &Parts, path: &str) -> Self {
        Self::from_head(&parts.method, &parts.uri, parts.headers.clone(), path)
    }

    /// The context of a request, taking its parts (no copy of the headers).
    pub fn from_parts(parts: Parts, path: &str) -> Self {
        let Parts { method, uri, headers, .. } = parts;
        Self::from_head(&method, &uri, headers, path)
    }

    fn from_head(method: &Method, uri: &http::Uri, headers: HeaderMap, path: &str) -> Self {
        Self {
            method: method.clone(),
            path: path.to_owned(),
            raw_query: uri.query().map(str::to_owned),
            query: Query::parse(uri.query()),
            host: host(&headers, uri),
            scheme: scheme(&headers, uri),
            headers,
            principal: None,
        }
    }

    /// `scheme://host` of the request, when it named a host.
    pub fn origin(&self) -> Option<String> {
        self.host.as_ref().map(|host| format!("{}://{host}", self.scheme))
    }

    /// A header's value as text.
    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the method is `HEAD`.
    pub fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }

    /// The principal's id, or `anonymous`.
    pub fn actor(&self) -> &str {
        self.principal.as_ref().map_or("anonymous", |p| p.id.as_str())
    }
}

/// `host[:port]` from the `Host` header, or from the URI's authority (HTTP/2).
fn host(headers: &HeaderMap, uri: &http::Uri) -> Option<String> {
    headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
        .filter(|h| !h.is_empty())
}

/// `http` or `https`, by `X-Forwarded-Proto`, the URI's scheme, or `https`.
fn scheme(headers: &HeaderMap, uri: &http::Uri) -> &'static str {
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim);
    match forwarded.or(uri.scheme_str()) {
        Some(s) if s.eq_ignore_ascii_case("http") => "http",
        _ => "https",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(request: http::Request<()>) -> RequestContext {
        let (parts, ()) = request.into_parts();
        RequestContext::new(&parts, parts.uri.path())
    }

    #[test]
    fn the_host_keeps_its_port_over_http1_and_http2() {
        let h1 = context(http::Request::get("/v1/x").header("host", "127.0.0.1:8443").body(()).unwrap());
        assert_eq!(h1.host.as_deref(), Some("127.0.0.1:8443"));
        assert_eq!(h1.scheme, "https");
        // HTTP/2 sends no Host header: the authority is part of the URI.
        let h2 = context(http::Request::get("https://127.0.0.1:8443/v1/x").body(()).unwrap());
        assert_eq!(h2.host.as_deref(), Some("127.0.0.1:8443"));
        assert_eq!(h2.origin().as_deref(), Some("https://127.0.0.1:8443"));
        let proxied = context(
            http::Request::get("/v1/x")
                .header("host", "registry.example.com")
                .header("x-forwarded-proto", "http, https")
                .body(())
                .unwrap(),
        );
        assert_eq!(proxied.origin().as_deref(), Some("http://registry.example.com"));
    }
}
