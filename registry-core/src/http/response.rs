//! Small helpers that build the responses every handler returns.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde::Serialize;

use crate::http::body::Body;

/// The content type of every JSON answer.
pub const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A JSON response with the given status, rendered from one of the wire documents in
/// [`crate::protocol`]. Serialising them cannot fail; if it ever did, the answer is a 500 rather
/// than a panic.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(status, Bytes::from(body)),
        Err(err) => {
            tracing::error!(%err, "failed to serialise a response");
            json_bytes(
                StatusCode::INTERNAL_SERVER_ERROR,
                Bytes::from_static(br#"{"errors":["internal error: failed to serialise the response"]}"#),
            )
        }
    }
}

/// A response whose body is already-serialised JSON.
pub fn json_bytes(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, JSON);
    response
}

/// An empty response with the given status.
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// A response with `body` and its content type.
pub fn with_type(body: impl Into<Body>, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(body.into());
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A redirect to `location` with the given status (302 or 307).
pub fn redirect(status: StatusCode, location: &str) -> crate::Result<Response<Body>> {
    let mut response = empty(status);
    let value = HeaderValue::from_str(location)
        .map_err(|e| crate::Error::internal_with("a redirect location is not a valid header value", e))?;
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}
