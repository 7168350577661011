//! Reading `.tar.gz` uploads.

use std::io;

use flate2::bufread::MultiGzDecoder;
use tar::EntryType;

use super::limits::{corrupt, Budget, CappedReader};
use super::{path, ArchiveError, ArchiveFormat, InputFile};

const FORMAT: ArchiveFormat = ArchiveFormat::TarGz;

/// Reads every entry of a gzip-compressed tar, returning its regular files.
///
/// Entries are read in a single streaming pass; pax global headers are
/// skipped, GNU long names and pax extended headers are applied by the tar
/// reader. After the tar's end, the rest of the gzip stream is drained so
/// that its checksum and length trailers are verified.
pub(super) fn read_tar_gz(input: &[u8], budget: &mut Budget<'_>) -> Result<Vec<InputFile>, ArchiveError> {
    // Multi-member streams are accepted, as gzip(1) and Go's compress/gzip do.
    let stream = CappedReader::new(MultiGzDecoder::new(input), budget.tar_stream_cap());
    let mut archive = tar::Archive::new(stream);
    let mut files = Vec::new();
    let mut last: Option<String> = None;

    let entries = archive.entries().map_err(|e| corrupt(FORMAT, None, e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(FORMAT, last.as_deref(), e))?;
        let raw_path = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw_path).into_owned();
        let entry_type = entry.header().entry_type();
        if entry_type == EntryType::XGlobalHeader {
            // Archive-wide metadata (GitHub stores the commit id here).
            continue;
        }
        budget.count_entry(&name)?;
        if let Some(kind) = unsupported_kind(&mut entry, entry_type) {
            return Err(ArchiveError::UnsupportedEntryType { path: name, kind });
        }

        let normalized = path::normalize(&raw_path)?;
        if entry_type == EntryType::Directory || normalized.trailing_slash {
            // Directories are implied by the files' paths in the output; a
            // pre-POSIX directory (regular type, trailing '/') is skipped
            // with any data it claims to have.
            last = Some(name);
            continue;
        }
        if normalized.path.is_empty() {
            return Err(ArchiveError::UnsafePath {
                path: name,
                reason: "names no file (it is the archive root)",
            });
        }

        let mode = entry.header().mode().map_err(|e| corrupt(FORMAT, Some(&name), e))?;
        let declared = entry.size();
        let extent = budget.read_file(FORMAT, &name, &mut entry)?;
        if extent.len != declared {
            return Err(ArchiveError::Corrupt {
                format: FORMAT,
                entry: Some(name),
                reason: format!("the header declares {declared} bytes but only {} could be read", extent.len),
            });
        }
        files.push(InputFile { path: normalized.path, executable: mode & 0o111 != 0, extent });
        last = Some(name);
    }

    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| {
        let mut err = corrupt(FORMAT, last.as_deref(), e);
        if let ArchiveError::Corrupt { reason, .. } = &mut err {
            reason.insert_str(0, "after the end of the tar data: ");
        }
        err
    })?;
    Ok(files)
}

/// Describes an entry that is neither a regular file nor a directory, or
/// `None` when it is one of those.
fn unsupported_kind<R: io::Read>(entry: &mut tar::Entry<'_, R>, ty: EntryType) -> Option<String> {
    let with_target = |kind: &str, entry: &tar::Entry<'_, R>| match entry.link_name_bytes() {
        Some(target) => format!("{kind} to {:?}", String::from_utf8_lossy(&target)),
        None => kind.to_owned(),
    };
    match ty {
        EntryType::Regular | EntryType::Continuous => {
            is_pax_sparse(entry).then(|| "sparse file (GNU pax sparse format)".to_owned())
        }
        EntryType::Directory => None,
        EntryType::Symlink => Some(with_target("symbolic link", entry)),
        EntryType::Link => Some(with_target("hard link", entry)),
        EntryType::Char => Some("character device".to_owned()),
        EntryType::Block => Some("block device".to_owned()),
        EntryType::Fifo => Some("FIFO (named pipe)".to_owned()),
        EntryType::GNUSparse => Some("sparse file".to_owned()),
        other => Some(format!("tar entry of unsupported type {:?}", char::from(other.as_byte()))),
    }
}

/// Whether pax extended headers mark the entry as a GNU sparse file, whose
/// data holds a sparse map rather than the file's contents.
fn is_pax_sparse<R: io::Read>(entry: &mut tar::Entry<'_, R>) -> bool {
    match entry.pax_extensions() {
        Ok(Some(extensions)) => {
            extensions.filter_map(Result::ok).any(|ext| ext.key_bytes().starts_with(b"GNU.sparse."))
        }
        _ => false,
    }
}
