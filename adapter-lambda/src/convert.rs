//! Conversions between lambda_http's requests and responses and the core's `http::Request<Bytes>`
//! and `http::Response<Bytes>`, with the stage handling of API Gateway.

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use tfreg_core::Error;
use tfreg_core::X_TERRAFORM_GET;

use crate::LambdaOptions;

/// Bytes escaped in a path taken from an event (non-ASCII bytes always are). `%` is kept:
/// HTTP API and ALB paths arrive percent-encoded already.
pub(crate) const PATH: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

/// Bytes escaped in a query parameter decoded by API Gateway or lambda_http. Fewer than
/// `application/x-www-form-urlencoded` escapes, so `protocols=5.0,6.0` stays as a client writes it.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The core's request for an event, and the stage prefix the client's URL carried (to put back
/// on links in the answer).
pub(crate) struct Converted {
    pub(crate) request: http::Request<Bytes>,
    pub(crate) stage_prefix: Option<String>,
}

/// Converts an event into the core's request: method, path (without the stage prefix when
/// `options.strip_stage`), query, headers and body. Fails with 413 over `limit`, 400 when the
/// path and query make no valid URI.
pub(crate) fn request(
    event: lambda_http::Request,
    options: &LambdaOptions,
    limit: u64,
) -> Result<Converted, Error> {
    let (path, stage_prefix) = path(&event, options);
    let query = query(&event);
    let mut target = utf8_percent_encode(&path, PATH).to_string();
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        target.push('?');
        target.push_str(&query);
    }
    let uri: http::Uri = target.parse().map_err(|_| Error::bad_request("malformed request URI"))?;

    let (mut parts, body) = event.into_parts();
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text.into_bytes()),
        Body::Binary(bytes) => Bytes::from(bytes),
        // `Body` is non-exhaustive; whatever a later version adds still derefs to its bytes.
        other => Bytes::copy_from_slice(&other),
    };
    if body.len() as u64 > limit {
        return Err(Error::PayloadTooLarge { limit });
    }
    // lambda_http takes the host from the request context when the event has no `Host` header;
    // the network mirror needs it.
    if !parts.headers.contains_key(header::HOST) {
        if let Some(host) = parts.uri.authority().and_then(|a| HeaderValue::from_str(a.as_str()).ok()) {
            parts.headers.insert(header::HOST, host);
        }
    }
    let mut request = http::Request::new(body);
    *request.method_mut() = parts.method;
    *request.uri_mut() = uri;
    *request.headers_mut() = parts.headers;
    Ok(Converted { request, stage_prefix })
}

/// The path for the core, and the stage prefix the client's URL carried.
///
/// The path is the event's own (`path` of REST events, `rawPath` of HTTP API and function URL
/// events, `path` of ALB events), not lambda_http's URI, which adds the stage to API Gateway
/// paths. With `strip_stage`, a leading `/{stage}` segment is removed, except for the
/// `$default` stage. A REST API event whose `requestContext.path` is `/{stage}` followed by its
/// `path` was already stripped by API Gateway (the execute-api URL): its path is kept as it is,
/// even when it starts with a segment named like the stage.
fn path(event: &lambda_http::Request, options: &LambdaOptions) -> (String, Option<String>) {
    let raw = match event.raw_http_path() {
        "" => event.uri().path(),
        raw => raw,
    };
    let raw = if raw.starts_with('/') { raw.to_owned() } else { format!("/{raw}") };
    if !options.strip_stage {
        return (raw, None);
    }
    let (stage, context_path) = match event.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => (context.stage.as_deref(), context.path.as_deref()),
        Some(RequestContext::ApiGatewayV2(context)) => (context.stage.as_deref(), None),
        _ => (None, None),
    };
    let Some(stage) = stage.filter(|s| !s.is_empty() && *s != "$default") else {
        return (raw, None);
    };
    let prefix = format!("/{stage}");
    if context_path.is_some_and(|p| p.strip_prefix(prefix.as_str()) == Some(raw.as_str())) {
        return (raw, Some(prefix));
    }
    match raw.strip_prefix(prefix.as_str()) {
        Some("") => ("/".to_owned(), Some(prefix)),
        Some(rest) if rest.starts_with('/') => (rest.to_owned(), Some(prefix)),
        _ => (raw, None),
    }
}

/// The query string for the core. HTTP API events carry the raw query string, which
/// lambda_http keeps in the URI; REST API and ALB events carry decoded parameters, which
/// lambda_http re-encodes as a form (`,` as `%2C`), so they are encoded again here, escaping
/// only what must be.
fn query(event: &lambda_http::Request) -> Option<String> {
    match event.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(_)) | Some(RequestContext::Alb(_)) => {
            let params = event.query_string_parameters_ref()?;
            let mut pairs: Vec<String> = params
                .iter()
                .map(|(k, v)| format!("{}={}", utf8_percent_encode(k, QUERY), utf8_percent_encode(v, QUERY)))
                .collect();
            // API Gateway gives the parameters as a map: sort them for a stable order.
            pairs.sort();
            Some(pairs.join("&"))
        }
        _ => event.uri().query().map(str::to_owned),
    }
}

/// Converts the core's response: status and every header kept; JSON and text as
/// [`Body::Text`], anything else (archives, zips, signatures) as [`Body::Binary`], which
/// lambda_http sends base64-encoded; no body as [`Body::Empty`] (`HEAD` keeps its
/// `Content-Length`). Host-relative `Location` and `X-Terraform-Get` links get `link_prefix`.
pub(crate) fn response(
    response: http::Response<Bytes>,
    link_prefix: Option<&str>,
) -> lambda_http::Response<Body> {
    let (mut parts, body) = response.into_parts();
    if let Some(prefix) = link_prefix {
        for name in [header::LOCATION, HeaderName::from_static(X_TERRAFORM_GET)] {
            prefix_link(&mut parts.headers, name, prefix);
        }
    }
    let body = if body.is_empty() {
        Body::Empty
    } else if is_text(parts.headers.get(header::CONTENT_TYPE)) {
        match String::from_utf8(body.into()) {
            Ok(text) => Body::Text(text),
            Err(err) => Body::Binary(err.into_bytes()),
        }
    } else {
        Body::Binary(body.into())
    };
    lambda_http::Response::from_parts(parts, body)
}

/// Puts `prefix` before a host-relative link (`/v1/...`, not `//host/...` nor `https://...`).
fn prefix_link(headers: &mut http::HeaderMap, name: HeaderName, prefix: &str) {
    let Some(link) = headers.get(&name).and_then(|v| v.to_str().ok()) else {
        return;
    };
    if !link.starts_with('/') || link.starts_with("//") {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(&format!("{prefix}{link}")) {
        headers.insert(name, value);
    }
}

/// Whether a content type names text: `text/*`, JSON, or a `+json` type.
fn is_text(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime.starts_with("text/") || mime == "application/json" || mime.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types() {
        let text = |v: &'static str| is_text(Some(&HeaderValue::from_static(v)));
        assert!(text("application/json"));
        assert!(text("text/plain; charset=utf-8"));
        assert!(text("application/problem+json"));
        assert!(!text("application/gzip"));
        assert!(!text("application/octet-stream"));
        assert!(!is_text(None));
    }

    #[test]
    fn only_host_relative_links_get_the_prefix() {
        let mut headers = http::HeaderMap::new();
        headers.insert(header::LOCATION, HeaderValue::from_static("/v1/archives/x?expires=1"));
        prefix_link(&mut headers, header::LOCATION, "/live");
        assert_eq!(headers[header::LOCATION], "/live/v1/archives/x?expires=1");
        for absolute in ["https://bucket.s3.amazonaws.com/x", "//cdn.example.com/x"] {
            headers.insert(header::LOCATION, HeaderValue::from_static(absolute));
            prefix_link(&mut headers, header::LOCATION, "/live");
            assert_eq!(headers[header::LOCATION], absolute);
        }
    }

    #[test]
    fn query_values_keep_commas_and_escape_separators() {
        let encoded = utf8_percent_encode("5.0,6.0 ~> a&b=c+d%", QUERY).to_string();
        assert_eq!(encoded, "5.0,6.0%20~%3E%20a%26b%3Dc%2Bd%25");
    }
}
