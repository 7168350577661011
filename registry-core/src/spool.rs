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

    /// The whole file in memory, refused (413) when larger than `limit`.
    pub(crate) async fn read_all(&self, limit: u64) -> Result<Bytes> {
        if self.size > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        let io = |e: std::io::Error| Error::internal_with("cannot read a temporary file", e);
        let mut file = tokio::fs::File::from_std(self.file.try_clone().map_err(io)?);
        file.seek(SeekFrom::Start(0)).await.map_err(io)?;
        let mut out = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        file.read_to_end(&mut out).await.map_err(io)?;
        Ok(Bytes::from(out))
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
    let mut spool = Spool::new(limit)?;
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
        spool.write(&chunk?).await?;
    }
    spool.finish().await
}

/// A temporary file being written chunk by chunk, within a size limit.
pub(crate) struct Spool {
    file: std::fs::File,
    writer: tokio::fs::File,
    size: u64,
    limit: u64,
}

impl Spool {
    /// An empty temporary file that takes at most `limit` bytes.
    pub(crate) fn new(limit: u64) -> Result<Self> {
        let file = tempfile::tempfile().map_err(temp)?;
        let writer = tokio::fs::File::from_std(file.try_clone().map_err(temp)?);
        Ok(Self { file, writer, size: 0, limit })
    }

    /// Appends `chunk`, refusing (413) past the limit.
    pub(crate) async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(Error::PayloadTooLarge { limit: self.limit });
        }
        self.writer.write_all(chunk).await.map_err(temp)
    }

    /// The file written, positioned at its start.
    pub(crate) async fn finish(mut self) -> Result<SpooledFile> {
        self.writer.flush().await.map_err(temp)?;
        drop(self.writer);
        self.file.seek(SeekFrom::Start(0)).map_err(temp)?;
        Ok(SpooledFile { file: self.file, size: self.size })
    }
}

fn temp(e: std::io::Error) -> Error {
    Error::internal_with("cannot write a temporary file", e)
}
