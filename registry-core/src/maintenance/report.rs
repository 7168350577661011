//! The reports of a store check and of a garbage collection: typed documents, rendered as JSON
//! by `tfreg fsck --output json`.

use serde::{Deserialize, Serialize};

/// What [`Maintenance::check`](super::Maintenance::check) found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// When the check ran (RFC 3339, UTC).
    pub checked_at: String,
    /// The grace period garbage had to be older than to count, in seconds.
    pub grace_secs: u64,
    /// How many module and provider indexes were read.
    pub indexes: usize,
    /// How many objects the indexes reference.
    pub referenced: usize,
    /// How many of them were found intact: present, of the recorded size, and (when content is
    /// verified) of the recorded SHA-256.
    pub objects_verified: usize,
    /// How many bytes were read to verify content.
    pub bytes_verified: u64,
    /// Referenced objects missing or altered, and records that cannot be read.
    pub damaged: Vec<Damage>,
    /// Objects nothing references, what interrupted writes left, and the files of upload
    /// sessions that can no longer be used, young or old.
    pub garbage: Vec<Garbage>,
}

impl CheckReport {
    /// How many problems were found: every damage, and every piece of garbage older than the
    /// grace period (younger garbage may belong to a publish or upload in flight).
    pub fn problems(&self) -> usize {
        self.damaged.len() + self.garbage.iter().filter(|g| g.collectable).count()
    }

    /// Whether no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems() == 0
    }
}

/// A referenced object that is missing or altered, or a record that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Damage {
    /// An index names an object the store does not hold.
    Missing {
        /// The object's key.
        key: String,
        /// The index that names it.
        index: String,
        /// Which entry of the index (`1.0.0`, `1.0.0 linux_amd64`).
        entry: String,
    },
    /// The object's size is not the one its index records.
    WrongSize {
        /// The object's key.
        key: String,
        /// The index that names it.
        index: String,
        /// Which entry of the index.
        entry: String,
        /// The size the index records.
        expected: u64,
        /// The size stored.
        actual: u64,
    },
    /// The object's content is not the one its index records.
    WrongDigest {
        /// The object's key.
        key: String,
        /// The index that names it.
        index: String,
        /// Which entry of the index.
        entry: String,
        /// The SHA-256 the index records.
        expected_sha256: String,
        /// The SHA-256 of what is stored.
        actual_sha256: String,
    },
    /// A version index or upload session record that does not parse, or an index at a key
    /// its content does not belong at. Nothing near it is collected until it is fixed.
    Unreadable {
        /// The record's key.
        key: String,
        /// What kind of record (`module index`, `provider index`, `upload session`).
        what: String,
        /// Why it cannot be used.
        error: String,
    },
}

impl Damage {
    /// The key of the object or record concerned.
    pub fn key(&self) -> &str {
        match self {
            Damage::Missing { key, .. }
            | Damage::WrongSize { key, .. }
            | Damage::WrongDigest { key, .. }
            | Damage::Unreadable { key, .. } => key,
        }
    }
}

/// Something in the store nothing needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Garbage {
    /// Its key (for an unfinished write, the name of what it left, such as
    /// `uploads/{id}/object#1`).
    pub key: String,
    /// What it is.
    pub kind: GarbageKind,
    /// Its size in bytes.
    pub size: u64,
    /// How long ago it was last written, in seconds; `None` when the store does not say (then
    /// it is never collected).
    pub age_secs: Option<u64>,
    /// Whether it is older than the grace period, so a collection removes it.
    pub collectable: bool,
}

/// The kinds of [`Garbage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GarbageKind {
    /// An archive or package in a module's or provider's folder that its index does not name:
    /// a publish killed before it committed the index, or a version unpinned.
    Orphan,
    /// A file of an upload session that expired or whose record is gone, including what an
    /// interrupted upload left.
    Upload,
    /// What a write interrupted by a crash left outside the upload sessions.
    Unfinished,
}

/// What [`Maintenance::collect_garbage`](super::Maintenance::collect_garbage) removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarbageReport {
    /// When the collection ran (RFC 3339, UTC).
    pub collected_at: String,
    /// The grace period, in seconds: nothing younger was removed.
    pub grace_secs: u64,
    /// What was removed.
    pub removed: Vec<Garbage>,
    /// How many bytes that freed.
    pub removed_bytes: u64,
    /// How many pieces of garbage were kept: younger than the grace period, of unknown age, or
    /// referenced again by the time they were to be removed.
    pub kept: usize,
    /// Objects removed that an index named by the time the removal was done: a publish reused
    /// an orphan in the instant between the last look at its index and the removal. Publish
    /// those versions again. Empty but for that race.
    pub lost: Vec<String>,
}
