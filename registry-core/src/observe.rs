//! What the registry reports to the `metrics` facade (the host installs an exporter; `tfreg
//! serve` serves Prometheus' text format at `/metrics`). With no recorder installed every report
//! costs nothing.
//!
//! | metric | labels |
//! | --- | --- |
//! | `tfreg_requests_total` | `route` (the path template), `method`, `status` |
//! | `tfreg_request_duration_seconds` (histogram) | `route`, `method` |
//! | `tfreg_downloads_total` | `kind` (`module`, `provider`), `address`, `version` |
//! | `tfreg_publishes_total` | `kind` (`module`, `provider`), `outcome` (`published`, `refused`), `status` |
//! | `tfreg_storage_operations_total` | `op`, `outcome` (`ok`, `conflict`, `error`) |
//! | `tfreg_storage_operation_seconds` (histogram) | `op` |
//! | `tfreg_token_cache_total` | `result` (`hit`, `miss`) |
//! | `tfreg_upstream_requests_total` | `outcome` (`ok`, `not_found`, `timeout`, `failed`) |
//! | `tfreg_upstream_cache_total` | `result` (`hit`, `miss`, `stale`: the upstream failed and an old answer was served) |
//! | `tfreg_upload_sessions_opened_total`, `tfreg_upload_sessions_closed_total` | `how` (closed: `published`, `abandoned`, `expired`) |

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use http::{HeaderValue, Method, Response, StatusCode};

use crate::http::body::Body;

/// The header a request id comes in and goes back out in.
pub const REQUEST_ID: &str = "x-request-id";

/// The peer's address, put in a request's extensions by the adapter that accepted it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// What is known of a request as it is answered: for its metrics and its access-log line
/// (`tfreg::access`: request id, method, route template, status, duration, bytes, principal id,
/// remote address; never a token).
#[derive(Debug)]
pub(crate) struct Seen {
    started: Instant,
    method: Method,
    id: String,
    remote: Option<IpAddr>,
    /// The route's path template, once routed.
    pub(crate) route: &'static str,
    /// The principal's id, once authenticated.
    pub(crate) principal: Option<String>,
}

impl Seen {
    /// A request as it arrives: its id (its `X-Request-Id` when it has a usable one, else a
    /// new one) and its remote address (the first `X-Forwarded-For` hop when the peer is one of
    /// `trusted`).
    pub(crate) fn of(parts: &http::request::Parts, trusted: &[IpAddr]) -> Self {
        let id = parts
            .headers
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
            .unwrap_or_else(new_request_id);
        let peer = parts.extensions.get::<PeerAddr>().map(|p| p.0.ip());
        let forwarded = || {
            let header = parts.headers.get("x-forwarded-for")?.to_str().ok()?;
            header.split(',').next()?.trim().parse::<IpAddr>().ok()
        };
        let remote = match peer {
            Some(ip) if trusted.contains(&ip) => forwarded().or(Some(ip)),
            other => other,
        };
        Self {
            started: Instant::now(),
            method: parts.method.clone(),
            id,
            remote,
            route: "unknown",
            principal: None,
        }
    }

    /// Records the answer: metrics, the access-log line, and the request id on the answer.
    pub(crate) fn answered(&self, response: &mut Response<Body>) {
        let took = self.started.elapsed();
        request(&self.method, self.route, response.status(), took);
        tracing::info!(
            target: "tfreg::access",
            request_id = %self.id,
            method = %self.method,
            route = self.route,
            status = response.status().as_u16(),
            duration_ms = took.as_secs_f64() * 1e3,
            bytes = response.body().len(),
            principal = self.principal.as_deref().unwrap_or("-"),
            remote = %self.remote.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        );
        if let Ok(id) = HeaderValue::try_from(self.id.as_str()) {
            response.headers_mut().insert(REQUEST_ID, id);
        }
    }
}

/// A new request id: this process's random prefix and a counter (no system call per request).
fn new_request_id() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| crate::random::bytes::<4>().map(hex::encode).unwrap_or_default());
    format!("{prefix}-{:x}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// One answered request.
pub(crate) fn request(method: &Method, route: &'static str, status: StatusCode, took: Duration) {
    let method = method_label(method);
    metrics::counter!("tfreg_requests_total", "route" => route, "method" => method, "status" => status.as_str().to_owned())
        .increment(1);
    metrics::histogram!("tfreg_request_duration_seconds", "route" => route, "method" => method)
        .record(took.as_secs_f64());
    if let Some(kind) = publish_kind(method, route) {
        let outcome = if status.is_success() { "published" } else { "refused" };
        metrics::counter!("tfreg_publishes_total", "kind" => kind, "outcome" => outcome, "status" => status.as_str().to_owned())
            .increment(1);
    }
}

/// One download answer of `kind` for `address` `version`.
pub(crate) fn download(kind: &'static str, address: String, version: String) {
    metrics::counter!("tfreg_downloads_total", "kind" => kind, "address" => address, "version" => version)
        .increment(1);
}

/// A token looked up in the token cache.
pub(crate) fn token_cache(hit: bool) {
    metrics::counter!("tfreg_token_cache_total", "result" => if hit { "hit" } else { "miss" }).increment(1);
}

/// One request to the upstream, by how it ended.
pub(crate) fn upstream_request(outcome: &'static str) {
    metrics::counter!("tfreg_upstream_requests_total", "outcome" => outcome).increment(1);
}

/// An upstream document asked of the cache: `hit`, `miss`, or `stale` (served old because the
/// upstream failed).
pub(crate) fn upstream_cache(result: &'static str) {
    metrics::counter!("tfreg_upstream_cache_total", "result" => result).increment(1);
}

/// An upload session opened.
pub(crate) fn upload_session_opened() {
    metrics::counter!("tfreg_upload_sessions_opened_total").increment(1);
}

/// Upload sessions ended: `published`, `abandoned` or `expired`.
pub(crate) fn upload_sessions_closed(how: &'static str, count: u64) {
    metrics::counter!("tfreg_upload_sessions_closed_total", "how" => how).increment(count);
}

/// The publishing routes, by kind.
fn publish_kind(method: &str, route: &str) -> Option<&'static str> {
    match (method, route) {
        ("PUT", "/v1/modules/{ns}/{name}/{system}/{version}") => Some("module"),
        (
            "PUT",
            "/v1/providers/{ns}/{type}/{version}/{os}/{arch}" | "/v1/providers/{ns}/{type}/{version}/shasums",
        ) => Some("provider"),
        _ => None,
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
