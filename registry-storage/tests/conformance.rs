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
        .with_local_lock(dir.path().join(".tfreg.lock"))
        .with_local_folder(dir.path().to_path_buf());
    conformance::run_all(Arc::new(storage)).await;
}

/// What a write killed half-way leaves on the local filesystem, with and without a prefix: the
/// staging file `{key}#1` beside the key, listed as unfinished with its size and age, and removed
/// with the folders it leaves empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_filesystem_shows_interrupted_writes() {
    use bytes::Bytes;
    use tfreg_core::storage::Storage;

    for prefix in ["", "some/prefix"] {
        let dir = tempfile::tempdir().unwrap();
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir.path()).unwrap();
        let storage = tfreg_storage::ObjectStorage::new(Arc::new(store), prefix)
            .with_local_folder(dir.path().to_path_buf());
        let mut writer = storage.writer("uploads/abc/object").await.unwrap();
        writer.write(Bytes::from(vec![7u8; 6 << 20])).await.unwrap();
        std::mem::forget(writer);
        let on_disk = dir.path().join(prefix).join("uploads/abc/object#1");
        assert!(on_disk.is_file(), "{}", on_disk.display());

        let left = storage.list_unfinished("uploads/").await.unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].key, "uploads/abc/object#1");
        assert!(left[0].last_modified.is_some());
        assert!(storage.list_unfinished("uploads/abd").await.unwrap().is_empty());
        assert!(storage.list("uploads/").await.unwrap().is_empty());
        for bad in ["uploads/abc/object", "uploads/../x#1", "uploads/abc/object#x"] {
            assert!(storage.delete_unfinished(bad).await.is_err(), "{bad}");
        }
        storage.delete_unfinished("uploads/abc/object#1").await.unwrap();
        assert!(!dir.path().join(prefix).join("uploads").exists(), "emptied folders are removed");
        assert!(dir.path().exists());
    }
}
