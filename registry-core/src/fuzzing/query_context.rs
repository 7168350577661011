//! The `query_context` target: query strings, and the request context made from a URI and the
//! `Host` and `X-Forwarded-Proto` headers.

use http::header::{HeaderName, HeaderValue, HOST};
use http::request::Parts;

use super::Verdict;
use crate::http::query::Query;
use crate::http::RequestContext;

/// Checks a fuzz input made of three parts separated by the first two newlines: the `Host`
/// header, the `X-Forwarded-Proto` header (each left out when empty or not a valid header
/// value) and the request target (`/path?query`, or a whole URI).
///
/// The query of the target, whether or not it makes a URI, goes through [`check_query`]; a
/// target that makes a URI becomes a request whose context goes through
/// [`check_request_context`]. Accepted when the target makes a URI.
pub fn check_query_context(input: &[u8]) -> Verdict {
    let mut parts = input.splitn(3, |&b| b == b'\n');
    let (host, proto) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let target = parts.next().unwrap_or_default();
    let text = String::from_utf8_lossy(target);
    check_query(text.split_once('?').map(|(_, query)| query));
    let Ok(uri) = http::Uri::try_from(target) else { return Verdict::Refused };
    let mut request = http::Request::new(());
    *request.uri_mut() = uri;
    for (name, value) in [(HOST, host), (HeaderName::from_static("x-forwarded-proto"), proto)] {
        match HeaderValue::from_bytes(value) {
            Ok(value) if !value.is_empty() => {
                request.headers_mut().insert(name, value);
            }
            _ => {}
        }
    }
    let (parts, ()) = request.into_parts();
    check_request_context(&parts);
    Verdict::Accepted
}

/// Checks [`Query::parse`] on a raw query string: it never panics; its pairs, encoded again as
/// a form, parse back the same; [`Query::get`] finds the first value of each name.
pub fn check_query(raw: Option<&str>) {
    let query = Query::parse(raw);
    let pairs: Vec<(&str, &str)> = query.pairs().collect();
    let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let again = Query::parse(Some(&encoded));
    assert!(again.pairs().eq(pairs.iter().copied()), "{raw:?} does not survive encoding as {encoded:?}");
    for (name, _) in &pairs {
        let first = pairs.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
        assert_eq!(query.get(name), first, "get({name:?})");
        assert!(query.has(name));
    }
    if raw.is_none_or(str::is_empty) {
        assert!(pairs.is_empty());
    }
}

/// Checks the context of a request with these parts, as the registry makes it: the raw query is
/// the URI's and decodes as [`Query::parse`] does; the host is the `Host` header's text or else
/// the URI's authority, never empty; the scheme is `http` or `https`, and the origin joins them.
pub fn check_request_context(parts: &Parts) {
    let ctx = RequestContext::new(parts, parts.uri.path());
    assert_eq!(ctx.raw_query.as_deref(), parts.uri.query());
    assert!(
        ctx.query.pairs().eq(Query::parse(parts.uri.query()).pairs()),
        "the query is decoded differently"
    );
    check_query(ctx.raw_query.as_deref());
    let header = parts.headers.get(HOST).and_then(|v| v.to_str().ok());
    let authority = parts.uri.authority().map(|a| a.as_str());
    let expected = header.or(authority).filter(|h| !h.is_empty());
    assert_eq!(ctx.host.as_deref(), expected, "host");
    assert!(matches!(ctx.scheme, "http" | "https"), "scheme {:?}", ctx.scheme);
    assert_eq!(ctx.origin(), ctx.host.as_ref().map(|host| format!("{}://{host}", ctx.scheme)));
    assert_eq!(ctx.header(HOST), header);
    assert_eq!(ctx.is_head(), parts.method == http::Method::HEAD);
    assert_eq!(ctx.actor(), "anonymous");
}
