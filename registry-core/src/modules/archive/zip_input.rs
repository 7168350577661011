//! Reading `.zip` uploads.

use std::collections::HashSet;
use std::io::{self, Cursor};

use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

use super::limits::{corrupt, Budget};
use super::{path, ArchiveError, ArchiveFormat, InputFile};
use crate::zip_directory::*;

const FORMAT: ArchiveFormat = ArchiveFormat::Zip;

/// Reads every entry of a zip archive (as listed by its central directory,
/// like Go's `archive/zip` that go-getter uses), returning its regular files.
pub(super) fn read_zip(input: &[u8], budget: &mut Budget<'_>) -> Result<Vec<InputFile>, ArchiveError> {
    let max_entries = budget.limits().max_entries;
    // Refuse before parsing a directory that would be expensive to load.
    if matches!(declared_entry_count(input, 0), Some(DeclaredCount::Entries(n)) if n > max_entries as u64) {
        return Err(ArchiveError::TooManyEntries { limit: max_entries, path: None });
    }
    let mut archive = ZipArchive::new(Cursor::new(input)).map_err(|e| zip_error(None, e))?;
    check_duplicate_names(input, &archive)?;

    let mut files = Vec::new();
    for index in 0..archive.len() {
        let name = archive.name_for_index(index).unwrap_or_default().to_owned();
        budget.count_entry(&name)?;

        let (kind, executable, method, declared) = {
            let entry = archive.by_index_raw(index).map_err(|e| zip_error(Some(&name), e))?;
            if entry.encrypted() {
                return Err(ArchiveError::Encrypted { path: name });
            }
            let mode = entry.unix_mode().unwrap_or(0);
            (kind_of(&name, mode), mode & 0o111 != 0, entry.compression(), entry.size())
        };
        let is_dir = match kind {
            Ok(is_dir) => is_dir,
            Err(kind) => return Err(ArchiveError::UnsupportedEntryType { path: name, kind }),
        };

        let normalized = path::normalize(name.as_bytes())?;
        if is_dir || normalized.trailing_slash {
            continue;
        }
        if normalized.path.is_empty() {
            return Err(ArchiveError::UnsafePath {
                path: name,
                reason: "names no file (it is the archive root)",
            });
        }
        if !matches!(method, CompressionMethod::Stored | CompressionMethod::Deflated) {
            return Err(ArchiveError::UnsupportedCompression { path: name, method: method.to_string() });
        }

        let entry = archive.by_index(index).map_err(|e| zip_error(Some(&name), e))?;
        let extent = budget.read_file(FORMAT, &name, entry)?;
        if extent.len != declared {
            return Err(ArchiveError::Corrupt {
                format: FORMAT,
                entry: Some(name),
                reason: format!("the directory declares {declared} bytes but the entry holds {}", extent.len),
            });
        }
        files.push(InputFile { path: normalized.path, executable, extent });
    }
    Ok(files)
}

/// `Ok(is_directory)` for files and directories, `Err(description)` for
/// any other kind of entry, from its name and unix mode (0 when unknown).
fn kind_of(name: &str, mode: u32) -> Result<bool, String> {
    match mode & S_IFMT {
        0 | S_IFREG => Ok(name.ends_with('/')),
        S_IFDIR => Ok(true),
        S_IFLNK => Err("symbolic link".to_owned()),
        S_IFCHR => Err("character device".to_owned()),
        S_IFBLK => Err("block device".to_owned()),
        S_IFIFO => Err("FIFO (named pipe)".to_owned()),
        S_IFSOCK => Err("socket".to_owned()),
        other => Err(format!("zip entry of unknown unix file type {other:o}")),
    }
}

/// Maps a zip reader error to [`ArchiveError::Corrupt`].
fn zip_error(entry: Option<&str>, err: ZipError) -> ArchiveError {
    match err {
        ZipError::Io(e) => corrupt(FORMAT, entry, e),
        other => corrupt(FORMAT, entry, io::Error::other(other.to_string())),
    }
}

/// Refuses archives whose central directory lists the same name twice.
///
/// The zip reader keeps only one entry per name, so duplicates are found by
/// walking the central directory's headers and comparing the count.
fn check_duplicate_names(input: &[u8], archive: &ZipArchive<Cursor<&[u8]>>) -> Result<(), ArchiveError> {
    let start = usize::try_from(archive.central_directory_start()).unwrap_or(usize::MAX);
    let listed = central_names(input, start).count();
    if listed <= archive.len() {
        return Ok(());
    }
    let mut seen = HashSet::new();
    let duplicate = central_names(input, start).find(|name| !seen.insert(*name));
    Err(ArchiveError::DuplicatePath {
        path: duplicate.map_or_else(
            || "(an entry whose name differs only in encoding)".to_owned(),
            |name| String::from_utf8_lossy(name).into_owned(),
        ),
    })
}
