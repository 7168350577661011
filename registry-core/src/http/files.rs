//! Serving stored files behind signed links: `HEAD` from metadata, `GET` by redirect to a URL
//! the store presigned, or else streamed from the store chunk by chunk, with `Range` (206) for
//! resumed downloads and `If-None-Match` (304). Every file served here is content-addressed, so
//! its SHA-256 is a strong `ETag` and the answer is cacheable for good.

use std::ops::Range;

use http::{header, HeaderValue, Response, StatusCode};

use crate::http::body::Body;
use crate::http::context::RequestContext;
use crate::http::response;
use crate::storage::Storage;
use crate::{Error, Result};

/// A file to serve: its key in the store, content type and content hash.
#[derive(Debug)]
pub(crate) struct StoredFile<'a> {
    /// The storage key.
    pub(crate) key: &'a str,
    /// The `Content-Type` to answer with.
    pub(crate) content_type: &'static str,
    /// The lower-case hex SHA-256 of the content (the strong `ETag`).
    pub(crate) sha256: &'a str,
}

/// Answers `ctx` (a `GET` or `HEAD` whose signature was checked) with `file`; 404 from
/// `missing` when it is not in the store.
pub(crate) async fn serve(
    storage: &dyn Storage,
    ctx: &RequestContext,
    file: &StoredFile<'_>,
    link_ttl: std::time::Duration,
    missing: impl Fn() -> Error,
) -> Result<Response<Body>> {
    let etag = format!("\"{}\"", file.sha256);
    if ctx.header(header::IF_NONE_MATCH).is_some_and(|v| matches_etag(v, &etag)) {
        let mut response = response::empty(StatusCode::NOT_MODIFIED);
        add_file_headers(response.headers_mut(), file.content_type, &etag);
        return Ok(response);
    }
    let mut response = if ctx.is_head() {
        let info = storage.head(file.key).await?.ok_or_else(&missing)?;
        let mut response = response::empty(StatusCode::OK);
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(info.size));
        response
    } else if let Some(url) = storage.presign_get(file.key, link_ttl).await? {
        return response::redirect(StatusCode::FOUND, &url);
    } else {
        let wanted =
            ctx.header(header::RANGE).filter(|_| ctx.header(header::IF_RANGE).is_none_or(|v| v == etag));
        match wanted {
            Some(range) => {
                let size = storage.head(file.key).await?.ok_or_else(&missing)?.size;
                match parse_range(range, size)? {
                    Some(range) => partial(storage, file.key, range, size, &missing).await?,
                    None => whole(storage, file.key, &missing).await?,
                }
            }
            None => whole(storage, file.key, &missing).await?,
        }
    };
    add_file_headers(response.headers_mut(), file.content_type, &etag);
    Ok(response)
}

/// The whole file, streamed.
async fn whole(storage: &dyn Storage, key: &str, missing: &impl Fn() -> Error) -> Result<Response<Body>> {
    let object = storage.get_stream(key).await?.ok_or_else(missing)?;
    let size = object.info.size;
    let mut response = Response::new(Body::from_stream(object.body, Some(size)));
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    Ok(response)
}

/// Part of the file, streamed, as a 206.
async fn partial(
    storage: &dyn Storage,
    key: &str,
    range: Range<u64>,
    size: u64,
    missing: &impl Fn() -> Error,
) -> Result<Response<Body>> {
    let object = storage.get_range_stream(key, range.clone()).await?.ok_or_else(missing)?;
    let len = range.end - range.start;
    let mut response = Response::new(Body::from_stream(object.body, Some(len)));
    *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let content_range = format!("bytes {}-{}/{size}", range.start, range.end - 1);
    headers.insert(
        header::CONTENT_RANGE,
        HeaderValue::try_from(content_range).map_err(|e| Error::internal_with("a bad Content-Range", e))?,
    );
    Ok(response)
}

fn add_file_headers(headers: &mut http::HeaderMap, content_type: &'static str, etag: &str) {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The content under a hash-named key never changes.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::try_from(etag) {
        headers.insert(header::ETAG, value);
    }
}

/// Whether an `If-None-Match` value names `etag` (or is `*`).
fn matches_etag(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// The byte range a `Range` header asks for within a file of `size` bytes: `None` when the
/// header is not one single byte range this server honours (the whole file is sent, as RFC 9110
/// allows), 416 when the range lies wholly past the end.
pub(crate) fn parse_range(header: &str, size: u64) -> Result<Option<Range<u64>>> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let range = match (first.trim().is_empty(), last.trim().is_empty()) {
        // `bytes=-N`: the last N bytes.
        (true, false) => match number(last) {
            Some(0) => return Err(Error::RangeNotSatisfiable { size }),
            Some(n) => size.saturating_sub(n)..size,
            None => return Ok(None),
        },
        // `bytes=N-`: from N to the end.
        (false, true) => match number(first) {
            Some(start) => start..size,
            None => return Ok(None),
        },
        (false, false) => match (number(first), number(last)) {
            (Some(start), Some(end)) if start <= end => start..(end.saturating_add(1)).min(size),
            _ => return Ok(None),
        },
        (true, true) => return Ok(None),
    };
    if range.start >= size {
        return Err(Error::RangeNotSatisfiable { size });
    }
    Ok(Some(range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-99", 1000).unwrap(), Some(0..100));
        assert_eq!(parse_range("bytes=900-", 1000).unwrap(), Some(900..1000));
        assert_eq!(parse_range("bytes=-100", 1000).unwrap(), Some(900..1000));
        assert_eq!(parse_range("bytes=-5000", 1000).unwrap(), Some(0..1000));
        assert_eq!(parse_range("bytes=990-5000", 1000).unwrap(), Some(990..1000));
        // Not a single byte range: the whole file.
        assert_eq!(parse_range("bytes=0-1,5-6", 1000).unwrap(), None);
        assert_eq!(parse_range("items=0-1", 1000).unwrap(), None);
        assert_eq!(parse_range("bytes=5-1", 1000).unwrap(), None);
        assert_eq!(parse_range("bytes=x-", 1000).unwrap(), None);
        // Past the end.
        for past in ["bytes=1000-", "bytes=2000-3000", "bytes=-0"] {
            assert_eq!(parse_range(past, 1000).unwrap_err().status(), StatusCode::RANGE_NOT_SATISFIABLE);
        }
    }

    #[test]
    fn etags_match_strong_and_weak_forms() {
        assert!(matches_etag("\"abc\"", "\"abc\""));
        assert!(matches_etag("W/\"abc\", \"x\"", "\"abc\""));
        assert!(matches_etag("*", "\"abc\""));
        assert!(!matches_etag("\"abd\"", "\"abc\""));
    }
}
