//! Reading a streamed request body whole, within a limit.

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::Error;

use crate::Result;

/// Reads every chunk of `body`, answering 413 as soon as it (or its declared length) passes
/// `limit` bytes, so no more than the limit is ever held.
pub(crate) async fn read_limited<S, E>(mut body: S, declared: Option<u64>, limit: u64) -> Result<Bytes>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    if declared.is_some_and(|len| len > limit) {
        return Err(Error::PayloadTooLarge { limit });
    }
    let mut out = BytesMut::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    while let Some(chunk) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_next(cx)).await {
        let chunk = chunk.map_err(|e| Error::bad_request(format!("failed to read the request body: {e}")))?;
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}
