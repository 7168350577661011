//! Size, count and ratio limits, and the accounting that enforces them.

use std::error::Error as StdError;
use std::fmt;
use std::io::{self, Read};

use super::scratch::{Extent, Scratch, BUFFER_BYTES};
use super::{ArchiveError, ArchiveFormat};

/// The compression ratio is only enforced once this many bytes have been
/// unpacked, so that small, highly compressible modules are never refused.
const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// Allowance per tar entry for headers, GNU long names, pax extended headers
/// and padding, on top of the files' contents, when capping the whole
/// decompressed tar stream. Applied in aggregate over `max_entries + 2`.
const TAR_OVERHEAD_PER_ENTRY: u64 = 8 * 1024;

/// Limits applied while unpacking an upload, to refuse archive bombs and
/// oversized modules before they cost memory or storage.
///
/// All sizes count bytes as actually decompressed; sizes declared in archive
/// headers are never trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Most entries allowed, counting files, directories and every other
    /// kind of entry (pax global headers excepted).
    pub max_entries: usize,
    /// Most bytes all regular files may unpack to together.
    pub max_total_bytes: u64,
    /// Most bytes a single regular file may unpack to.
    pub max_file_bytes: u64,
    /// Most times the unpacked total may exceed the upload's size. Only
    /// enforced once the unpacked total exceeds 1 MiB.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    /// 10 000 entries, 512 MiB unpacked in total, 256 MiB per file, and a
    /// compression ratio of at most 200 (once more than 1 MiB is unpacked).
    fn default() -> Self {
        Self { max_entries: 10_000, max_total_bytes: 512 << 20, max_file_bytes: 256 << 20, max_ratio: 200 }
    }
}

impl ArchiveLimits {
    /// Cap on the whole decompressed tar stream: the files' contents plus a
    /// generous aggregate allowance for headers and padding. Bounds the
    /// memory the tar reader may spend on long names and pax headers, which
    /// it buffers whole.
    fn tar_stream_cap(&self) -> u64 {
        let entries = u64::try_from(self.max_entries).unwrap_or(u64::MAX).saturating_add(2);
        self.max_total_bytes.saturating_add(entries.saturating_mul(TAR_OVERHEAD_PER_ENTRY))
    }
}

/// Running totals for one upload, checked against its limits, and the scratch file its files
/// are unpacked into.
pub(super) struct Budget<'a> {
    limits: &'a ArchiveLimits,
    input_len: u64,
    entries: usize,
    total: u64,
    scratch: Scratch,
    buffer: Vec<u8>,
}

impl<'a> Budget<'a> {
    pub(super) fn new(limits: &'a ArchiveLimits, input_len: usize) -> Result<Self, ArchiveError> {
        Ok(Self {
            limits,
            input_len: u64::try_from(input_len).unwrap_or(u64::MAX),
            entries: 0,
            total: 0,
            scratch: Scratch::new()?,
            buffer: vec![0; BUFFER_BYTES],
        })
    }

    /// Done unpacking: the scratch file holding every file read.
    pub(super) fn into_scratch(self) -> Scratch {
        self.scratch
    }

    pub(super) fn limits(&self) -> &'a ArchiveLimits {
        self.limits
    }

    /// Cap on the whole decompressed tar stream, see
    /// [`ArchiveLimits::tar_stream_cap`].
    pub(super) fn tar_stream_cap(&self) -> u64 {
        self.limits.tar_stream_cap()
    }

    /// Counts one more entry, named `path` in the archive.
    pub(super) fn count_entry(&mut self, path: &str) -> Result<(), ArchiveError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                limit: self.limits.max_entries,
                path: Some(path.to_owned()),
            });
        }
        Ok(())
    }

    /// Reads a regular file's contents to the end into the scratch file, checking the
    /// per-file, total and ratio limits after every chunk so that a bomb is stopped early;
    /// never reads more than one chunk past a size limit, and holds no more than one chunk.
    pub(super) fn read_file<R: Read>(
        &mut self,
        format: ArchiveFormat,
        path: &str,
        mut reader: R,
    ) -> Result<Extent, ArchiveError> {
        let limits = self.limits;
        let offset = self.scratch.position();
        let mut len = 0u64;
        loop {
            let file_room = limits.max_file_bytes.saturating_sub(len);
            let total_room = limits.max_total_bytes.saturating_sub(self.total);
            let want = file_room.min(total_room).saturating_add(1).min(BUFFER_BYTES as u64) as usize;
            let read = match reader.read(&mut self.buffer[..want]) {
                Ok(0) => return Ok(Extent { offset, len }),
                Ok(read) => read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(corrupt(format, Some(path), e)),
            };
            len += read as u64;
            self.total = self.total.saturating_add(read as u64);
            if len > limits.max_file_bytes {
                return Err(ArchiveError::FileTooLarge {
                    path: path.to_owned(),
                    limit: limits.max_file_bytes,
                });
            }
            if self.total > limits.max_total_bytes {
                return Err(ArchiveError::TotalTooLarge {
                    path: path.to_owned(),
                    limit: limits.max_total_bytes,
                });
            }
            let ratio_cap = u128::from(limits.max_ratio) * u128::from(self.input_len);
            if self.total > RATIO_FLOOR_BYTES && u128::from(self.total) > ratio_cap {
                return Err(ArchiveError::CompressionRatio {
                    path: path.to_owned(),
                    limit: limits.max_ratio,
                });
            }
            self.scratch.append(&self.buffer[..read])?;
        }
    }
}

/// Marker error returned by [`CappedReader`] once its cap is exceeded.
#[derive(Debug)]
pub(super) struct StreamCapExceeded {
    pub(super) cap: u64,
}

impl fmt::Display for StreamCapExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "decompressed stream exceeds {} bytes", self.cap)
    }
}

impl StdError for StreamCapExceeded {}

/// A reader that fails with [`StreamCapExceeded`] instead of yielding more
/// than `cap` bytes in total.
pub(super) struct CappedReader<R> {
    inner: R,
    cap: u64,
    read: u64,
}

impl<R: Read> CappedReader<R> {
    pub(super) fn new(inner: R, cap: u64) -> Self {
        Self { inner, cap, read: 0 }
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.cap.saturating_sub(self.read).saturating_add(1);
        let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.read += n as u64;
        if self.read > self.cap {
            return Err(io::Error::other(StreamCapExceeded { cap: self.cap }));
        }
        Ok(n)
    }
}

/// Maps an I/O error met while decoding the archive to an [`ArchiveError`]:
/// [`ArchiveError::MetadataTooLarge`] when it is (or wraps) a
/// [`StreamCapExceeded`], [`ArchiveError::Corrupt`] otherwise.
pub(super) fn corrupt(format: ArchiveFormat, entry: Option<&str>, err: io::Error) -> ArchiveError {
    let mut source: Option<&(dyn StdError + 'static)> = err.get_ref().map(|e| e as _);
    while let Some(e) = source {
        if let Some(cap) = e.downcast_ref::<StreamCapExceeded>() {
            return ArchiveError::MetadataTooLarge { limit: cap.cap, entry: entry.map(str::to_owned) };
        }
        source = e.source();
    }
    let reason = crate::text::printable_detail(&err.to_string());
    ArchiveError::Corrupt { format, entry: entry.map(str::to_owned), reason }
}
