//! The storage conformance suite against a real Azure Blob Storage emulator (Azurite, installed
//! and started by `scripts/azure-server.sh`) on 127.0.0.1, opened the way the server opens it
//! (`az://container/prefix` with object_store's `AZURE_*` variables), plus presigned downloads
//! and uploads.

#[path = "support/servers.rs"]
mod servers;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tfreg_core::storage::{PutMode, Storage};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn azure_blob_emulator_conforms() {
    let server = servers::azure("tfreg-conformance");
    for (key, value) in server.azure_env() {
        // This binary's only test sets them before anything reads them.
        std::env::set_var(key, value);
    }
    let storage = tfreg_storage::from_url("az://tfreg-conformance/registry/prefix").unwrap();
    let storage: Arc<dyn Storage> = Arc::new(storage);
    tfreg_core::storage::conformance::run_all(storage.clone()).await;

    // Presigned downloads (a SAS URL) go straight to the store; a tampered one is refused.
    let key = "presign/object.bin";
    storage.put(key, Bytes::from_static(b"archive bytes"), PutMode::Overwrite).await.unwrap();
    let url = storage.presign_get(key, Duration::from_secs(60)).await.unwrap().expect("Azure presigns");
    assert!(url.contains("registry/prefix/presign/object.bin") && url.contains("sig="), "{url}");
    assert_eq!(servers::http("GET", &url, &[], b""), (200, b"archive bytes".to_vec()));
    let tampered = url.replace("sig=", "sig=AAAA");
    assert_eq!(servers::http("GET", &tampered, &[], b"").0, 403);

    // Presigned uploads need the headers the storage names (x-ms-blob-type).
    let upload = storage.presign_put("presign/upload.bin", Duration::from_secs(60)).await.unwrap().unwrap();
    assert_eq!(upload.headers, [("x-ms-blob-type".to_owned(), "BlockBlob".to_owned())]);
    let headers: Vec<(&str, &str)> = upload.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let (status, body) = servers::http("PUT", &upload.url, &headers, b"uploaded bytes");
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let stored = storage.get("presign/upload.bin").await.unwrap().unwrap();
    assert_eq!(stored.body, Bytes::from_static(b"uploaded bytes"));
}
