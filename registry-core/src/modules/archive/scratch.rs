//! Where the files of an upload wait between unpacking and re-packing: one unnamed temporary
//! file holding their contents end to end, so memory stays small whatever the archive holds.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use super::ArchiveError;

/// Size of the buffers between the archive readers, the temporary files and the writer.
pub(super) const BUFFER_BYTES: usize = 64 * 1024;

/// Where one file's contents lie in the [`Scratch`] file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Extent {
    /// Offset of the first byte.
    pub(super) offset: u64,
    /// Length in bytes.
    pub(super) len: u64,
}

/// The unpacked contents of an upload, appended one file after the other.
pub(super) struct Scratch {
    writer: BufWriter<File>,
    len: u64,
}

impl Scratch {
    /// An empty scratch file.
    pub(super) fn new() -> Result<Self, ArchiveError> {
        let file = tempfile::tempfile().map_err(temp_file)?;
        Ok(Self { writer: BufWriter::with_capacity(BUFFER_BYTES, file), len: 0 })
    }

    /// Where the next file starts.
    pub(super) fn position(&self) -> u64 {
        self.len
    }

    /// Appends part of a file's contents.
    pub(super) fn append(&mut self, data: &[u8]) -> Result<(), ArchiveError> {
        self.writer.write_all(data).map_err(temp_file)?;
        self.len += data.len() as u64;
        Ok(())
    }

    /// Done writing: the file to read the contents back from.
    pub(super) fn into_reader(self) -> Result<ScratchReader, ArchiveError> {
        let file = self.writer.into_inner().map_err(|e| temp_file(e.into_error()))?;
        Ok(ScratchReader { file })
    }
}

/// The scratch file, read back one file at a time.
pub(super) struct ScratchReader {
    file: File,
}

impl ScratchReader {
    /// A reader of exactly the bytes of `extent`.
    pub(super) fn open(&mut self, extent: Extent) -> io::Result<impl Read + '_> {
        self.file.seek(SeekFrom::Start(extent.offset))?;
        Ok((&mut self.file).take(extent.len))
    }
}

/// The error for a temporary file that cannot be written or read (a fault of the server, not
/// of the upload).
pub(super) fn temp_file(err: io::Error) -> ArchiveError {
    ArchiveError::TempFile { reason: err.to_string() }
}
