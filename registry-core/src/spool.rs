//! Spooling a stream of bytes to an unnamed temporary file, within a size limit, so packages of
//! hundreds of megabytes are checked and stored without being held in memory.

use std::io::{Seek, SeekFrom};
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use tokio::io::AsyncWriteExt;

use crate::{Error, Result};

/// Content spooled to an unnamed temporary file (gone when the last handle closes).
#[derive(Debug)]
pub(crate) struct SpooledFile {
    /// The file, positioned at its start.
    pub(crate) file: std::fs::File,
    /// How many bytes it holds.
    pub(crate) size: u64,
}

impl SpooledFile {
    /// Another handle on the same file.
    pub(crate) fn try_clone(&self) -> Result<Self> {
        let file =
            self.file.try_clone().map_err(|e| Error::internal_with("cannot reopen a temporary file", e))?;
        Ok(Self { file, size: self.size })
    }
}

/// Writes every chunk of `body` to a temporary file, refusing (413) past `limit` bytes.
pub(crate) async fn spool<S, E>(mut body: S, limit: u64) -> Result<SpooledFile>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
    Error: From<E>,
{
    let temp = |e: std::io::Error| Error::internal_with("cannot write a temporary file", e);
    let file = tempfile::tempfile().map_err(temp)?;
    let mut writer = tokio::fs::File::from_std(file.try_clone().map_err(temp)?);
    let mut size = 0u64;
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        writer.write_all(&chunk).await.map_err(temp)?;
    }
    writer.flush().await.map_err(temp)?;
    drop(writer);
    let mut file = file;
    file.seek(SeekFrom::Start(0)).map_err(temp)?;
    Ok(SpooledFile { file, size })
}
