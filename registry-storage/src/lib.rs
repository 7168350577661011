//! # tfreg-storage
//!
//! The [`tfreg_core::storage::Storage`] trait implemented over [`object_store`]: the local
//! filesystem (the embedded default), memory (for tests), and S3, GCS and Azure Blob for
//! scale-out. There is no database: the object store is the source of truth.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let storage = tfreg_storage::from_url("file://./tfreg-data")?;
//! # Ok(()) }
//! ```
//!
//! ## Key layout
//! The registry decides its keys ([`tfreg_core::storage::layout`]); this crate puts them under the
//! store's prefix unchanged:
//!
//! | key | what | written |
//! | --- | --- | --- |
//! | `modules/{ns}/{name}/{system}/index.json` | a module's version index | compare-and-swap |
//! | `modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz` | a version's archive | create-only |
//! | `_tfreg/url-signing-key` | the secret of download links | create-only |
//! | `_tfreg/master-token.sha256` | a generated master token's hash | create-only |
//!
//! ## Consistency
//! Create-only writes use `PutMode::Create`; index updates use `PutMode::Update` with the etag
//! read (S3 with `If-Match`, GCS generations, Azure etags, memory natively). `object_store`'s
//! local filesystem has no conditional update, so [`ObjectStorage`] does it under an exclusive
//! lock on `<root>/.tfreg.lock` (`flock`), which also holds between processes sharing the
//! folder on one machine.
//!
//! ## Interrupted writes
//! A process killed in the middle of a write leaves, on the local filesystem, the staging file
//! `object_store` writes to before renaming it into place: `{key}#{n}`, e.g.
//! `uploads/{id}/object#1`. `object_store` hides these; [`ObjectStorage`] lists and removes them
//! (`Storage::list_unfinished`, `Storage::delete_unfinished`) by walking the folder. Cloud
//! stores keep incomplete multipart uploads out of sight: give the bucket a lifecycle rule that
//! aborts them (S3 `AbortIncompleteMultipartUpload`).

mod local_lock;
mod local_unfinished;
mod object;
mod url;

pub use object::ObjectStorage;
pub use url::{from_url, ConfigError};
