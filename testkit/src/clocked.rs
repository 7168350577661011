//! A store that dates what is written through it by the test's [`ManualClock`], so tests of ages
//! (the garbage collection's grace period) move time instead of sleeping: a backend dates
//! objects by the wall clock, which a test cannot move.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tfreg_core::clock::{Clock, ManualClock};
use tfreg_core::storage::{
    ObjectInfo, ObjectWriter, PresignedPut, PutMode, Storage, StorageError, StoredObject, StreamedObject,
};

/// Wraps a store; every object written through it reports the [`ManualClock`]'s time of the
/// write as its `last_modified`. Objects written around it keep the backend's dates.
#[derive(Debug)]
pub struct ClockedStore {
    inner: Arc<dyn Storage>,
    clock: Arc<ManualClock>,
    written: Mutex<HashMap<String, u64>>,
}

impl ClockedStore {
    /// `inner`, dated by `clock`.
    pub fn new(inner: Arc<dyn Storage>, clock: Arc<ManualClock>) -> Arc<Self> {
        Arc::new(Self { inner, clock, written: Mutex::new(HashMap::new()) })
    }

    fn stamp(&self, mut info: ObjectInfo) -> ObjectInfo {
        if let Some(at) = self.written.lock().expect("the dates lock").get(&info.key) {
            info.last_modified = Some(*at);
        }
        info
    }

    fn record(&self, key: &str) {
        self.written.lock().expect("the dates lock").insert(key.to_owned(), self.clock.unix_now());
    }
}

/// A writer that dates its object when it finishes.
struct DatingWriter<'a> {
    inner: Box<dyn ObjectWriter + 'a>,
    store: &'a ClockedStore,
    key: String,
}

#[async_trait]
impl ObjectWriter for DatingWriter<'_> {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.inner.write(chunk).await
    }

    async fn finish(self: Box<Self>) -> Result<ObjectInfo, StorageError> {
        let info = self.inner.finish().await?;
        self.store.record(&self.key);
        Ok(info)
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        self.inner.abort().await
    }
}

#[async_trait]
impl Storage for ClockedStore {
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        Ok(self.inner.get(key).await?.map(|o| StoredObject { info: self.stamp(o.info), body: o.body }))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        Ok(self.inner.head(key).await?.map(|info| self.stamp(info)))
    }

    async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<ObjectInfo, StorageError> {
        let info = self.inner.put(key, body, mode).await?;
        self.record(key);
        Ok(info)
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete(key).await?;
        self.written.lock().expect("the dates lock").remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        Ok(self.inner.list(prefix).await?.into_iter().map(|info| self.stamp(info)).collect())
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
        Ok(self
            .inner
            .get_stream(key)
            .await?
            .map(|o| StreamedObject { info: self.stamp(o.info), body: o.body }))
    }

    async fn get_range_stream(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<Option<StreamedObject>, StorageError> {
        let object = self.inner.get_range_stream(key, range).await?;
        Ok(object.map(|o| StreamedObject { info: self.stamp(o.info), body: o.body }))
    }

    async fn writer<'a>(&'a self, key: &str) -> Result<Box<dyn ObjectWriter + 'a>, StorageError> {
        let inner = self.inner.writer(key).await?;
        Ok(Box::new(DatingWriter { inner, store: self, key: key.to_owned() }))
    }

    async fn list_unfinished(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        self.inner.list_unfinished(prefix).await
    }

    async fn delete_unfinished(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete_unfinished(key).await
    }
}
