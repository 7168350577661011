//! Conversions between actix-web's `http` 0.2 types and the core's `http` 1 types.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};

use actix_web::body::{BodySize, BodyStream, MessageBody, SizedStream};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use http_body::Body as _;
use tfreg_core::http::Body;
use tfreg_core::Error;

/// Whether the request says a body follows (a non-zero `Content-Length`, or any
/// `Transfer-Encoding`).
pub(crate) fn has_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
        || headers.get(actix_web::http::header::CONTENT_LENGTH).is_some_and(|len| len.as_bytes() != b"0")
}

/// A request body stream, shared with the adapter so it can tell whether the core read it to
/// its end and, if not, keep it until the answer is sent (see [`Unread`]).
pub(crate) struct Tracked<S> {
    inner: Rc<RefCell<S>>,
    ended: Rc<Cell<bool>>,
}

impl<S> Tracked<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self { inner: Rc::new(RefCell::new(inner)), ended: Rc::default() }
    }

    /// The body, if it was not read to its end.
    pub(crate) fn unread(&self) -> Option<Unread<S>> {
        (!self.ended.get()).then(|| Unread(self.inner.clone()))
    }

    /// Another handle on the same body.
    pub(crate) fn share(&self) -> Self {
        Self { inner: self.inner.clone(), ended: self.ended.clone() }
    }
}

impl<S: futures_core::Stream + Unpin> futures_core::Stream for Tracked<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = ready!(Pin::new(&mut *self.inner.borrow_mut()).poll_next(cx));
        if next.is_none() {
            self.ended.set(true);
        }
        Poll::Ready(next)
    }
}

/// A request body the core did not read to its end, held until the answer has been sent: actix
/// then sees a body nobody will read and closes the connection, where it would otherwise go on
/// draining it (for ever, for a chunked body that never ends).
pub(crate) struct Unread<S>(#[allow(dead_code)] Rc<RefCell<S>>);

/// An answer body holding the request body it answers until it has been sent (see [`Unread`]).
pub(crate) struct Holding<B, S> {
    body: B,
    _request_body: Unread<S>,
}

impl<B: MessageBody + Unpin, S> MessageBody for Holding<B, S> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

/// The answer, holding `unread` (the request body, when not read to its end) until it is sent.
pub(crate) fn holding<S: 'static>(response: HttpResponse, unread: Option<Unread<S>>) -> HttpResponse {
    let Some(unread) = unread else { return response };
    response.map_body(|_, body| actix_web::body::BoxBody::new(Holding { body, _request_body: unread }))
}

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
    if let Some(peer) = req.peer_addr() {
        out.extensions_mut().insert(tfreg_core::observe::PeerAddr(peer));
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
