//! Writing the normalised, deterministic `.tar.gz`.

use flate2::{Compression, GzBuilder};
use tar::{Builder, EntryType, Header};

use super::{ArchiveError, InputFile};

/// Modification time written for every file. Not 0, which some extractors
/// treat as "unset".
const MTIME: u64 = 1;

/// Writes `files`, already sorted by path, as a gzip-compressed GNU tar with
/// fixed metadata, so that the same files always give the same bytes.
///
/// Each file's contents are released as soon as they are written.
pub(super) fn write_tar_gz(files: Vec<InputFile>, capacity_hint: usize) -> Result<Vec<u8>, ArchiveError> {
    // No file name, mtime 0; flate2 writes OS byte 255 ("unknown") whatever
    // the platform.
    let gz = GzBuilder::new().mtime(0).write(Vec::with_capacity(capacity_hint), Compression::default());
    let mut builder = Builder::new(gz);
    for file in files {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(if file.executable { 0o755 } else { 0o644 });
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(MTIME);
        header.set_size(file.data.len() as u64);
        // Writes a GNU long-name entry first when the path exceeds 100 bytes.
        builder
            .append_data(&mut header, &file.path, file.data.as_slice())
            .map_err(|e| ArchiveError::Output { path: file.path.clone(), reason: e.to_string() })?;
    }
    let finish_error = |e: std::io::Error| ArchiveError::Output {
        path: "(end of archive)".to_owned(),
        reason: e.to_string(),
    };
    let gz = builder.into_inner().map_err(finish_error)?;
    gz.finish().map_err(finish_error)
}
