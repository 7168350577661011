//! The storage conformance suite from `tfreg-core`, run against every backend this machine
//! offers without a network: memory and the local filesystem. (The S3-compatible run lives in
//! `tests/s3.rs`.)

use std::sync::Arc;

use tfreg_core::storage::conformance;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_conforms() {
    let storage = tfreg_storage::from_url("memory://").unwrap();
    conformance::run_all(Arc::new(storage)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn local_filesystem_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let storage = tfreg_storage::from_url(&format!("file://{}", dir.path().display())).unwrap();
    conformance::run_all(Arc::new(storage)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn local_filesystem_with_a_prefix_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = object_store::local::LocalFileSystem::new_with_prefix(dir.path()).unwrap();
    let storage = tfreg_storage::ObjectStorage::new(Arc::new(store), "some/prefix")
        .with_local_lock(dir.path().join(".tfreg.lock"));
    conformance::run_all(Arc::new(storage)).await;
}
