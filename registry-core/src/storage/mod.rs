//! The storage trait the handlers need: a flat namespace of objects with create-only and
//! compare-and-swap writes, the primitives of object stores such as S3, GCS and Azure Blob.
//!
//! The registry keeps everything in one [`Storage`]: archives, per-module version indexes and
//! its own secrets (hashes only). Where the objects live is described in [`crate::storage::layout`].
//! `tfreg-storage` implements the trait over `object_store`; a host can implement it over
//! anything that offers the same guarantees, and check that with [`crate::storage::conformance`].

pub mod cas;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod layout;
mod metered;

pub(crate) use metered::Metered;

use std::fmt::Debug;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;

/// What a backend knows about one stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// An opaque version tag that changes whenever the object is written; used by
    /// [`PutMode::UpdateIfMatch`].
    pub etag: Option<String>,
    /// When it was last written, in seconds since the Unix epoch, as the backend reports it on
    /// `list`, `head` and reads; `None` when unknown (and in what writes return). The garbage
    /// collection ([`crate::maintenance`]) never removes an object of unknown age.
    pub last_modified: Option<u64>,
}

/// An object read from storage.
#[derive(Clone, Debug)]
pub struct StoredObject {
    /// What the backend knows about it.
    pub info: ObjectInfo,
    /// Its content.
    pub body: Bytes,
}

/// An object's content as a stream of chunks, for objects too large to hold in memory.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, StorageError>> + Send>>;

/// An object read as a stream (see [`Storage::get_stream`]).
pub struct StreamedObject {
    /// What the backend knows about it.
    pub info: ObjectInfo,
    /// Its content, chunk by chunk.
    pub body: ByteStream,
}

impl Debug for StreamedObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamedObject").field("info", &self.info).finish_non_exhaustive()
    }
}

/// Writes one object piece by piece (see [`Storage::writer`]). Nothing is visible under the key
/// until [`ObjectWriter::finish`] succeeds; a writer dropped or aborted before leaves nothing
/// (object stores clean up abandoned multipart uploads themselves or by lifecycle rules).
#[async_trait]
pub trait ObjectWriter: Send {
    /// Appends a chunk. May wait while earlier chunks are uploaded, so memory stays bounded.
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError>;

    /// Completes the object and returns its metadata.
    async fn finish(self: Box<Self>) -> Result<ObjectInfo, StorageError>;

    /// Gives up, discarding what was written.
    async fn abort(self: Box<Self>) -> Result<(), StorageError>;
}

/// A URL presigned for `PUT` (see [`Storage::presign_put`]) and the headers a client must send
/// with it (Azure, for one, needs `x-ms-blob-type: BlockBlob`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedPut {
    /// The URL.
    pub url: String,
    /// Headers to send with the `PUT`, as `(name, value)`.
    pub headers: Vec<(String, String)>,
}

/// How [`Storage::put`] treats an object that exists already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutMode {
    /// Replace whatever is there.
    Overwrite,
    /// Write only if no object has the key; otherwise fail with [`StorageError::AlreadyExists`].
    Create,
    /// Write only if the object exists with this etag; otherwise fail with
    /// [`StorageError::Precondition`]. This is how indexes change without lost updates.
    UpdateIfMatch(String),
}

/// A failure of a storage backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// A create-only write found an object in place.
    #[error("object {key} already exists")]
    AlreadyExists {
        /// The key written.
        key: String,
    },
    /// A conditional write found the object changed or gone.
    #[error("object {key} changed since it was read")]
    Precondition {
        /// The key written.
        key: String,
    },
    /// The key is not one the backend can store.
    #[error("invalid storage key {key:?}")]
    InvalidKey {
        /// The key.
        key: String,
    },
    /// The backend cannot do this.
    #[error("the storage backend does not support {operation}")]
    NotSupported {
        /// What was asked of it.
        operation: &'static str,
    },
    /// The backend failed; `transient` when a retry may succeed (timeouts, throttling).
    #[error("storage backend failed on {key}: {source}")]
    Backend {
        /// The key involved.
        key: String,
        /// Whether a retry may succeed.
        transient: bool,
        /// The backend's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StorageError {
    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Backend { transient: true, .. })
    }
}

/// Object storage as the registry uses it. Implementations must be safe to share between
/// threads and between processes that use the same store:
///
/// - [`PutMode::Create`] is atomic: of two concurrent creates of one key exactly one succeeds;
/// - [`PutMode::UpdateIfMatch`] is atomic compare-and-swap on the etag;
/// - a reader sees either the old or the new content of an object, never a partial write.
///
/// [`crate::storage::conformance`] checks these promises; every backend's tests run it.
#[async_trait]
pub trait Storage: Send + Sync + Debug + 'static {
    /// Reads an object, or `None` if there is none with this key.
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, StorageError>;

    /// Reads an object's metadata, or `None` if there is none with this key.
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError>;

    /// Writes an object according to `mode` and returns its new metadata.
    async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<ObjectInfo, StorageError>;

    /// Deletes an object; deleting a missing object is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;

    /// Lists the objects whose keys start with `prefix`, in key order. Slow on large buckets:
    /// the registry keeps it off every hot path.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError>;

    /// A URL at which anyone holding it may `GET` the object for `expires_in`, when the backend
    /// can presign (S3, GCS, Azure). `None` means the registry serves the object itself through
    /// its own signed URLs.
    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<Option<String>, StorageError> {
        let _ = (key, expires_in);
        Ok(None)
    }

    /// A URL at which anyone holding it may `PUT` the object (replacing it) for `expires_in`,
    /// when the backend can presign. `None` means uploads go through the registry's own signed
    /// URL, which streams them to [`Storage::writer`].
    async fn presign_put(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<Option<PresignedPut>, StorageError> {
        let _ = (key, expires_in);
        Ok(None)
    }

    /// Reads an object as a stream of chunks, or `None` if there is none with this key. The
    /// default reads it whole with [`Storage::get`]; backends override it to keep large objects
    /// out of memory.
    async fn get_stream(&self, key: &str) -> Result<Option<StreamedObject>, StorageError> {
        Ok(self
            .get(key)
            .await?
            .map(|object| StreamedObject { info: object.info, body: Box::pin(Once(Some(object.body))) }))
    }

    /// Reads `range` of an object (byte offsets, end exclusive, within its size) as a stream of
    /// chunks, or `None` if there is none with this key; [`StreamedObject::info`] describes the
    /// whole object. The default reads it with [`Storage::get`] and slices; backends override it
    /// to read only the range.
    async fn get_range_stream(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<Option<StreamedObject>, StorageError> {
        let Some(object) = self.get(key).await? else {
            return Ok(None);
        };
        let len = object.body.len() as u64;
        let (start, end) = (range.start.min(len) as usize, range.end.min(len) as usize);
        let body = object.body.slice(start..end.max(start));
        Ok(Some(StreamedObject { info: object.info, body: Box::pin(Once(Some(body))) }))
    }

    /// Starts writing an object chunk by chunk; when finished it replaces whatever had the key
    /// ([`PutMode::Overwrite`]), so use it for keys that name their content or are private to
    /// one writer. The default collects the chunks in memory and calls [`Storage::put`];
    /// backends override it with multipart uploads to keep large objects out of memory.
    async fn writer<'a>(&'a self, key: &str) -> Result<Box<dyn ObjectWriter + 'a>, StorageError> {
        Ok(Box::new(BufferedWriter { storage: self, key: key.to_owned(), buffer: BytesMut::new() }))
    }

    /// What writes under `prefix` that were never finished nor aborted left in the store: a
    /// process killed in the middle of a [`Storage::put`] or an [`ObjectWriter`] leaves its
    /// staging file on the local filesystem (`uploads/{id}/object#1` for `uploads/{id}/object`).
    /// [`Storage::list`] never shows these, nor can any method but
    /// [`Storage::delete_unfinished`] use their keys. In key order, with sizes and ages.
    ///
    /// The default is none: the in-memory store loses them with the process, and S3, GCS and
    /// Azure keep incomplete multipart uploads out of listings (expire them with a lifecycle
    /// rule such as S3's `AbortIncompleteMultipartUpload`).
    async fn list_unfinished(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        let _ = prefix;
        Ok(Vec::new())
    }

    /// Removes what an unfinished write left, by a key [`Storage::list_unfinished`] returned;
    /// removing one that is gone is not an error. A write still in progress under that key
    /// then fails. The default refuses, as the default lists none.
    async fn delete_unfinished(&self, key: &str) -> Result<(), StorageError> {
        let _ = key;
        Err(StorageError::NotSupported { operation: "removing unfinished writes" })
    }
}

/// Writes `body` create-only at `key`, a key that names its content: `true` when written,
/// `false` when an identical object was there already.
pub(crate) async fn create_only(storage: &dyn Storage, key: &str, body: Bytes) -> crate::Result<bool> {
    match storage.put(key, body, PutMode::Create).await {
        Ok(_) => Ok(true),
        Err(StorageError::AlreadyExists { .. }) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Removes an object a failed publish wrote and nothing references; a failure is only logged
/// (the object is harmless, and content-addressed).
pub(crate) async fn remove_unreferenced(storage: &dyn Storage, key: &str) {
    if let Err(err) = storage.delete(key).await {
        tracing::warn!(%key, error = %err, "could not remove an unpublished object");
    }
}

/// Reads the JSON record at `key`, `None` when there is none; `what` names it in errors.
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    storage: &dyn Storage,
    key: &str,
    what: &'static str,
) -> crate::Result<Option<T>> {
    let Some(object) = storage.get(key).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&object.body).map(Some).map_err(|e| crate::Error::corrupt(what, key, e))
}

/// Every version index under `prefix` (`modules/` or `providers/`), read as `T`: one `LIST`
/// and a `GET` per index, for the jobs that walk the whole store (backfill, reindex).
pub(crate) async fn read_indexes<T: serde::de::DeserializeOwned>(
    storage: &dyn Storage,
    prefix: &str,
    what: &'static str,
) -> crate::Result<Vec<T>> {
    let mut indexes = Vec::new();
    for object in storage.list(prefix).await? {
        if object.key.ends_with(&format!("/{}", layout::INDEX_NAME)) {
            indexes.extend(read_json::<T>(storage, &object.key, what).await?);
        }
    }
    Ok(indexes)
}

/// Writes `value` as pretty JSON at `key` with `mode`.
pub(crate) async fn write_json<T: serde::Serialize>(
    storage: &dyn Storage,
    key: &str,
    value: &T,
    mode: PutMode,
) -> crate::Result<ObjectInfo> {
    let body = serde_json::to_vec_pretty(value)
        .map_err(|e| crate::Error::internal_with(format!("cannot encode {key}"), e))?;
    Ok(storage.put(key, Bytes::from(body), mode).await?)
}

/// A stream of at most one chunk.
pub(crate) struct Once(pub(crate) Option<Bytes>);

impl Stream for Once {
    type Item = Result<Bytes, StorageError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.take().map(Ok))
    }
}

/// A stream over the chunks an iterator yields.
#[cfg(test)]
pub(crate) struct IterStream<I>(pub(crate) I);

#[cfg(test)]
impl<I: Iterator<Item = Result<Bytes, StorageError>> + Unpin> Stream for IterStream<I> {
    type Item = Result<Bytes, StorageError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

/// The default [`ObjectWriter`]: collects the chunks, then writes them with one `put`.
struct BufferedWriter<'a, S: ?Sized> {
    storage: &'a S,
    key: String,
    buffer: BytesMut,
}

#[async_trait]
impl<S: Storage + ?Sized> ObjectWriter for BufferedWriter<'_, S> {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.buffer.extend_from_slice(&chunk);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<ObjectInfo, StorageError> {
        self.storage.put(&self.key, self.buffer.freeze(), PutMode::Overwrite).await
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        Ok(())
    }
}
