//! Conversions between actix-web's `http` 0.2 types and the core's `http` 1 types.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::body::{BodySize, BodyStream, MessageBody, SizedStream};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use http_body::Body as _;
use tfreg_core::http::Body;
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

/// The actix response for the core's response: a whole body as it is, a streamed one passed
/// through chunk by chunk (sized when its length is known, so actix writes `Content-Length`).
/// For `HEAD`, the body is empty but its size is the `Content-Length` the core set, which actix
/// then writes.
pub(crate) fn response(res: http::Response<Body>, head: bool) -> HttpResponse {
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
    if head {
        return match content_length {
            Some(len) => builder.body(HeadBody(len)),
            None => builder.finish(),
        };
    }
    if let Some(bytes) = body.as_bytes() {
        return builder.body(bytes.clone());
    }
    match body.len() {
        Some(len) => builder.body(SizedStream::new(len, Chunks(body))),
        None => builder.body(BodyStream::new(Chunks(body))),
    }
}

/// The core's streamed body as the stream of chunks actix reads.
struct Chunks(Body);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match ready!(Pin::new(&mut self.0).poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => Poll::Ready(Some(Ok(data))),
                    // Trailers: none are sent.
                    Err(_) => continue,
                },
                Some(Err(err)) => {
                    tracing::error!(error = %err, "a streamed answer failed part-way");
                    Poll::Ready(Some(Err(err)))
                }
                None => Poll::Ready(None),
            };
        }
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
