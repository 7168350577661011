//! Checking uploaded provider packages and computing their hashes.

use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};

use sha2::{Digest, Sha256};

use super::dirhash::h1_of_digests;
use super::zip_entries::{read_files, unreadable, FileDigest, CHUNK_BYTES};
use super::ProviderError;
use crate::types::{validate_type, Platform};

/// Limits applied while reading a provider package, to refuse zip bombs and
/// oversized packages before they cost time.
///
/// Sizes count the bytes actually decompressed; the sizes zip headers
/// declare are never trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageLimits {
    /// Most entries the zip may hold.
    pub max_entries: usize,
    /// Most bytes all files may unpack to together.
    pub max_total_bytes: u64,
    /// Most times the unpacked total may exceed the zip's size. Only enforced
    /// once more than 1 MiB has been unpacked, so small, very compressible
    /// packages always pass.
    pub max_ratio: u64,
}

impl Default for PackageLimits {
    /// 64 entries, 1 GiB unpacked, and a ratio of at most 100 (once more than
    /// 1 MiB is unpacked). Real provider executables compress 2 to 4 times.
    fn default() -> PackageLimits {
        PackageLimits { max_entries: 64, max_total_bytes: 1 << 30, max_ratio: 100 }
    }
}

/// A provider package that passed [`check_package`] or
/// [`check_package_reader`], with its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckedPackage {
    /// `zh:` and the lower-case hex SHA-256 of the zip file: the hash
    /// Terraform's lock file records for a package it has not unpacked.
    pub zh: String,
    /// The lower-case hex SHA-256 of the zip file, as listed in `SHA256SUMS`
    /// and served as `shasum`.
    pub sha256: String,
    /// The `h1:` hash of the package's files (see [`h1_of_files`](super::h1_of_files)):
    /// the hash Terraform's lock file records for the unpacked package.
    pub h1: String,
    /// The name of the zip entry Terraform will run, at the package's root.
    pub executable: String,
    /// The size of the zip file in bytes.
    pub size: u64,
}

/// Checks an uploaded provider package held in memory, for provider type
/// `type_` on `platform`, and computes its hashes.
///
/// The same as [`check_package_reader`] over a [`Cursor`] on `zip`. Refused:
///
/// - anything that is not a readable zip, and entries that fail their CRC or
///   hold another size than declared;
/// - directory entries: Terraform's `h1:` hash covers the unpacked files only,
///   so a zip hashes the same only without them;
/// - unsafe names: empty, not UTF-8, absolute, with a `.`, `..` or empty
///   component, a backslash, a colon or a control character;
/// - symbolic links and other entries that are not regular files (by their
///   unix mode), encrypted entries, compression other than stored and
///   deflated;
/// - repeated names, names equal but for case, and a file where another
///   entry needs a folder;
/// - more entries, more unpacked bytes or a higher compression ratio than
///   `limits` allow;
/// - a package without its executable at the root: a file named
///   `terraform-provider-{type}` or `terraform-provider-{type}_*` or, for
///   `windows`, `terraform-provider-{type}.exe` or
///   `terraform-provider-{type}_*.exe`. Files in subfolders never count;
/// - a package in which Terraform would run another file than that
///   executable: it runs the first root file, in name order, named
///   `terraform-provider-{type}` followed by nothing, `_` or `.`.
///
/// When several files qualify, [`CheckedPackage::executable`] is the first in
/// name order, the one Terraform runs.
///
/// Also refused, as not a readable zip: a central directory that takes more
/// than 16 MiB with the end records after it (a real provider package's takes
/// a few hundred bytes).
pub fn check_package(
    zip: &[u8],
    type_: &str,
    platform: &Platform,
    limits: &PackageLimits,
) -> Result<CheckedPackage, ProviderError> {
    check_package_reader(Cursor::new(zip), type_, platform, limits)
}

/// Checks an uploaded provider package read from `reader`, for provider type
/// `type_` on `platform`, and computes its hashes, with exactly the checks,
/// limits and errors of [`check_package`].
///
/// The package is the whole content of `reader`, from offset 0 to the end
/// (found by seeking there), whatever its current position: typically a
/// temporary [`File`](std::fs::File) holding an upload. It is never read in
/// memory whole: memory use is that of its central directory (refused past
/// 16 MiB) and of a few 64 KiB buffers, however large the package. The
/// content is read once to check and hash each file, then once more to
/// compute [`CheckedPackage::sha256`].
///
/// Errors reading `reader` are refusals too, as [`ProviderError::NotAZip`]
/// (or [`ProviderError::Corrupt`] while reading an entry), as is a package
/// that ends before the length first found.
pub fn check_package_reader<R: Read + Seek>(
    mut reader: R,
    type_: &str,
    platform: &Platform,
    limits: &PackageLimits,
) -> Result<CheckedPackage, ProviderError> {
    validate_type(type_)?;
    let size = reader.seek(SeekFrom::End(0)).map_err(unreadable)?;
    let mut files = read_files(&mut reader, size, limits)?;
    let executable = find_executable(&files, type_, platform)?.to_owned();
    let h1 = h1_of_file_digests(&mut files)?;
    let sha256 = sha256_of(&mut reader, size)?;
    Ok(CheckedPackage { zh: format!("zh:{sha256}"), sha256, h1, executable, size })
}

/// The lower-case hex SHA-256 of the first `len` bytes of `reader`, streamed
/// in [`CHUNK_BYTES`] chunks.
fn sha256_of<R: Read + Seek>(reader: &mut R, len: u64) -> Result<String, ProviderError> {
    reader.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut chunks = BufReader::with_capacity(CHUNK_BYTES, reader.take(len));
    let read = io::copy(&mut chunks, &mut hasher).map_err(unreadable)?;
    if read != len {
        return Err(ProviderError::NotAZip { reason: format!("it ended after {read} of its {len} bytes") });
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Computes the `h1:` hash of a zip's files, as Go's `dirhash.HashZip` and
/// Terraform do.
///
/// The zip goes through the same checks as in [`check_package`], under
/// [`PackageLimits::default`], except the one for an executable: a zip with
/// directory entries, unsafe names or anything else refused there has no
/// `h1:` hash that Terraform would agree on.
pub fn h1_of_zip(zip: &[u8]) -> Result<String, ProviderError> {
    let mut files = read_files(&mut Cursor::new(zip), zip.len() as u64, &PackageLimits::default())?;
    h1_of_file_digests(&mut files)
}

fn h1_of_file_digests(files: &mut [FileDigest]) -> Result<String, ProviderError> {
    let mut digests: Vec<(&str, [u8; 32])> = files.iter().map(|f| (f.name.as_str(), f.sha256)).collect();
    h1_of_digests(&mut digests)
}

/// Finds the executable Terraform will run, and checks it is properly named.
fn find_executable<'f>(
    files: &'f [FileDigest],
    type_: &str,
    platform: &Platform,
) -> Result<&'f str, ProviderError> {
    let prefix = format!("terraform-provider-{type_}");
    let root_files = || files.iter().map(|f| f.name.as_str()).filter(|name| !name.contains('/'));
    // Terraform's own rule, from its provider cache: the first matching file
    // in name order.
    let picked = root_files()
        .filter(|name| {
            name.strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_') || rest.starts_with('.'))
        })
        .min();
    let proper = |name: &str| {
        let Some(rest) = name.strip_prefix(prefix.as_str()) else { return false };
        if platform.is_windows() {
            rest == ".exe" || (rest.starts_with('_') && rest.ends_with(".exe"))
        } else {
            rest.is_empty() || rest.starts_with('_')
        }
    };
    if let Some(picked) = picked.filter(|name| proper(name)) {
        return Ok(picked);
    }
    match (root_files().filter(|name| proper(name)).min(), picked) {
        (Some(executable), Some(picked)) => Err(ProviderError::ShadowedExecutable {
            type_name: type_.to_owned(),
            executable: executable.to_owned(),
            picked: picked.to_owned(),
        }),
        _ => Err(ProviderError::MissingExecutable {
            type_name: type_.to_owned(),
            expected: if platform.is_windows() {
                format!("a file named {prefix}.exe or {prefix}_*.exe, for windows")
            } else {
                format!("a file named {prefix} or {prefix}_*")
            },
        }),
    }
}
