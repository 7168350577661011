//! Reading `.zip` uploads.

use std::collections::HashSet;
use std::io::{self, Cursor};

use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

use super::limits::{corrupt, Budget};
use super::{path, ArchiveError, ArchiveFormat, InputFile};

const FORMAT: ArchiveFormat = ArchiveFormat::Zip;

/// File type bits of a unix mode (`S_IFMT`) and the types found in zips.
const S_IFMT: u32 = 0o170_000;
const S_IFSOCK: u32 = 0o140_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFREG: u32 = 0o100_000;
const S_IFBLK: u32 = 0o060_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFIFO: u32 = 0o010_000;

const EOCD_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
const EOCD_LEN: usize = 22;
const ZIP64_LOCATOR_SIGNATURE: &[u8; 4] = b"PK\x06\x07";
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIGNATURE: &[u8; 4] = b"PK\x06\x06";
const CENTRAL_HEADER_SIGNATURE: &[u8; 4] = b"PK\x01\x02";
const CENTRAL_HEADER_LEN: usize = 46;

/// Reads every entry of a zip archive (as listed by its central directory,
/// like Go's `archive/zip` that go-getter uses), returning its regular files.
pub(super) fn read_zip(input: &[u8], budget: &mut Budget<'_>) -> Result<Vec<InputFile>, ArchiveError> {
    let max_entries = budget.limits().max_entries;
    // Refuse before parsing a directory that would be expensive to load.
    if declared_entry_count(input).is_some_and(|n| n > max_entries as u64) {
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
        let data = budget.read_file(FORMAT, &name, entry, declared)?;
        if data.len() as u64 != declared {
            return Err(ArchiveError::Corrupt {
                format: FORMAT,
                entry: Some(name),
                reason: format!("the directory declares {declared} bytes but the entry holds {}", data.len()),
            });
        }
        files.push(InputFile { path: normalized.path, executable, data });
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

/// Raw names of the consecutive central directory headers from `start`.
fn central_names(input: &[u8], start: usize) -> impl Iterator<Item = &[u8]> {
    let mut pos = start;
    std::iter::from_fn(move || {
        let header = input.get(pos..pos.checked_add(CENTRAL_HEADER_LEN)?)?;
        if !header.starts_with(CENTRAL_HEADER_SIGNATURE) {
            return None;
        }
        let name_len = usize::from(u16_at(header, 28));
        let extra_len = usize::from(u16_at(header, 30));
        let comment_len = usize::from(u16_at(header, 32));
        let name_start = pos + CENTRAL_HEADER_LEN;
        let name = input.get(name_start..name_start + name_len)?;
        pos = name_start + name_len + extra_len + comment_len;
        Some(name)
    })
}

/// The entry count declared by the end of central directory record (or its
/// zip64 counterpart), when it can be found cheaply and unambiguously.
fn declared_entry_count(input: &[u8]) -> Option<u64> {
    let last = input.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    // The record is followed by its comment, which must end the input.
    let eocd = (first..=last).rev().find(|&pos| {
        input[pos..].starts_with(EOCD_SIGNATURE)
            && pos + EOCD_LEN + usize::from(u16_at(input, pos + 20)) == input.len()
    })?;
    let count = u16_at(input, eocd + 10);
    if count != u16::MAX {
        return Some(u64::from(count));
    }
    let locator = input.get(eocd.checked_sub(ZIP64_LOCATOR_LEN)?..eocd)?;
    if !locator.starts_with(ZIP64_LOCATOR_SIGNATURE) {
        return None;
    }
    let record = usize::try_from(u64_at(locator, 8)).ok()?;
    let zip64 = input.get(record..record.checked_add(56)?)?;
    zip64.starts_with(ZIP64_EOCD_SIGNATURE).then(|| u64_at(zip64, 32))
}

fn u16_at(bytes: &[u8], pos: usize) -> u16 {
    u16::from_le_bytes([bytes[pos], bytes[pos + 1]])
}

fn u64_at(bytes: &[u8], pos: usize) -> u64 {
    let mut le = [0u8; 8];
    le.copy_from_slice(&bytes[pos..pos + 8]);
    u64::from_le_bytes(le)
}
