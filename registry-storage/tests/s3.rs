//! The storage conformance suite against a real S3-compatible server (moto's server mode,
//! installed and started by `scripts/s3-server.sh`) on 127.0.0.1, opened the way the server
//! opens it (`s3://bucket/prefix` with the usual `AWS_*` variables), plus presigned downloads.

#[path = "support/s3_server.rs"]
mod s3_server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use s3_server::start;

use bytes::Bytes;
use tfreg_core::storage::{PutMode, Storage};

/// A plain HTTP/1.1 GET on loopback: the status and the body.
fn http_get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response[split + 4..].to_vec())
}

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
    tfreg_core::conformance::run_all(storage.clone()).await;

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
    let (status, body) = http_get(&url);
    assert_eq!(status, 200);
    assert_eq!(body, b"archive bytes");
    // (moto does not check presigned signatures, so tampering is not tested here.)
}
