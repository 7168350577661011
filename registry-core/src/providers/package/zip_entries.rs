//! Reading and checking the entries of an uploaded provider zip.
//!
//! The zip is read through [`Read`] and [`Seek`], never whole: only its end
//! records (at most the last 64 KiB or so) and its central directory (at most
//! [`MAX_CENTRAL_DIRECTORY_BYTES`]) are held in memory, and file contents are
//! streamed through SHA-256 in [`CHUNK_BYTES`] chunks, so memory use stays
//! small however large the package.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

use sha2::{Digest, Sha256};
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

use super::{PackageLimits, ProviderError};
use crate::zip_directory::*;

/// The compression ratio is only enforced once this many bytes have been
/// unpacked, so small, highly compressible packages are never refused.
const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// Size of the buffers entries and whole packages are read through.
pub(super) const CHUNK_BYTES: usize = 64 * 1024;

/// Most bytes the central directory and the end records after it may take.
///
/// A real provider package has a handful of entries, and at most
/// [`PackageLimits::max_entries`] (64 by default), each header taking at most
/// 46 bytes and three 64 KiB fields: 16 MiB holds 64 of the largest headers
/// possible, and thousands of ordinary ones.
pub(super) const MAX_CENTRAL_DIRECTORY_BYTES: u64 = 16 << 20;

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

/// Reads every entry of the zip that is the whole content of `reader`, `len`
/// bytes from offset 0 (as listed by its central directory, which is what
/// Go's `archive/zip`, and so Terraform, reads), checks it and hashes its
/// content, within `limits`.
///
/// Refuses anything that is not a plain regular file with a safe,
/// unambiguous name: see [`check_package`](super::check_package). Errors
/// reading `reader` are [`ProviderError::NotAZip`] (or
/// [`ProviderError::Corrupt`] while reading an entry).
pub(super) fn read_files<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    limits: &PackageLimits,
) -> Result<Vec<FileDigest>, ProviderError> {
    let too_many = || ProviderError::TooManyEntries { limit: limits.max_entries };
    // Refuse before the zip reader loads a huge central directory.
    let tail = Tail::read(reader, len)?;
    let max_entries = u64::try_from(limits.max_entries).unwrap_or(u64::MAX);
    if tail.declared_entry_count(reader, len)?.is_some_and(|n| n > max_entries) {
        return Err(too_many());
    }
    let reader = RefCell::new(reader);
    let mut archive =
        ZipArchive::new(Shared(&reader)).map_err(|e| ProviderError::NotAZip { reason: reason(e) })?;
    if archive.len() > limits.max_entries {
        return Err(too_many());
    }
    let directory =
        tail.central_directory(&mut **reader.borrow_mut(), len, archive.central_directory_start())?;
    let raw_names = raw_central_names(&directory, archive.len(), limits.max_entries)?;
    if raw_names.len() > limits.max_entries {
        return Err(too_many());
    }

    let mut budget = Budget { limits, zip_len: len, total: 0 };
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

/// The last bytes of a zip, where its end of central directory record is.
struct Tail {
    /// The last [`END_RECORDS_MAX_LEN`] bytes of the zip, or all of it.
    bytes: Vec<u8>,
    /// The offset in the zip of the first of `bytes`.
    base: u64,
}

impl Tail {
    /// Reads the last bytes of the `len` bytes of `reader`.
    fn read<R: Read + Seek>(reader: &mut R, len: u64) -> Result<Tail, ProviderError> {
        let base = len.saturating_sub(END_RECORDS_MAX_LEN as u64);
        // At most END_RECORDS_MAX_LEN bytes.
        let bytes = read_region(reader, base, (len - base) as usize)?;
        Ok(Tail { bytes, base })
    }

    /// The entry count the zip declares, when it can be found cheaply and
    /// unambiguously (see [`declared_entry_count`]). A zip64 end of central
    /// directory record outside the tail is read from `reader`.
    fn declared_entry_count<R: Read + Seek>(
        &self,
        reader: &mut R,
        len: u64,
    ) -> Result<Option<u64>, ProviderError> {
        Ok(match declared_entry_count(&self.bytes, self.base) {
            Some(DeclaredCount::Entries(count)) => Some(count),
            Some(DeclaredCount::Zip64RecordAt(start))
                if start.checked_add(ZIP64_EOCD_MIN_LEN as u64).is_some_and(|end| end <= len) =>
            {
                zip64_entry_count(&read_region(reader, start, ZIP64_EOCD_MIN_LEN)?)
            }
            _ => None,
        })
    }

    /// The bytes of the zip from `start`, where the zip reader found its
    /// central directory, to its end: taken from the tail when it holds them,
    /// else read from `reader`. Refuses to hold more than
    /// [`MAX_CENTRAL_DIRECTORY_BYTES`].
    fn central_directory<'t, R: Read + Seek>(
        &'t self,
        reader: &mut R,
        len: u64,
        start: u64,
    ) -> Result<Cow<'t, [u8]>, ProviderError> {
        // The zip reader may place the directory of an empty zip past its end.
        let size = len - start.min(len);
        if size > MAX_CENTRAL_DIRECTORY_BYTES {
            return Err(ProviderError::NotAZip {
                reason: format!(
                    "its central directory and end records take {size} bytes, more than the \
                     {MAX_CENTRAL_DIRECTORY_BYTES} a provider package may use"
                ),
            });
        }
        // At most MAX_CENTRAL_DIRECTORY_BYTES.
        let size = size as usize;
        Ok(match self.bytes.len().checked_sub(size) {
            Some(skip) => Cow::Borrowed(&self.bytes[skip..]),
            None => Cow::Owned(read_region(reader, len - size as u64, size)?),
        })
    }
}

/// Reads the `len` bytes of `reader` from offset `start`.
fn read_region<R: Read + Seek>(reader: &mut R, start: u64, len: usize) -> Result<Vec<u8>, ProviderError> {
    let mut bytes = vec![0; len];
    reader.seek(SeekFrom::Start(start)).map_err(unreadable)?;
    reader.read_exact(&mut bytes).map_err(unreadable)?;
    Ok(bytes)
}

/// Maps an error reading the package itself (not one of its entries).
pub(super) fn unreadable(err: io::Error) -> ProviderError {
    ProviderError::NotAZip { reason: crate::text::printable_detail(&err.to_string()) }
}

/// A handle on a reader shared by the zip reader and [`read_files`], which
/// reads the raw central directory itself once the zip reader has opened the
/// zip. From then on the zip reader seeks to each entry before reading it, so
/// neither depends on where the other left the position.
struct Shared<'r, R>(&'r RefCell<R>);

impl<R: Read> Read for Shared<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl<R: Seek> Seek for Shared<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.borrow_mut().seek(pos)
    }
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
                    return Err(ProviderError::Corrupt {
                        entry: name.to_owned(),
                        reason: crate::text::printable_detail(&e.to_string()),
                    })
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
/// straight from `directory`, the bytes from the central directory's start to
/// the zip's end; at most `max_entries + 1` of them. `entries` is the number
/// of entries the zip reader found.
///
/// The zip reader keeps a single entry per name and lets an Info-ZIP Unicode
/// Path field replace a name, which Go's reader ignores: reading the headers
/// directly finds repeated names, and lets the caller compare names.
fn raw_central_names(
    directory: &[u8],
    entries: usize,
    max_entries: usize,
) -> Result<Vec<&[u8]>, ProviderError> {
    let names: Vec<&[u8]> = central_names(directory, 0).take(max_entries.saturating_add(1)).collect();
    if names.len() == entries || names.len() > max_entries {
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
            entries
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
