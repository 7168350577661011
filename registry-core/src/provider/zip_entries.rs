//! Reading and checking the entries of an uploaded provider zip.
//!
//! Everything is read in memory and streamed through SHA-256: no file
//! content is buffered, so memory use stays small however large the package.

use std::collections::HashMap;
use std::io::{self, Cursor, Read};

use sha2::{Digest, Sha256};
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

use super::{PackageLimits, ProviderError};
use crate::zip_directory::*;

/// The compression ratio is only enforced once this many bytes have been
/// unpacked, so small, highly compressible packages are never refused.
const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// Size of the buffer entries are read through.
const CHUNK_BYTES: usize = 64 * 1024;

/// Why an entry renamed by an Info-ZIP Unicode Path extra field is refused:
/// Go's zip reader ignores the field, Info-ZIP's `unzip` and the Rust reader
/// honour it.
const RENAMED_BY_EXTRA_FIELD: &str =
    "carries an Info-ZIP Unicode Path field that renames it, so unzip tools disagree on its name";

/// A regular file of the package: its name and the SHA-256 of its content.
#[derive(Debug)]
pub(super) struct FileDigest {
    /// The entry's name, slash-separated and checked safe.
    pub(super) name: String,
    /// SHA-256 of the decompressed content.
    pub(super) sha256: [u8; 32],
}

/// Reads every entry of `zip` (as listed by its central directory, which is
/// what Go's `archive/zip`, and so Terraform, reads), checks it and hashes
/// its content, within `limits`.
///
/// Refuses anything that is not a plain regular file with a safe,
/// unambiguous name: see [`check_package`](super::check_package).
pub(super) fn read_files(zip: &[u8], limits: &PackageLimits) -> Result<Vec<FileDigest>, ProviderError> {
    let too_many = || ProviderError::TooManyEntries { limit: limits.max_entries };
    // Refuse before the zip reader loads a huge central directory.
    if declared_entry_count(zip).is_some_and(|n| n > u64::try_from(limits.max_entries).unwrap_or(u64::MAX)) {
        return Err(too_many());
    }
    let mut archive =
        ZipArchive::new(Cursor::new(zip)).map_err(|e| ProviderError::NotAZip { reason: reason(e) })?;
    if archive.len() > limits.max_entries {
        return Err(too_many());
    }
    let raw_names = raw_central_names(zip, &archive, limits.max_entries)?;
    if raw_names.len() > limits.max_entries {
        return Err(too_many());
    }

    let mut budget = Budget { limits, zip_len: zip.len() as u64, total: 0 };
    let mut buffer = vec![0u8; CHUNK_BYTES];
    let mut files = Vec::with_capacity(archive.len());
    let mut seen: HashMap<String, Seen> = HashMap::new();
    for (index, raw) in raw_names.iter().enumerate() {
        let name = check_name(raw)?;
        let (mode, encrypted, method, declared) = {
            let entry = archive.by_index_raw(index).map_err(|e| corrupt(name, e))?;
            if entry.name_raw() != *raw {
                return Err(ProviderError::UnsafeName {
                    entry: name.to_owned(),
                    reason: RENAMED_BY_EXTRA_FIELD,
                });
            }
            (entry.unix_mode().unwrap_or(0), entry.encrypted(), entry.compression(), entry.size())
        };
        if name.ends_with('/') || mode & S_IFMT == S_IFDIR {
            return Err(ProviderError::DirectoryEntry { entry: name.to_owned() });
        }
        if let Some(kind) = special_kind(mode) {
            return Err(ProviderError::NotRegularFile { entry: name.to_owned(), kind });
        }
        if encrypted {
            return Err(ProviderError::Encrypted { entry: name.to_owned() });
        }
        if !matches!(method, CompressionMethod::Stored | CompressionMethod::Deflated) {
            return Err(ProviderError::UnsupportedCompression {
                entry: name.to_owned(),
                method: method.to_string(),
            });
        }
        check_clashes(name, files.len(), &files, &mut seen)?;

        let entry = archive.by_index(index).map_err(|e| corrupt(name, e))?;
        let (sha256, size) = budget.hash(name, entry, &mut buffer)?;
        if size != declared {
            return Err(ProviderError::Corrupt {
                entry: name.to_owned(),
                reason: format!("the zip declares {declared} bytes but the entry holds {size}"),
            });
        }
        files.push(FileDigest { name: name.to_owned(), sha256 });
    }
    Ok(files)
}

/// Running total of decompressed bytes, checked against the limits.
struct Budget<'a> {
    limits: &'a PackageLimits,
    zip_len: u64,
    total: u64,
}

impl Budget<'_> {
    /// Streams one entry through SHA-256, counting the bytes actually
    /// decompressed (never the sizes headers declare) and stopping as soon
    /// as a limit is passed. Returns the digest and the content's size.
    fn hash(
        &mut self,
        name: &str,
        mut reader: impl Read,
        buffer: &mut [u8],
    ) -> Result<([u8; 32], u64), ProviderError> {
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            let read = match reader.read(buffer) {
                Ok(0) => return Ok((hasher.finalize().into(), size)),
                Ok(read) => read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(ProviderError::Corrupt { entry: name.to_owned(), reason: e.to_string() })
                }
            };
            hasher.update(&buffer[..read]);
            size += read as u64;
            self.total = self.total.saturating_add(read as u64);
            if self.total > self.limits.max_total_bytes {
                return Err(ProviderError::TooLarge {
                    entry: name.to_owned(),
                    limit: self.limits.max_total_bytes,
                });
            }
            let ratio_cap = u128::from(self.limits.max_ratio) * u128::from(self.zip_len);
            if self.total > RATIO_FLOOR_BYTES && u128::from(self.total) > ratio_cap {
                return Err(ProviderError::CompressionRatio {
                    entry: name.to_owned(),
                    limit: self.limits.max_ratio,
                });
            }
        }
    }
}

/// Checks an entry's raw name and returns it as text.
///
/// Refused: empty names, names that are not UTF-8, control characters
/// (newlines included, which dirhash cannot hash), backslashes, colons
/// (drive letters and alternate data streams on Windows), absolute paths
/// and `.`, `..` or empty path components. The last three also keep the
/// zip's names identical to the unpacked paths, so the `h1:` hash of the
/// zip equals the one Terraform computes over the unpacked folder. One
/// trailing `/` (a directory entry) is let through for the caller to refuse.
fn check_name(raw: &[u8]) -> Result<&str, ProviderError> {
    let unsafe_name =
        |entry: &str, reason| Err(ProviderError::UnsafeName { entry: entry.to_owned(), reason });
    let Ok(name) = std::str::from_utf8(raw) else {
        return unsafe_name(&String::from_utf8_lossy(raw), "is not valid UTF-8");
    };
    if name.is_empty() {
        return unsafe_name(name, "is empty");
    }
    if name.chars().any(char::is_control) {
        return unsafe_name(name, "contains a control character");
    }
    if name.contains('\\') {
        return unsafe_name(name, "contains a backslash");
    }
    if name.contains(':') {
        return unsafe_name(name, "contains a colon, which Windows reads as a drive or a data stream");
    }
    if name.starts_with('/') {
        return unsafe_name(name, "is an absolute path");
    }
    let path = name.strip_suffix('/').unwrap_or(name);
    for component in path.split('/') {
        match component {
            ".." => return unsafe_name(name, "climbs out of the package folder with `..`"),
            "." => return unsafe_name(name, "has a `.` path component"),
            "" => return unsafe_name(name, "has an empty path component (`//`)"),
            _ => {}
        }
    }
    Ok(name)
}

/// What a lower-cased path of the package was first seen as.
struct Seen {
    /// Index in the package's files of the file that brought the path in.
    index: usize,
    /// The path with its original case.
    path: String,
    /// Whether the path is a file (or else a folder holding files).
    is_file: bool,
}

/// Refuses a file whose unpacked path would clash with an earlier file's:
/// names equal but for case (one file on macOS and Windows), a file where
/// another needs a folder, or folders whose names differ only in case.
///
/// `seen` maps the lower-cased paths of the earlier files and of their
/// folders to what they were; `index` is the new file's index in `files`.
fn check_clashes(
    name: &str,
    index: usize,
    files: &[FileDigest],
    seen: &mut HashMap<String, Seen>,
) -> Result<(), ProviderError> {
    let clash = |other: &Seen, reason| {
        Err(ProviderError::ConflictingEntries {
            entry: name.to_owned(),
            other: files[other.index].name.clone(),
            reason,
        })
    };
    let lower = name.to_lowercase();
    if let Some(other) = seen.get(&lower) {
        return if other.is_file {
            clash(
                other,
                "their names differ only in case, so they would unpack to the same file on macOS and Windows",
            )
        } else {
            clash(other, "the first would be a file where the second needs a folder")
        };
    }
    for (cut, _) in name.match_indices('/') {
        let folder = &name[..cut];
        let key = folder.to_lowercase();
        match seen.get(&key) {
            Some(other) if other.is_file => {
                return clash(other, "the first needs a folder where the second is a file")
            }
            Some(other) if other.path != folder => {
                return clash(other, "they are in folders whose names differ only in case")
            }
            Some(_) => {}
            None => {
                seen.insert(key, Seen { index, path: folder.to_owned(), is_file: false });
            }
        }
    }
    seen.insert(lower, Seen { index, path: name.to_owned(), is_file: true });
    Ok(())
}

/// Describes a unix file type other than regular file and directory.
fn special_kind(mode: u32) -> Option<String> {
    let kind = match mode & S_IFMT {
        0 | S_IFREG | S_IFDIR => return None,
        S_IFLNK => "symbolic link",
        S_IFCHR => "character device",
        S_IFBLK => "block device",
        S_IFIFO => "named pipe",
        S_IFSOCK => "socket",
        other => return Some(format!("entry of unknown unix file type {other:o}")),
    };
    Some(kind.to_owned())
}

/// The raw names of the central directory's headers, in order, read
/// straight from the bytes; at most `max_entries + 1` of them.
///
/// The zip reader keeps a single entry per name and lets an Info-ZIP Unicode
/// Path field replace a name, which Go's reader ignores: reading the headers
/// directly finds repeated names, and lets the caller compare names.
fn raw_central_names<'z>(
    zip: &'z [u8],
    archive: &ZipArchive<Cursor<&[u8]>>,
    max_entries: usize,
) -> Result<Vec<&'z [u8]>, ProviderError> {
    let start = usize::try_from(archive.central_directory_start()).unwrap_or(usize::MAX);
    let names: Vec<&[u8]> = central_names(zip, start).take(max_entries.saturating_add(1)).collect();
    if names.len() == archive.len() || names.len() > max_entries {
        return Ok(names);
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(repeated) = names.iter().find(|name| !seen.insert(**name)) {
        return Err(ProviderError::DuplicateEntry { entry: String::from_utf8_lossy(repeated).into_owned() });
    }
    Err(ProviderError::NotAZip {
        reason: format!(
            "its central directory holds {} entry headers but {} distinct entries could be read",
            names.len(),
            archive.len()
        ),
    })
}

/// Maps an error of the zip reader met while reading entry `name`.
fn corrupt(name: &str, err: ZipError) -> ProviderError {
    ProviderError::Corrupt { entry: name.to_owned(), reason: reason(err) }
}

/// The zip reader's error as text.
fn reason(err: ZipError) -> String {
    match err {
        ZipError::Io(e) => e.to_string(),
        other => other.to_string(),
    }
}
