//! Conversions between actix-web's `http` 0.2 types and the core's `http` 1 types.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use tfreg_core::Error;

/// The core's request for an actix request and its body.
pub(crate) fn request<B>(req: &HttpRequest, body: B) -> Result<http::Request<B>, Error> {
    let bad = |what: &str| Error::bad_request(format!("malformed request {what}"));
    let method = http::Method::from_bytes(req.method().as_str().as_bytes()).map_err(|_| bad("method"))?;
    let uri: http::Uri = req.uri().to_string().parse().map_err(|_| bad("URI"))?;
    let mut out = http::Request::new(body);
    *out.method_mut() = method;
    *out.uri_mut() = uri;
    let headers = out.headers_mut();
    for (name, value) in req.headers() {
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes()).map_err(|_| bad("header"))?;
        let value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|_| bad("header"))?;
        headers.append(name, value);
    }
    Ok(out)
}

/// The actix response for the core's response. For `HEAD`, the body is empty but its size is
/// the `Content-Length` the core set, which actix then writes.
pub(crate) fn response(res: http::Response<Bytes>, head: bool) -> HttpResponse {
    let (parts, body) = res.into_parts();
    let status = StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    let mut content_length = None;
    for (name, value) in &parts.headers {
        if name == http::header::CONTENT_LENGTH {
            content_length = value.to_str().ok().and_then(|v| v.parse::<u64>().ok());
            continue;
        }
        builder.append_header((name.as_str(), value.as_bytes()));
    }
    match (head, content_length) {
        (true, Some(len)) => builder.body(HeadBody(len)),
        _ => builder.body(body),
    }
}

/// A body that is never sent but reports the size of the one a `GET` would send.
struct HeadBody(u64);

impl MessageBody for HeadBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.0)
    }

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}
