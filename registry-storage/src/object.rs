//! [`ObjectStorage`]: the registry's [`Storage`] over any [`ObjectStore`].

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
#[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
use object_store::signer::Signer;
use object_store::{ObjectStore, ObjectStoreExt, PutOptions, UpdateVersion, WriteMultipart};
use tfreg_core::storage::{
    ObjectInfo, ObjectWriter, PutMode, Storage, StorageError, StoredObject, StreamedObject,
};

use crate::local_lock::LocalLock;
use crate::local_unfinished::{is_staging_name, LocalFolder};

/// The registry's storage over an `object_store` backend, with keys under an optional prefix.
#[derive(Debug, Clone)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    #[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
    signer: Option<Arc<dyn Signer>>,
    prefix: String,
    local_lock: Option<Arc<LocalLock>>,
    /// The folder of a local-filesystem store, where interrupted writes leave staging files.
    local_folder: Option<Arc<LocalFolder>>,
    /// Headers a presigned `PUT` must carry.
    put_headers: Vec<(String, String)>,
}

impl ObjectStorage {
    /// Wraps `store`, keeping every key under `prefix` (`""` for none).
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        Self {
            store,
            #[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
            signer: None,
            prefix,
            local_lock: None,
            local_folder: None,
            put_headers: Vec::new(),
        }
    }

    #[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
    /// Hands out presigned `GET` URLs made by `signer` (S3, GCS, Azure), so archive downloads
    /// go straight to the store.
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Tells clients of presigned `PUT` URLs to send these headers too (Azure needs
    /// `x-ms-blob-type: BlockBlob`).
    pub fn with_presigned_put_headers(mut self, headers: &[(&str, &str)]) -> Self {
        self.put_headers = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        self
    }

    /// Does compare-and-swap updates under an exclusive lock on this file, for stores (the
    /// local filesystem) that cannot do them natively.
    pub fn with_local_lock(mut self, path: std::path::PathBuf) -> Self {
        self.local_lock = Some(Arc::new(LocalLock::new(path)));
        self
    }

    /// Finds and removes what interrupted writes leave in `root`, the folder of a
    /// `LocalFileSystem` store: the `{key}#{n}` staging files a process killed in the middle of
    /// a write leaves, which `object_store` itself neither lists nor removes (see
    /// [`Storage::list_unfinished`]).
    pub fn with_local_folder(mut self, root: std::path::PathBuf) -> Self {
        self.local_folder = Some(Arc::new(LocalFolder::new(root)));
        self
    }

    fn path(&self, key: &str) -> Result<Path, StorageError> {
        let valid = !key.is_empty()
            && !key.starts_with('/')
            && !key.ends_with('/')
            && key.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
        if !valid {
            return Err(StorageError::InvalidKey { key: key.to_owned() });
        }
        Path::parse(format!("{}{key}", self.prefix))
            .map_err(|_| StorageError::InvalidKey { key: key.to_owned() })
    }

    fn info(&self, meta: &object_store::ObjectMeta) -> ObjectInfo {
        let full = meta.location.as_ref();
        ObjectInfo {
            key: full.strip_prefix(self.prefix.as_str()).unwrap_or(full).to_owned(),
            size: meta.size,
            etag: meta.e_tag.clone(),
            last_modified: u64::try_from(meta.last_modified.timestamp()).ok(),
        }
    }

    async fn put_locked(
        &self,
        lock: &LocalLock,
        key: &str,
        path: &Path,
        body: Bytes,
        etag: String,
    ) -> Result<ObjectInfo, StorageError> {
        let _guard = lock.acquire().await.map_err(|e| {
            backend(key, object_store::Error::Generic { store: "local", source: Box::new(e) })
        })?;
        let current = match self.store.head(path).await {
            Ok(meta) => meta.e_tag,
            Err(object_store::Error::NotFound { .. }) => None,
            Err(err) => return Err(backend(key, err)),
        };
        if current.as_deref() != Some(etag.as_str()) {
            return Err(StorageError::Precondition { key: key.to_owned() });
        }
        self.write(key, path, body, object_store::PutMode::Overwrite).await
    }

    async fn write(
        &self,
        key: &str,
        path: &Path,
        body: Bytes,
        mode: object_store::PutMode,
    ) -> Result<ObjectInfo, StorageError> {
        let size = body.len() as u64;
        let updating = matches!(mode, object_store::PutMode::Update(_));
        let opts = PutOptions { mode, ..Default::default() };
        match self.store.put_opts(path, body.into(), opts).await {
            Ok(result) => {
                Ok(ObjectInfo { key: key.to_owned(), size, etag: result.e_tag, last_modified: None })
            }
            Err(object_store::Error::AlreadyExists { .. }) => {
                Err(StorageError::AlreadyExists { key: key.to_owned() })
            }
            Err(object_store::Error::Precondition { .. }) => {
                Err(StorageError::Precondition { key: key.to_owned() })
            }
            Err(object_store::Error::NotFound { .. }) if updating => {
                Err(StorageError::Precondition { key: key.to_owned() })
            }
            Err(err) => Err(backend(key, err)),
        }
    }
}

/// How much of a local file one read takes while streaming it.
const FILE_CHUNK_BYTES: usize = 256 * 1024;

/// `range` of a local file, read chunk by chunk on the blocking pool.
fn file_chunks(
    key: String,
    file: std::fs::File,
    range: std::ops::Range<u64>,
) -> tfreg_core::storage::ByteStream {
    use std::io::{Read, Seek, SeekFrom};
    let state = (file, range.start, range.end, key);
    Box::pin(futures::stream::try_unfold(state, |(mut file, at, end, key)| async move {
        if at >= end {
            return Ok(None);
        }
        let want = usize::try_from(end - at).unwrap_or(usize::MAX).min(FILE_CHUNK_BYTES);
        let failed = |key: &str, err: std::io::Error| StorageError::Backend {
            key: key.to_owned(),
            transient: false,
            source: Box::new(err),
        };
        let read = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0u8; want];
            let result = file.seek(SeekFrom::Start(at)).and_then(|_| file.read(&mut buffer));
            (file, buffer, result)
        })
        .await;
        let (file, mut buffer, result) = read.map_err(|e| failed(&key, std::io::Error::other(e)))?;
        let read = result.map_err(|e| failed(&key, e))?;
        if read == 0 {
            let short = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file ended early");
            return Err(failed(&key, short));
        }
        buffer.truncate(read);
        Ok(Some((Bytes::from(buffer), (file, at + read as u64, end, key))))
    }))
}

/// A failure of the local filesystem outside `object_store`.
fn io_failed(key: &str, err: std::io::Error) -> StorageError {
    StorageError::Backend { key: key.to_owned(), transient: false, source: Box::new(err) }
}

fn backend(key: &str, err: object_store::Error) -> StorageError {
    let transient = matches!(err, object_store::Error::Generic { .. });
    StorageError::Backend { key: key.to_owned(), transient, source: Box::new(err) }
}

#[async_trait]
impl Storage for ObjectStorage {
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        let Some(result) = self.open(key).await? else { return Ok(None) };
        let info = self.info(&result.meta);
        let body = result.bytes().await.map_err(|e| backend(key, e))?;
        Ok(Some(StoredObject { info, body }))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        let path = self.path(key)?;
        match self.store.head(&path).await {
            Ok(meta) => Ok(Some(self.info(&meta))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(backend(key, err)),
        }
    }

    async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<ObjectInfo, StorageError> {
        let path = self.path(key)?;
        match mode {
            PutMode::Overwrite => self.write(key, &path, body, object_store::PutMode::Overwrite).await,
            PutMode::Create => self.write(key, &path, body, object_store::PutMode::Create).await,
            PutMode::UpdateIfMatch(etag) => match &self.local_lock {
                Some(lock) => self.put_locked(lock, key, &path, body, etag).await,
                None => {
                    let version = UpdateVersion { e_tag: Some(etag), version: None };
                    self.write(key, &path, body, object_store::PutMode::Update(version)).await
                }
            },
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(backend(key, err)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        // object_store lists by whole path segments; filter for partial-segment prefixes.
        let full = format!("{}{prefix}", self.prefix);
        let dir = full.rfind('/').map(|i| Path::from(&full[..i]));
        let metas: Vec<_> =
            self.store.list(dir.as_ref()).try_collect().await.map_err(|e| backend(prefix, e))?;
        let mut out: Vec<ObjectInfo> =
            metas.iter().filter(|m| m.location.as_ref().starts_with(&full)).map(|m| self.info(m)).collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    #[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
    async fn presign_get(
        &self,
        key: &str,
        expires_in: std::time::Duration,
    ) -> Result<Option<String>, StorageError> {
        self.presign(http::Method::GET, key, expires_in).await
    }

    #[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
    async fn presign_put(
        &self,
        key: &str,
        expires_in: std::time::Duration,
    ) -> Result<Option<tfreg_core::storage::PresignedPut>, StorageError> {
        let url = self.presign(http::Method::PUT, key, expires_in).await?;
        Ok(url.map(|url| tfreg_core::storage::PresignedPut { url, headers: self.put_headers.clone() }))
    }

    async fn get_stream(&self, key: &str) -> Result<Option<StreamedObject>, StorageError> {
        let Some(result) = self.open(key).await? else { return Ok(None) };
        Ok(Some(self.streamed(key, result)))
    }

    async fn get_range_stream(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<Option<StreamedObject>, StorageError> {
        let options = object_store::GetOptions::default().with_range(Some(range));
        match self.store.get_opts(&self.path(key)?, options).await {
            Ok(result) => Ok(Some(self.streamed(key, result))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(backend(key, err)),
        }
    }

    async fn list_unfinished(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        let Some(folder) = &self.local_folder else { return Ok(Vec::new()) };
        let full = format!("{}{prefix}", self.prefix);
        let found = folder.leftovers(&full).await.map_err(|e| io_failed(prefix, e))?;
        Ok(found
            .into_iter()
            .map(|left| ObjectInfo {
                key: left.key.strip_prefix(self.prefix.as_str()).unwrap_or(&left.key).to_owned(),
                size: left.size,
                etag: None,
                last_modified: left.modified,
            })
            .collect())
    }

    async fn delete_unfinished(&self, key: &str) -> Result<(), StorageError> {
        let Some(folder) = &self.local_folder else {
            return Err(StorageError::NotSupported { operation: "removing unfinished writes" });
        };
        // Only the staging file of a key this store accepts.
        let name = key.rsplit('/').next().unwrap_or(key);
        let base = key.split_once('#').map(|(base, _)| base);
        if !is_staging_name(name) || base.is_none_or(|base| self.path(base).is_err()) {
            return Err(StorageError::InvalidKey { key: key.to_owned() });
        }
        folder.remove(&format!("{}{key}", self.prefix)).await.map_err(|e| io_failed(key, e))
    }

    async fn writer<'a>(&'a self, key: &str) -> Result<Box<dyn ObjectWriter + 'a>, StorageError> {
        let path = self.path(key)?;
        let upload = self.store.put_multipart(&path).await.map_err(|e| backend(key, e))?;
        Ok(Box::new(MultipartWriter {
            key: key.to_owned(),
            upload: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
            size: 0,
        }))
    }
}

impl ObjectStorage {
    /// The body of a read as a stream. A local file is read in [`FILE_CHUNK_BYTES`] chunks on
    /// the blocking pool (object_store's own stream reads 8 KiB at a time, one blocking task
    /// each, which costs more than the copy); other stores stream what they receive.
    fn streamed(&self, key: &str, result: object_store::GetResult) -> StreamedObject {
        let info = self.info(&result.meta);
        let range = result.range.clone();
        let key = key.to_owned();
        let body = match result.payload {
            object_store::GetResultPayload::File(file, _) => file_chunks(key, file, range),
            payload @ object_store::GetResultPayload::Stream(_) => {
                let result = object_store::GetResult { payload, ..result };
                Box::pin(result.into_stream().map_err(move |e| backend(&key, e)))
            }
        };
        StreamedObject { info, body }
    }

    /// Starts reading an object; `None` if there is none with this key.
    async fn open(&self, key: &str) -> Result<Option<object_store::GetResult>, StorageError> {
        match self.store.get(&self.path(key)?).await {
            Ok(result) => Ok(Some(result)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(backend(key, err)),
        }
    }

    #[cfg(any(feature = "aws", feature = "gcp", feature = "azure"))]
    async fn presign(
        &self,
        method: http::Method,
        key: &str,
        expires_in: std::time::Duration,
    ) -> Result<Option<String>, StorageError> {
        let Some(signer) = &self.signer else {
            return Ok(None);
        };
        let path = self.path(key)?;
        let url = signer.signed_url(method, &path, expires_in).await.map_err(|e| backend(key, e))?;
        Ok(Some(url.to_string()))
    }
}

/// The size of the parts of a multipart upload: S3's smallest but for the last part.
const PART_BYTES: usize = 5 * 1024 * 1024;

/// Parts being uploaded at once; with the part being filled, at most this many plus one parts
/// are in memory.
const PARTS_IN_FLIGHT: usize = 2;

/// An [`ObjectWriter`] over an `object_store` multipart upload (a staging file on the local
/// filesystem, a multipart upload on S3, a resumable upload on GCS, blocks on Azure).
struct MultipartWriter {
    key: String,
    upload: WriteMultipart,
    size: u64,
}

#[async_trait]
impl ObjectWriter for MultipartWriter {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.upload.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(|e| backend(&self.key, e))?;
        self.size += chunk.len() as u64;
        self.upload.put(chunk);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<ObjectInfo, StorageError> {
        let Self { key, upload, size } = *self;
        match upload.finish().await {
            Ok(result) => Ok(ObjectInfo { key, size, etag: result.e_tag, last_modified: None }),
            Err(err) => Err(backend(&key, err)),
        }
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        let Self { key, upload, .. } = *self;
        upload.abort().await.map_err(|e| backend(&key, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    #[tokio::test]
    async fn prefixes_keys_and_refuses_bad_ones() {
        let inner = Arc::new(InMemory::new());
        let storage = ObjectStorage::new(inner.clone(), "/team/registry/");
        storage.put("a/b", Bytes::from_static(b"x"), PutMode::Create).await.unwrap();
        assert!(inner.head(&Path::from("team/registry/a/b")).await.is_ok());
        assert_eq!(storage.list("a/").await.unwrap()[0].key, "a/b");
        for bad in ["", "/a", "a/", "a//b", "a/../b", "./a"] {
            let err = storage.get(bad).await.unwrap_err();
            assert!(matches!(err, StorageError::InvalidKey { .. }), "{bad}: {err:?}");
        }
    }
}
