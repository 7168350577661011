//! Validation and normalisation of uploaded module archives.
//!
//! Terraform downloads module packages with go-getter and unpacks them
//! itself, so whatever the registry stores ends up on the machines of every
//! user of the module. [`normalize_module_archive`] therefore takes an
//! untrusted upload (`.tar.gz` or `.zip`), unpacks it entry by entry into an
//! unnamed temporary file (never onto a real path, and never whole in
//! memory), refuses anything unsafe or surprising (links, devices, path
//! traversal, archive bombs, …) and, only when every check has passed,
//! produces a deterministic `.tar.gz` holding the module's regular files at
//! the archive root, in another temporary file
//! ([`normalize_module_archive_to_file`]). Memory stays at a few hundred
//! kilobytes beyond the input whatever the archive unpacks to.
//!
//! The output is byte-identical for the same set of files (same paths,
//! contents and executable bits), whatever order, wrapping folder, timestamps
//! or owners the upload had, so its SHA-256 can be used as a stable checksum.
//! It is built with the `flate2` deflate implementation compiled into this
//! crate; upgrading that implementation may change the compressed bytes.

mod error;
mod limits;
mod output;
mod path;
mod scratch;
pub(crate) mod sources;
mod tar_input;
mod zip_input;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::HashSet;
use std::fmt;

use bytes::Bytes;
use sha2::{Digest, Sha256};

pub use error::ArchiveError;
pub use limits::ArchiveLimits;
pub use output::ArchiveFile;
pub use sources::{SourceFile, Sources, SOURCES_LIMIT, SOURCE_FILE_LIMIT};

use limits::Budget;
use scratch::Extent;

/// The container formats accepted for module uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArchiveFormat {
    /// A POSIX/GNU tar archive compressed with gzip (`.tar.gz`, `.tgz`).
    TarGz,
    /// A zip archive with stored or deflated entries.
    Zip,
}

impl ArchiveFormat {
    /// The conventional file extension, including the leading dot.
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => ".tar.gz",
            ArchiveFormat::Zip => ".zip",
        }
    }
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Detects the archive format from the input's leading magic bytes.
///
/// Gzip streams start with `1f 8b`; zip archives with a local file header
/// (`PK\x03\x04`) or, when empty, with the end-of-central-directory record
/// (`PK\x05\x06`). Only the signature is looked at: a gzip stream that does
/// not contain a tar archive is detected as [`ArchiveFormat::TarGz`] and then
/// refused by [`normalize_module_archive`].
pub fn detect_format(input: &[u8]) -> Option<ArchiveFormat> {
    if input.starts_with(&[0x1f, 0x8b]) {
        Some(ArchiveFormat::TarGz)
    } else if input.starts_with(b"PK\x03\x04") || input.starts_with(b"PK\x05\x06") {
        Some(ArchiveFormat::Zip)
    } else {
        None
    }
}

/// A module package that passed every check, re-packed in canonical form in a temporary file
/// (see [`normalize_module_archive_to_file`]).
#[derive(Debug)]
pub struct NormalizedArchive {
    /// The normalised archive, as in [`NormalizedModule::tar_gz`].
    pub archive: ArchiveFile,
    /// Relative paths of the files in the archive, `/`-separated and sorted in byte order.
    pub files: Vec<String>,
    /// Total size of the files' contents, in bytes.
    pub unpacked_bytes: u64,
    /// The files the module's documentation is read from (see [`Sources`]).
    pub sources: Sources,
}

/// A module package that passed every check, re-packed in canonical form, in memory (see
/// [`normalize_module_archive`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedModule {
    /// The normalised archive: a gzip-compressed tar of regular files only,
    /// sorted by path, with the module's files at the archive root.
    pub tar_gz: Bytes,
    /// Lowercase hex SHA-256 of [`tar_gz`](Self::tar_gz).
    pub sha256: String,
    /// Relative paths of the files in the archive, `/`-separated and sorted
    /// in byte order (the order they appear in [`tar_gz`](Self::tar_gz)).
    pub files: Vec<String>,
    /// Total size of the files' contents, in bytes.
    pub unpacked_bytes: u64,
}

/// Validates an uploaded module archive and re-packs it as a normalised
/// `.tar.gz`.
///
/// The input must be a `.tar.gz` or a `.zip` (see [`detect_format`]). Every
/// entry is read and checked against `limits` and the rules below before
/// anything is returned, so on `Err` the caller has nothing to store:
///
/// - only regular files and directories are allowed: links, devices, FIFOs,
///   sparse files and encrypted zip entries are refused;
/// - entry paths must be relative, without `..` components, backslashes,
///   control characters or Windows drive prefixes; a leading `./` and
///   repeated `/` are removed, and two entries may not end up with the same
///   path, nor may a file's path be another file's parent directory;
/// - entry count, per-file size, total unpacked size and compression ratio
///   are limited by [`ArchiveLimits`], counting bytes as actually
///   decompressed rather than as declared by the archive's headers;
/// - macOS metadata (`__MACOSX/`, `._*`, `.DS_Store`) is dropped;
/// - when every file is inside the same top-level folder and that folder holds
///   Terraform files itself (as in GitHub's `repo-v1.2.0/…` tarballs), that
///   one folder is removed from every path; a module whose only files are in
///   one subfolder (`modules/child/main.tf`) is kept as it is;
/// - the result must contain at least one `.tf` or `.tf.json` file.
///
/// The output holds regular files only (no directory entries), sorted by
/// path, with mode `0644` (or `0755` when the uploaded entry had any execute
/// bit), owner and group 0 with empty names, and a fixed modification time
/// of 1; the gzip header has no file name and a zero timestamp.
///
/// The normalised archive is read back into memory; the registry itself uses
/// [`normalize_module_archive_to_file`], which returns it in a temporary file.
///
/// This is CPU-bound and blocking; run it on a blocking thread.
pub fn normalize_module_archive(
    input: &[u8],
    limits: &ArchiveLimits,
) -> Result<NormalizedModule, ArchiveError> {
    let NormalizedArchive { mut archive, files, unpacked_bytes, .. } =
        normalize_module_archive_to_file(input, limits)?;
    let mut tar_gz = Vec::with_capacity(usize::try_from(archive.size).unwrap_or(0));
    std::io::Read::read_to_end(&mut archive.file, &mut tar_gz).map_err(scratch::temp_file)?;
    debug_assert_eq!(hex::encode(Sha256::digest(&tar_gz)), archive.sha256);
    Ok(NormalizedModule { tar_gz: Bytes::from(tar_gz), sha256: archive.sha256, files, unpacked_bytes })
}

/// Checks and normalises an upload as [`normalize_module_archive`] does, unpacking through one
/// temporary file and writing the result to another, so memory use does not grow with what
/// the archive unpacks to. Only the input is in memory.
///
/// This is CPU-bound and blocking; run it on a blocking thread.
pub fn normalize_module_archive_to_file(
    input: &[u8],
    limits: &ArchiveLimits,
) -> Result<NormalizedArchive, ArchiveError> {
    normalize_module_subdir_to_file(input, limits, None)
}

/// Checks and normalises an archive as [`normalize_module_archive_to_file`] does, keeping only
/// what lies below `subdir` (a location's `//subdir`, relative to the archive's root, where a
/// `*` part stands for the one folder at its level, as in `//*` for a GitHub tarball's top
/// folder) and making that the module's root. Without `subdir`, the same as
/// [`normalize_module_archive_to_file`].
///
/// This is CPU-bound and blocking; run it on a blocking thread.
pub fn normalize_module_subdir_to_file(
    input: &[u8],
    limits: &ArchiveLimits,
    subdir: Option<&str>,
) -> Result<NormalizedArchive, ArchiveError> {
    let format = detect_format(input).ok_or(ArchiveError::NotAnArchive)?;
    let mut budget = Budget::new(limits, input.len())?;
    let files = match format {
        ArchiveFormat::TarGz => tar_input::read_tar_gz(input, &mut budget)?,
        ArchiveFormat::Zip => zip_input::read_zip(input, &mut budget)?,
    };
    let files = match subdir {
        Some(subdir) => select_subdir(files, subdir)?,
        None => files,
    };
    let files = arrange(files)?;
    let mut sources = Sources::default();
    let archive = output::write_tar_gz(&files, budget.into_scratch(), &mut sources)?;
    let unpacked_bytes = files.iter().map(|f| f.extent.len).sum();
    let files = files.into_iter().map(|f| f.path).collect();
    Ok(NormalizedArchive { archive, files, unpacked_bytes, sources })
}

/// Reads the regular files of a `.tar.gz` or `.zip` into memory, with every check of
/// [`normalize_module_archive`] but the need for Terraform files (and no wrapping folder is
/// removed): for bundles that are not modules, such as a provider's documentation. `limits`
/// bound what is read, so keep its sizes small. Files are returned in path order, macOS
/// metadata dropped.
///
/// This is CPU-bound and blocking; run it on a blocking thread.
pub fn read_archive_files(input: &[u8], limits: &ArchiveLimits) -> Result<Vec<SourceFile>, ArchiveError> {
    let format = detect_format(input).ok_or(ArchiveError::NotAnArchive)?;
    let mut budget = Budget::new(limits, input.len())?;
    let mut files = match format {
        ArchiveFormat::TarGz => tar_input::read_tar_gz(input, &mut budget)?,
        ArchiveFormat::Zip => zip_input::read_zip(input, &mut budget)?,
    };
    files.retain(|f| !is_macos_metadata(&f.path));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(pair) = files.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(ArchiveError::DuplicatePath { path: pair[0].path.clone() });
    }
    let mut contents = budget.into_scratch().into_reader()?;
    let mut read = Vec::with_capacity(files.len());
    for file in files {
        let mut bytes = Vec::with_capacity(usize::try_from(file.extent.len).unwrap_or(0));
        std::io::Read::read_to_end(&mut contents.open(file.extent).map_err(scratch::temp_file)?, &mut bytes)
            .map_err(scratch::temp_file)?;
        read.push(SourceFile { path: file.path, bytes });
    }
    Ok(read)
}

/// A regular file read from the upload, with its normalised path.
struct InputFile {
    /// Normalised relative path: non-empty `/`-separated components.
    path: String,
    /// Whether the uploaded entry had any execute permission bit.
    executable: bool,
    /// Where the file's contents lie in the scratch file.
    extent: Extent,
}

/// Keeps the files below `subdir`, relative to it; a `*` part stands for the one folder at its
/// level (go-getter globs the subdirectory and wants exactly one match).
fn select_subdir(mut files: Vec<InputFile>, subdir: &str) -> Result<Vec<InputFile>, ArchiveError> {
    let missing = || ArchiveError::MissingSubdir { subdir: subdir.to_owned() };
    files.retain(|f| !is_macos_metadata(&f.path));
    let mut prefix = String::new();
    for part in subdir.split('/').filter(|p| !p.is_empty()) {
        if part == "*" {
            let mut folders: Vec<&str> = files
                .iter()
                .filter_map(|f| f.path.strip_prefix(prefix.as_str())?.split_once('/').map(|(top, _)| top))
                .collect();
            folders.sort_unstable();
            folders.dedup();
            match folders.as_slice() {
                [one] => prefix = format!("{prefix}{one}/"),
                _ => return Err(missing()),
            }
        } else {
            prefix = format!("{prefix}{part}/");
        }
    }
    files.retain(|f| f.path.starts_with(&prefix));
    if files.is_empty() {
        return Err(missing());
    }
    for file in &mut files {
        file.path.drain(..prefix.len());
    }
    Ok(files)
}

/// Strips a single wrapping folder, sorts by path, and checks for
/// duplicates, file/directory conflicts and the presence of Terraform files.
fn arrange(mut files: Vec<InputFile>) -> Result<Vec<InputFile>, ArchiveError> {
    files.retain(|f| !is_macos_metadata(&f.path));
    if let Some(prefix_len) = common_top_folder(&files).map(str::len) {
        for file in &mut files {
            file.path.drain(..=prefix_len);
        }
    }

    files.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(pair) = files.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(ArchiveError::DuplicatePath { path: pair[0].path.clone() });
    }

    let all: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for file in &files {
        let mut parents = file.path.match_indices('/').map(|(i, _)| &file.path[..i]);
        if let Some(parent) = parents.find(|p| all.contains(p)) {
            return Err(ArchiveError::PathConflict { path: parent.to_owned(), other: file.path.clone() });
        }
    }

    if !files.iter().any(|f| is_terraform_file(&f.path)) {
        return Err(ArchiveError::NoTerraformFiles);
    }
    Ok(files)
}

/// The first path component shared by every file, when no file is at the
/// root (and there is at least one file).
fn common_top_folder(files: &[InputFile]) -> Option<&str> {
    fn top(file: &InputFile) -> Option<&str> {
        file.path.split_once('/').map(|(top, _)| top)
    }
    let first = top(files.first()?)?;
    let wraps_a_module = files.iter().any(|f| {
        f.path
            .strip_prefix(first)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.contains('/') && is_terraform_file(rest))
    });
    (wraps_a_module && files.iter().all(|f| top(f) == Some(first))).then_some(first)
}

/// Whether the path is metadata macOS adds to archives it makes.
fn is_macos_metadata(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.starts_with("__MACOSX/") || name == ".DS_Store" || name.starts_with("._")
}

/// Whether the file name ends in `.tf` or `.tf.json`.
fn is_terraform_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".tf") || name.ends_with(".tf.json")
}
