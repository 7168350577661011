//! Why an uploaded archive was refused.

use super::ArchiveFormat;

/// Why [`normalize_module_archive`](super::normalize_module_archive) refused
/// an upload.
///
/// Every message is meant to be shown to the person who uploaded the
/// archive: it says what is wrong and, where there is one, names the
/// offending entry (quoted and escaped, as the archive spells it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The input starts with neither the gzip nor the zip signature.
    #[error(
        "upload is not a .tar.gz or .zip archive; package the module with \
         `tar -czf module.tar.gz -C <dir> .` or `zip -r module.zip .` \
         (plain .tar, .tar.bz2, .tar.xz and .7z are not accepted)"
    )]
    NotAnArchive,

    /// The compressed stream or the archive structure could not be read:
    /// truncated upload, bad checksum, invalid headers, trailing garbage.
    #[error("corrupt or truncated {format} archive{}: {reason}", near(.entry))]
    Corrupt {
        /// The format the input was detected as.
        format: ArchiveFormat,
        /// The entry being read, or the last one read, when the problem
        /// was found, if any.
        entry: Option<String>,
        /// What the decoder reported.
        reason: String,
    },

    /// More entries (files, directories and any other kind) than
    /// [`ArchiveLimits::max_entries`](super::ArchiveLimits::max_entries).
    #[error(
        "archive has more than {limit} entries{}; remove files the module does \
         not need (such as .git or .terraform directories)",
        first_over(.path)
    )]
    TooManyEntries {
        /// The limit that was exceeded.
        limit: usize,
        /// The first entry over the limit, when known (a zip archive whose
        /// directory declares too many entries is refused before any is
        /// read).
        path: Option<String>,
    },

    /// A file unpacks to more than
    /// [`ArchiveLimits::max_file_bytes`](super::ArchiveLimits::max_file_bytes).
    #[error("file {path:?} unpacks to more than {limit} bytes, the largest file size allowed")]
    FileTooLarge {
        /// The entry as named in the archive.
        path: String,
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },

    /// The files together unpack to more than
    /// [`ArchiveLimits::max_total_bytes`](super::ArchiveLimits::max_total_bytes).
    #[error(
        "archive unpacks to more than {limit} bytes in total (limit reached \
         while reading {path:?}); remove large files the module does not need"
    )]
    TotalTooLarge {
        /// The entry being read when the limit was reached.
        path: String,
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },

    /// The unpacked size exceeds
    /// [`ArchiveLimits::max_ratio`](super::ArchiveLimits::max_ratio) times
    /// the upload's size: a likely decompression bomb.
    #[error(
        "archive unpacks to more than {limit} times its compressed size (limit \
         reached while reading {path:?}); refusing it as a possible zip bomb"
    )]
    CompressionRatio {
        /// The entry being read when the limit was reached.
        path: String,
        /// The ratio that was exceeded.
        limit: u64,
    },

    /// A tar stream holds far more header, long-name, extended-header or
    /// padding data than its files account for: a likely decompression bomb
    /// hidden outside file contents.
    #[error(
        "the decompressed tar stream exceeds {limit} bytes although its files \
         are within the size limit{}; its headers or padding are oversized",
        near(.entry)
    )]
    MetadataTooLarge {
        /// The limit on the whole decompressed stream, in bytes.
        limit: u64,
        /// The last entry read before the limit was reached, if any.
        entry: Option<String>,
    },

    /// An entry's path could escape the extraction directory or cannot be
    /// represented safely.
    #[error("entry {path:?} has an unsafe path: it {reason}")]
    UnsafePath {
        /// The entry's path as named in the archive (lossily decoded when it
        /// is not UTF-8).
        path: String,
        /// What is wrong with it, as a phrase completing "it …".
        reason: &'static str,
    },

    /// An entry is neither a regular file nor a directory (symbolic or hard
    /// link, device, FIFO, sparse file, …).
    #[error(
        "entry {path:?} is a {kind}; only regular files and directories are \
         allowed (replace links with copies of the files they point to)"
    )]
    UnsupportedEntryType {
        /// The entry as named in the archive.
        path: String,
        /// What kind of entry it is, e.g. `symbolic link to "../x"`.
        kind: String,
    },

    /// A zip entry is encrypted.
    #[error("zip entry {path:?} is encrypted; create the archive without a password")]
    Encrypted {
        /// The entry as named in the archive.
        path: String,
    },

    /// A zip entry uses a compression method other than stored or deflate.
    #[error(
        "zip entry {path:?} uses the {method} compression method; only stored \
         and deflate entries are supported"
    )]
    UnsupportedCompression {
        /// The entry as named in the archive.
        path: String,
        /// The compression method's name.
        method: String,
    },

    /// Two entries have the same path once normalised (leading `./` and
    /// repeated `/` removed, wrapping folder stripped).
    #[error(
        "archive contains {path:?} more than once (paths are compared after \
         removing \"./\" prefixes and repeated \"/\")"
    )]
    DuplicatePath {
        /// The normalised path that occurs more than once.
        path: String,
    },

    /// A file's path is also the parent directory of another file.
    #[error("file {path:?} is also used as a directory by {other:?}")]
    PathConflict {
        /// The normalised path of the file that is also a directory.
        path: String,
        /// The normalised path of a file inside it.
        other: String,
    },

    /// No file name ends in `.tf` or `.tf.json`.
    #[error(
        "archive has no .tf or .tf.json files; a Terraform module needs at \
         least one, at the archive root or inside a single top-level folder"
    )]
    NoTerraformFiles,

    /// The normalised archive could not be written (a path the tar format
    /// cannot hold).
    #[error("could not write {path:?} into the normalised archive: {reason}")]
    Output {
        /// The normalised path being written.
        path: String,
        /// What the tar writer reported.
        reason: String,
    },

    /// The subdirectory a location names (`//subdir`) holds no file of the archive, or a `*`
    /// in it does not stand for exactly one folder.
    #[error("the archive has no subdirectory {subdir:?} (a `*` stands for the one folder at its level)")]
    MissingSubdir {
        /// The subdirectory as the location names it.
        subdir: String,
    },

    /// A temporary file the archive is unpacked into could not be written or read: a fault of
    /// the server (a full disk), not of the upload, and answered as one (500).
    #[error("the server could not unpack the archive into a temporary file: {reason}")]
    TempFile {
        /// What the filesystem reported.
        reason: String,
    },
}

impl ArchiveError {
    /// Whether the archive is at fault (rather than the server).
    pub fn is_upload_error(&self) -> bool {
        !matches!(self, ArchiveError::TempFile { .. })
    }
}

/// `" near entry \"x\""`, or nothing.
fn near(entry: &Option<String>) -> String {
    entry.as_ref().map(|e| format!(" near entry {e:?}")).unwrap_or_default()
}

/// `" (the first one over the limit is \"x\")"`, or nothing.
fn first_over(path: &Option<String>) -> String {
    path.as_ref().map(|p| format!(" (the first one over the limit is {p:?})")).unwrap_or_default()
}
