//! The storage conformance suite against a real S3-compatible server (moto's server mode,
//! installed and started by `scripts/s3-server.sh`) on 127.0.0.1, opened the way the server
//! opens it (`s3://bucket/prefix` with the usual `AWS_*` variables), plus presigned downloads.

#[path = "support/servers.rs"]
mod servers;

use std::sync::Arc;
use std::time::Duration;

use servers::s3 as start;

use bytes::Bytes;
use tfreg_core::storage::{PutMode, Storage};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s3_compatible_server_conforms() {
    let server = start("tfreg-conformance");
    // The usual object_store AWS configuration, as an operator would set it.
    for (key, value) in server.env() {
        // This binary's only test sets them before anything reads them.
        std::env::set_var(key, value);
    }
    let storage = tfreg_storage::from_url("s3://tfreg-conformance/registry/prefix").unwrap();
    let storage: Arc<dyn Storage> = Arc::new(storage);
    tfreg_core::storage::conformance::run_all(storage.clone()).await;

    // Presigned downloads go straight to the store.
    storage
        .put("presign/object.bin", Bytes::from_static(b"archive bytes"), PutMode::Overwrite)
        .await
        .unwrap();
    let url = storage
        .presign_get("presign/object.bin", Duration::from_secs(60))
        .await
        .unwrap()
        .expect("S3 presigns");
    assert!(url.contains("registry/prefix/presign/object.bin") && url.contains("X-Amz-Signature"), "{url}");
    let (status, body) = servers::http("GET", &url, &[], b"");
    assert_eq!(status, 200);
    assert_eq!(body, b"archive bytes");
    // (moto does not check presigned signatures, so tampering is not tested here.)
}
