//! A store that fails on purpose: it wraps a real one and refuses writes (puts, streamed
//! writers and deletes) to keys under chosen prefixes, as a backend outage or a full disk would, while
//! everything else goes through.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use tfreg_core::storage::{
    ObjectInfo, ObjectWriter, PresignedPut, PutMode, Storage, StorageError, StoredObject, StreamedObject,
};

/// See the module docs.
#[derive(Debug)]
pub struct FaultyStorage {
    inner: Arc<dyn Storage>,
    failing: Mutex<Vec<String>>,
    failing_reads: Mutex<Vec<String>>,
}

impl FaultyStorage {
    /// Wraps `inner`, failing nothing yet.
    pub fn new(inner: Arc<dyn Storage>) -> Arc<Self> {
        Arc::new(Self { inner, failing: Mutex::default(), failing_reads: Mutex::default() })
    }

    /// From now on, writes to keys under `prefix` fail (transiently, as an outage would).
    pub fn fail_writes_under(&self, prefix: &str) {
        self.failing.lock().unwrap_or_else(PoisonError::into_inner).push(prefix.to_owned());
    }

    /// From now on, reads (gets and heads) of keys under `prefix` fail too.
    pub fn fail_reads_under(&self, prefix: &str) {
        self.failing_reads.lock().unwrap_or_else(PoisonError::into_inner).push(prefix.to_owned());
    }

    /// Writes and reads go through again.
    pub fn heal(&self) {
        self.failing.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.failing_reads.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn check(&self, key: &str) -> Result<(), StorageError> {
        Self::refuse(&self.failing, key)
    }

    fn check_read(&self, key: &str) -> Result<(), StorageError> {
        Self::refuse(&self.failing_reads, key)
    }

    fn refuse(prefixes: &Mutex<Vec<String>>, key: &str) -> Result<(), StorageError> {
        let failing = prefixes.lock().unwrap_or_else(PoisonError::into_inner);
        if failing.iter().any(|prefix| key.starts_with(prefix)) {
            return Err(StorageError::Backend {
                key: key.to_owned(),
                transient: true,
                source: "injected failure".into(),
            });
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Storage for FaultyStorage {
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        self.check_read(key)?;
        self.inner.get(key).await
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        self.check_read(key)?;
        self.inner.head(key).await
    }

    async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<ObjectInfo, StorageError> {
        self.check(key)?;
        self.inner.put(key, body, mode).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.check(key)?;
        self.inner.delete(key).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        self.inner.list(prefix).await
    }

    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<Option<String>, StorageError> {
        self.inner.presign_get(key, expires_in).await
    }

    async fn presign_put(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<Option<PresignedPut>, StorageError> {
        self.inner.presign_put(key, expires_in).await
    }

    async fn get_stream(&self, key: &str) -> Result<Option<StreamedObject>, StorageError> {
        self.inner.get_stream(key).await
    }

    async fn get_range_stream(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<Option<StreamedObject>, StorageError> {
        self.inner.get_range_stream(key, range).await
    }

    async fn writer<'a>(&'a self, key: &str) -> Result<Box<dyn ObjectWriter + 'a>, StorageError> {
        self.check(key)?;
        self.inner.writer(key).await
    }
}
