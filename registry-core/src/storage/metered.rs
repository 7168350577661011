//! A [`Storage`] that reports every operation to the `metrics` facade
//! (`tfreg_storage_operations_total{op, outcome}` and
//! `tfreg_storage_operation_seconds{op}`), wrapping the registry's store. With no recorder
//! installed the reports cost nothing.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;

use super::{
    ObjectInfo, ObjectWriter, PresignedPut, PutMode, Storage, StorageError, StoredObject, StreamedObject,
};

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Metered {
    inner: Arc<dyn Storage>,
}

impl Metered {
    pub(crate) fn wrap(inner: Arc<dyn Storage>) -> Arc<dyn Storage> {
        Arc::new(Self { inner })
    }
}

/// Runs `operation`, reporting it as `op`.
async fn metered<T>(
    op: &'static str,
    operation: impl Future<Output = Result<T, StorageError>>,
) -> Result<T, StorageError> {
    let started = Instant::now();
    let result = operation.await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(StorageError::AlreadyExists { .. } | StorageError::Precondition { .. }) => "conflict",
        Err(_) => "error",
    };
    metrics::counter!("tfreg_storage_operations_total", "op" => op, "outcome" => outcome).increment(1);
    metrics::histogram!("tfreg_storage_operation_seconds", "op" => op)
        .record(started.elapsed().as_secs_f64());
    result
}

#[async_trait]
impl Storage for Metered {
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        metered("get", self.inner.get(key)).await
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        metered("head", self.inner.head(key)).await
    }

    async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<ObjectInfo, StorageError> {
        metered("put", self.inner.put(key, body, mode)).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        metered("delete", self.inner.delete(key)).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        metered("list", self.inner.list(prefix)).await
    }

    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<Option<String>, StorageError> {
        metered("presign_get", self.inner.presign_get(key, expires_in)).await
    }

    async fn presign_put(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<Option<PresignedPut>, StorageError> {
        metered("presign_put", self.inner.presign_put(key, expires_in)).await
    }

    async fn get_stream(&self, key: &str) -> Result<Option<StreamedObject>, StorageError> {
        metered("get_stream", self.inner.get_stream(key)).await
    }

    async fn get_range_stream(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<Option<StreamedObject>, StorageError> {
        metered("get_range", self.inner.get_range_stream(key, range)).await
    }

    async fn writer<'a>(&'a self, key: &str) -> Result<Box<dyn ObjectWriter + 'a>, StorageError> {
        metered("writer", self.inner.writer(key)).await
    }

    async fn list_unfinished(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        metered("list_unfinished", self.inner.list_unfinished(prefix)).await
    }

    async fn delete_unfinished(&self, key: &str) -> Result<(), StorageError> {
        metered("delete_unfinished", self.inner.delete_unfinished(key)).await
    }
}
