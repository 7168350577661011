//! Bodies: the [`Body`] every answer carries, whole or streamed, and reading a streamed request
//! body whole within a limit.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http_body::{Frame, SizeHint};

use crate::storage::ByteStream;
use crate::{Error, Result};

/// The body of a registry answer: bytes already in memory (every JSON document), or a stream
/// of chunks read from the store as the client takes them (archives from stores that cannot
/// presign), so a large file never sits in memory whole. Implements [`http_body::Body`], the
/// trait hyper and axum-core use; adapters that need the bytes at once (Lambda) call
/// [`Body::collect`].
pub struct Body {
    kind: Kind,
}

enum Kind {
    Full(Option<Bytes>),
    Stream { stream: ByteStream, len: Option<u64> },
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Self { kind: Kind::Full(None) }
    }

    /// A body streamed from `stream`, which yields exactly `len` bytes when `len` is given.
    pub fn from_stream(stream: ByteStream, len: Option<u64>) -> Self {
        Self { kind: Kind::Stream { stream, len } }
    }

    /// The bytes of a body that is held whole (`None` for a streamed one).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Full(Some(bytes)) => Some(bytes),
            Kind::Full(None) => {
                static EMPTY: Bytes = Bytes::new();
                Some(&EMPTY)
            }
            Kind::Stream { .. } => None,
        }
    }

    /// The length in bytes, when known before reading.
    pub fn len(&self) -> Option<u64> {
        match &self.kind {
            Kind::Full(bytes) => Some(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Stream { len, .. } => *len,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether the body is a stream (rather than bytes in memory).
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream { .. })
    }

    /// Reads the whole body into memory.
    pub async fn collect(self) -> Result<Bytes> {
        match self.kind {
            Kind::Full(bytes) => Ok(bytes.unwrap_or_default()),
            Kind::Stream { mut stream, len } => {
                let mut out = BytesMut::with_capacity(len.unwrap_or(0).min(1 << 20) as usize);
                while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
                    out.extend_from_slice(&chunk?);
                }
                Ok(out.freeze())
            }
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Full(bytes) => {
                f.debug_tuple("Body::Full").field(&bytes.as_ref().map_or(0, Bytes::len)).finish()
            }
            Kind::Stream { len, .. } => f.debug_struct("Body::Stream").field("len", len).finish(),
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self { kind: Kind::Full(Some(bytes)) }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Error>>> {
        match &mut self.get_mut().kind {
            Kind::Full(bytes) => {
                Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(|b| Ok(Frame::data(b))))
            }
            Kind::Stream { stream, .. } => match stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err.into()))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.kind, Kind::Full(None)) || matches!(&self.kind, Kind::Full(Some(b)) if b.is_empty())
    }

    fn size_hint(&self) -> SizeHint {
        match self.len() {
            Some(len) => SizeHint::with_exact(len),
            None => SizeHint::default(),
        }
    }
}

/// 413 when `body` is over `limit` (adapters usually stop reading before), 400 when it is empty;
/// `what` says what the body should have been.
pub(crate) fn check_upload(body: &Bytes, limit: u64, what: &str) -> Result<()> {
    if body.len() as u64 > limit {
        return Err(Error::PayloadTooLarge { limit });
    }
    if body.is_empty() {
        return Err(Error::bad_request(format!("the request body is empty: send {what}")));
    }
    Ok(())
}

/// Reads every chunk of `body`, answering 413 as soon as it (or its declared length) passes
/// `limit` bytes, so no more than the limit is ever held.
pub(crate) async fn read_limited<S>(mut body: S, declared: Option<u64>, limit: u64) -> Result<Bytes>
where
    S: Stream<Item = Result<Bytes>> + Unpin,
{
    if declared.is_some_and(|len| len > limit) {
        return Err(Error::PayloadTooLarge { limit });
    }
    let mut out = BytesMut::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
        let chunk = chunk?;
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// A request body already in memory, as the stream of (at most) one chunk that the readers of
/// streamed bodies take.
pub(crate) struct Whole(pub(crate) Option<Bytes>);

impl Stream for Whole {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;

    #[tokio::test]
    async fn whole_and_streamed_bodies_read_back() {
        let whole = Body::from("hello");
        assert_eq!(whole.len(), Some(5));
        assert_eq!(whole.as_bytes().unwrap().as_ref(), b"hello");
        assert_eq!(whole.collect().await.unwrap().as_ref(), b"hello");

        let chunks: Vec<std::result::Result<Bytes, crate::storage::StorageError>> =
            vec![Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"cd"))];
        let stream = Body::from_stream(Box::pin(crate::storage::IterStream(chunks.into_iter())), Some(4));
        assert!(stream.is_stream() && stream.as_bytes().is_none());
        assert_eq!(stream.size_hint().exact(), Some(4));
        assert_eq!(stream.collect().await.unwrap().as_ref(), b"abcd");

        assert!(Body::empty().is_end_stream());
        assert_eq!(Body::empty().as_bytes().unwrap().len(), 0);
    }
}
