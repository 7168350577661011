//! The error type of the provider module.

/// Why a provider platform, type name, package or `SHA256SUMS` file was
/// refused.
///
/// Every message says what is wrong and names the value, zip entry or line
/// concerned, so it can be shown as is to whoever uploaded the package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// A platform or provider type name is malformed.
    #[error(transparent)]
    Invalid(#[from] crate::types::InvalidValue),

    /// The package could not be read as a zip archive at all.
    #[error("the package is not a readable zip archive: {reason}")]
    NotAZip {
        /// What the zip reader found wrong.
        reason: String,
    },

    /// One entry of the package could not be read back intact.
    #[error("the package's entry {entry:?} is corrupt: {reason}")]
    Corrupt {
        /// The entry's name in the zip.
        entry: String,
        /// What is wrong with it (bad checksum, size mismatch, truncated data, …).
        reason: String,
    },

    /// The package has a directory entry; provider packages hold files only.
    #[error(
        "the package has a directory entry {entry:?}; provider packages must hold files only \
         (zip it without directory entries, e.g. `zip -D`)"
    )]
    DirectoryEntry {
        /// The entry's name in the zip.
        entry: String,
    },

    /// An entry's name could escape the unpack folder, or would unpack
    /// differently on different systems.
    #[error("the package's entry {entry:?} has an unsafe name: it {reason}")]
    UnsafeName {
        /// The entry's name in the zip (lossily decoded when not UTF-8).
        entry: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An entry is a symbolic link, device or other non-regular file.
    #[error("the package's entry {entry:?} is a {kind}, not a regular file")]
    NotRegularFile {
        /// The entry's name in the zip.
        entry: String,
        /// What kind of entry it is, e.g. `"symbolic link"`.
        kind: String,
    },

    /// An entry is encrypted.
    #[error("the package's entry {entry:?} is encrypted")]
    Encrypted {
        /// The entry's name in the zip.
        entry: String,
    },

    /// An entry uses a compression method other than stored or deflated.
    #[error(
        "the package's entry {entry:?} uses the {method} compression method; only stored and deflated \
         entries are accepted"
    )]
    UnsupportedCompression {
        /// The entry's name in the zip.
        entry: String,
        /// The method it uses.
        method: String,
    },

    /// Two entries have the same name.
    #[error("the package holds more than one entry named {entry:?}")]
    DuplicateEntry {
        /// The repeated name.
        entry: String,
    },

    /// Two entries would land on the same path, or one would need to be both
    /// a file and a folder, once unpacked.
    #[error("the package's entries {entry:?} and {other:?} clash: {reason}")]
    ConflictingEntries {
        /// The later entry in the zip.
        entry: String,
        /// The earlier entry it clashes with.
        other: String,
        /// How they clash.
        reason: &'static str,
    },

    /// The package has more entries than allowed.
    #[error("the package has more than {limit} entries")]
    TooManyEntries {
        /// The limit in force.
        limit: usize,
    },

    /// The package's files unpack to more bytes than allowed.
    #[error("the package's files unpack to more than {limit} bytes (the limit was passed in {entry:?})")]
    TooLarge {
        /// The entry being read when the limit was passed.
        entry: String,
        /// The limit in force, in bytes.
        limit: u64,
    },

    /// The package unpacks to too many times its own size, like a zip bomb.
    #[error(
        "the package's files unpack to more than {limit} times the package's size, like a zip bomb \
         (the limit was passed in {entry:?})"
    )]
    CompressionRatio {
        /// The entry being read when the limit was passed.
        entry: String,
        /// The ratio in force.
        limit: u64,
    },

    /// No file at the package's root is named like the provider's executable.
    #[error(
        "the package has no terraform-provider-{type_name} executable at its root (expected {expected})"
    )]
    MissingExecutable {
        /// The provider type the package was checked for.
        type_name: String,
        /// The names that would have been accepted, in words.
        expected: String,
    },

    /// The package has a proper executable, but Terraform would run another
    /// file instead: the first file at the root, in name order, whose name
    /// starts with `terraform-provider-{type}` followed by `_`, `.` or nothing.
    #[error(
        "the package's executable {executable:?} would not be run: Terraform would pick {picked:?}, the first \
         file at the package's root named terraform-provider-{type_name} or terraform-provider-{type_name}_* \
         or terraform-provider-{type_name}.*"
    )]
    ShadowedExecutable {
        /// The provider type the package was checked for.
        type_name: String,
        /// The file that has a proper executable name.
        executable: String,
        /// The file Terraform would pick instead.
        picked: String,
    },

    /// An `h1:` hash cannot be computed over these file names.
    #[error("cannot compute an h1 hash over the file {name:?}: {reason}")]
    UnhashableName {
        /// The file name.
        name: String,
        /// Why it cannot be hashed.
        reason: &'static str,
    },

    /// A `SHA256SUMS` file is malformed.
    #[error("SHA256SUMS line {line}: {reason}")]
    InvalidShaSums {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
}
