//! Spooling a stream of bytes to an unnamed temporary file, within a size limit, so packages of
//! hundreds of megabytes are checked and stored without being held in memory.

use std::io::{Seek, SeekFrom};
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::storage::Storage;
use crate::{Error, Result};

/// The size of the reads that copy a spooled file to the store.
const COPY_CHUNK_BYTES: usize = 1 << 20;

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

    /// Stores the file at `key`, a key that names its content, chunk by chunk; `false` when an
    /// object was there already (the same content, then).
    pub(crate) async fn store(self, storage: &dyn Storage, key: &str) -> Result<bool> {
        if storage.head(key).await?.is_some() {
            return Ok(false);
        }
        let io = |e: std::io::Error| Error::internal_with("cannot read a temporary file", e);
        let mut file = tokio::fs::File::from_std(self.file);
        file.seek(SeekFrom::Start(0)).await.map_err(io)?;
        let mut writer = storage.writer(key).await?;
        let mut buffer = vec![0u8; COPY_CHUNK_BYTES];
        let failure = loop {
            match file.read(&mut buffer).await {
                Ok(0) => break None,
                Ok(read) => {
                    if let Err(err) = writer.write(Bytes::copy_from_slice(&buffer[..read])).await {
                        break Some(err.into());
                    }
                }
                Err(e) => break Some(io(e)),
            }
        };
        if let Some(err) = failure {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(%key, error = %abort, "could not abort writing an object");
            }
            return Err(err);
        }
        writer.finish().await?;
        Ok(true)
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
