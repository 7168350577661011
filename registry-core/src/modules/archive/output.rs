//! Writing the normalised, deterministic `.tar.gz`, into a temporary file, hashing it on the
//! way.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};
use tar::{Builder, EntryType, Header};

use super::scratch::{temp_file, Scratch, BUFFER_BYTES};
use super::sources::Sources;
use super::{ArchiveError, InputFile};

/// Modification time written for every file. Not 0, which some extractors
/// treat as "unset".
const MTIME: u64 = 1;

/// A normalised archive written to an unnamed temporary file.
#[derive(Debug)]
pub struct ArchiveFile {
    /// The file, positioned at its start.
    pub file: File,
    /// Its size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// Writes `files`, already sorted by path, with their contents from `scratch`, as a
/// gzip-compressed GNU tar with fixed metadata, so that the same files always give the same
/// bytes. The files the module's documentation is read from are kept in `sources` on the way.
pub(super) fn write_tar_gz(
    files: &[InputFile],
    scratch: Scratch,
    sources: &mut Sources,
) -> Result<ArchiveFile, ArchiveError> {
    let mut contents = scratch.into_reader()?;
    let out = tempfile::tempfile().map_err(temp_file)?;
    let sink = Hashing { inner: BufWriter::with_capacity(BUFFER_BYTES, out), hasher: Sha256::new(), size: 0 };
    // No file name, mtime 0; flate2 writes OS byte 255 ("unknown") whatever
    // the platform.
    let gz = GzBuilder::new().mtime(0).write(sink, Compression::default());
    let mut builder = Builder::new(gz);
    for file in files {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(if file.executable { 0o755 } else { 0o644 });
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(MTIME);
        header.set_size(file.extent.len);
        let mut data = contents.open(file.extent).map_err(temp_file)?;
        // Writes a GNU long-name entry first when the path exceeds 100 bytes.
        if sources.wants(&file.path, file.extent.len) {
            let mut text = Vec::with_capacity(usize::try_from(file.extent.len).unwrap_or(0));
            io::Read::read_to_end(&mut data, &mut text).map_err(temp_file)?;
            builder
                .append_data(&mut header, &file.path, text.as_slice())
                .map_err(|e| output_error(&file.path, e))?;
            sources.keep(&file.path, text);
        } else {
            builder.append_data(&mut header, &file.path, data).map_err(|e| output_error(&file.path, e))?;
        }
    }
    let finish = |e: io::Error| output_error("(end of archive)", e);
    let sink = builder.into_inner().map_err(finish)?.finish().map_err(finish)?;
    let Hashing { inner, hasher, size } = sink;
    let mut file = inner.into_inner().map_err(|e| temp_file(e.into_error()))?;
    file.seek(SeekFrom::Start(0)).map_err(temp_file)?;
    Ok(ArchiveFile { file, size, sha256: hex::encode(hasher.finalize()) })
}

/// A failure while writing the output: the tar format cannot hold the path, or (for I/O
/// errors) the temporary file could not be written.
fn output_error(path: &str, err: io::Error) -> ArchiveError {
    if err.kind() == io::ErrorKind::InvalidInput || err.kind() == io::ErrorKind::Other {
        ArchiveError::Output { path: path.to_owned(), reason: err.to_string() }
    } else {
        temp_file(err)
    }
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
