//! Checking uploaded provider packages and computing their hashes.

use sha2::{Digest, Sha256};

use super::dirhash::h1_of_digests;
use super::zip_entries::{read_files, FileDigest};
use super::{validate_type, Platform, ProviderError};

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

/// A provider package that passed [`check_package`], with its hashes.
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

/// Checks an uploaded provider package for provider type `type_` on
/// `platform` and computes its hashes.
///
/// The zip is read entirely in memory. Refused:
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
pub fn check_package(
    zip: &[u8],
    type_: &str,
    platform: &Platform,
    limits: &PackageLimits,
) -> Result<CheckedPackage, ProviderError> {
    validate_type(type_)?;
    let mut files = read_files(zip, limits)?;
    let executable = find_executable(&files, type_, platform)?.to_owned();
    let h1 = h1_of_file_digests(&mut files)?;
    let sha256 = hex::encode(Sha256::digest(zip));
    Ok(CheckedPackage { zh: format!("zh:{sha256}"), sha256, h1, executable, size: zip.len() as u64 })
}

/// Computes the `h1:` hash of a zip's files, as Go's `dirhash.HashZip` and
/// Terraform do.
///
/// The zip goes through the same checks as in [`check_package`], under
/// [`PackageLimits::default`], except the one for an executable: a zip with
/// directory entries, unsafe names or anything else refused there has no
/// `h1:` hash that Terraform would agree on.
pub fn h1_of_zip(zip: &[u8]) -> Result<String, ProviderError> {
    let mut files = read_files(zip, &PackageLimits::default())?;
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
