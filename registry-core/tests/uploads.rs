//! Upload sessions: open, upload to the registry-signed URL (streamed, or whole as on Lambda),
//! publish a module or provider by naming the session, and everything that must be refused
//! with nothing published; then the sweep of expired sessions.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tfreg_core::auth::{hash_token, NewToken, Role};
use tfreg_core::clock::ManualClock;
use tfreg_core::storage::{PutMode, Storage};
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;
use tfreg_testkit::{tiny_module, zip};

const MASTER: &str = "tfreg_upload-test-master";
const KEY: &str = include_str!("../src/pgp/testdata/signing-key.asc");

async fn registry(storage: Arc<dyn Storage>, config: RegistryConfig) -> Registry {
    registry_at(storage, config, ManualClock::now()).await
}

/// A registry whose time is `clock`.
async fn registry_at(storage: Arc<dyn Storage>, config: RegistryConfig, clock: Arc<ManualClock>) -> Registry {
    let config = RegistryConfig { provider_signing_key: Some(KEY.to_owned()), ..config };
    let builder = Registry::builder(storage).master_token(hash_token(MASTER)).clock(clock);
    builder.config(config).build().await.unwrap()
}

fn memory() -> Arc<dyn Storage> {
    Arc::new(tfreg_storage::from_url("memory://").unwrap())
}

async fn uploader(registry: &Registry, namespaces: Option<&[&str]>) -> String {
    let spec = NewToken {
        tier: Some(Role::Uploader),
        namespaces: namespaces.map(|n| n.iter().map(|s| s.to_string()).collect()),
        description: Some("upload test".into()),
        expires_in_days: Some(1),
    };
    registry.tokens().create(spec, "test").await.unwrap().0
}

async fn call(registry: &Registry, method: Method, uri: &str, token: &str, body: Vec<u8>) -> Response<Bytes> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("host", "registry.test:8443")
        .body(Bytes::from(body))
        .unwrap();
    tfreg_testkit::send(registry, request).await
}

fn json(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|_| panic!("not JSON: {:?}", response.body()))
}

/// Opens a session and returns its id and the path and query of its upload URL.
async fn open(registry: &Registry, token: &str) -> (String, String) {
    let created = call(registry, Method::POST, "/v1/uploads", token, vec![]).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let created = json(&created);
    let url = created["upload_url"].as_str().unwrap();
    let local = url.strip_prefix("https://registry.test:8443").expect("absolute URL on the request's host");
    assert_eq!(created["upload_method"], "PUT");
    assert_eq!(created["direct_to_storage"], false);
    assert_eq!(created["upload_headers"], serde_json::json!({}), "the registry's own URL needs none");
    (created["id"].as_str().unwrap().to_owned(), local.to_owned())
}

/// `PUT`s `content` to an upload URL as a stream of small chunks, as the actix adapter does.
async fn upload(registry: &Registry, url: &str, content: &[u8]) -> Response<Bytes> {
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        content.chunks(100_000).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let request = Request::put(url).body(Chunks(chunks.into_iter())).unwrap();
    assert!(registry.streams_body(&Method::PUT, url.split('?').next().unwrap()));
    tfreg_testkit::collect(registry.handle_streamed(request).await).await
}

/// A body stream over prepared chunks.
struct Chunks(std::vec::IntoIter<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

fn provider_zip(size: usize) -> Vec<u8> {
    // Incompressible-ish content, so the zip is about `size` bytes.
    let mut state = 0x2545_f491_u32;
    let binary: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    zip(&[("terraform-provider-big_v1.0.0", &binary), ("LICENSE", b"MIT")])
}

async fn keys(storage: &dyn Storage, prefix: &str) -> Vec<String> {
    storage.list(prefix).await.unwrap().into_iter().map(|o| o.key).collect()
}

#[tokio::test]
async fn modules_and_providers_publish_through_sessions() {
    let storage = memory();
    let registry = registry(storage.clone(), RegistryConfig::default()).await;
    let token = uploader(&registry, Some(&["acme"])).await;

    // A module: upload, check the answer, publish by naming the session.
    let (id, url) = open(&registry, &token).await;
    let archive = tiny_module();
    let received = upload(&registry, &url, &archive).await;
    assert_eq!(received.status(), StatusCode::OK, "{:?}", received.body());
    let received = json(&received);
    assert_eq!(received["size"], archive.len());
    assert_eq!(received["sha256"], hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&archive)));
    let status = json(&call(&registry, Method::GET, &format!("/v1/uploads/{id}"), &token, vec![]).await);
    assert_eq!(status["uploaded"], true);
    assert_eq!(status["size"], archive.len());
    let published =
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}"), &token, vec![])
            .await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    let versions =
        json(&call(&registry, Method::GET, "/v1/modules/acme/vpc/aws/versions", &token, vec![]).await);
    assert_eq!(versions["modules"][0]["versions"][0]["version"], "1.0.0");
    // The session is used up.
    let gone = call(&registry, Method::GET, &format!("/v1/uploads/{id}"), &token, vec![]).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(keys(storage.as_ref(), "uploads/").await.is_empty());

    // A provider package of several megabytes, checked from a temporary file.
    let (id, url) = open(&registry, &token).await;
    let package = provider_zip(6 << 20);
    assert_eq!(upload(&registry, &url, &package).await.status(), StatusCode::OK);
    let published = call(
        &registry,
        Method::PUT,
        &format!("/v1/providers/acme/big/1.0.0/linux/amd64?protocols=6.0&upload={id}"),
        &token,
        vec![],
    )
    .await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    let published = json(&published);
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&package));
    assert_eq!(published["shasum"], sha.as_str());
    assert_eq!(published["protocols"], serde_json::json!(["6.0"]));
    let download = json(
        &call(&registry, Method::GET, "/v1/providers/acme/big/1.0.0/download/linux/amd64", &token, vec![])
            .await,
    );
    assert_eq!(download["shasum"], sha.as_str());
    let stored = storage.get(&format!("providers/_local/acme/big/1.0.0/{sha}.zip")).await.unwrap().unwrap();
    assert!(stored.body == package, "the stored package is the uploaded one");
    assert!(keys(storage.as_ref(), "uploads/").await.is_empty());

    // The whole-body path (as on Lambda) reaches the same upload handler.
    let (id, url) = open(&registry, &token).await;
    let whole =
        tfreg_testkit::send(&registry, Request::put(&url).body(Bytes::from(tiny_module())).unwrap()).await;
    assert_eq!(whole.status(), StatusCode::OK, "{:?}", whole.body());
    let published =
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.1.0?upload={id}"), &token, vec![])
            .await;
    assert_eq!(published.status(), StatusCode::CREATED);

    // Every session change is in the audit trail.
    let audit = json(&call(&registry, Method::GET, "/v1/audit?limit=20", MASTER, vec![]).await);
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "upload.create").count(), 3, "{actions:?}");
}

#[tokio::test]
async fn bad_uploads_and_misuse_publish_nothing() {
    let storage = memory();
    let config = RegistryConfig {
        max_session_upload_bytes: 1 << 20,
        max_upload_bytes: 64 << 10,
        ..Default::default()
    };
    let registry = registry(storage.clone(), config).await;
    let token = uploader(&registry, None).await;
    let other = uploader(&registry, None).await;
    let code = |r: &Response<Bytes>| r.status();

    let (id, url) = open(&registry, &token).await;
    // Publishing before anything was uploaded.
    let early =
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}"), &token, vec![])
            .await;
    assert_eq!(code(&early), StatusCode::CONFLICT);
    // An empty body, and one over the session limit, are refused and store nothing.
    assert_eq!(code(&upload(&registry, &url, b"").await), StatusCode::BAD_REQUEST);
    let big = vec![7u8; (1 << 20) + 1];
    let refused = upload(&registry, &url, &big).await;
    assert_eq!(code(&refused), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(&refused)["errors"].as_array().unwrap().len(), 1);
    assert_eq!(
        keys(storage.as_ref(), &format!("uploads/{id}/")).await,
        [format!("uploads/{id}/session.json")]
    );
    // A tampered or foreign signature is refused.
    let tampered = url.replace("signature=", "signature=x");
    assert_eq!(code(&upload(&registry, &tampered, b"data").await), StatusCode::FORBIDDEN);
    let (other_id, _) = open(&registry, &other).await;
    let foreign = url.replace(&id, &other_id);
    assert_eq!(code(&upload(&registry, &foreign, b"data").await), StatusCode::FORBIDDEN);

    // Garbage uploaded: refused as a module and as a provider, exactly as a body would be.
    assert_eq!(code(&upload(&registry, &url, b"not an archive at all").await), StatusCode::OK);
    let module =
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}"), &token, vec![])
            .await;
    assert_eq!(code(&module), StatusCode::BAD_REQUEST, "{:?}", module.body());
    let provider_uri = format!("/v1/providers/acme/big/1.0.0/linux/amd64?upload={id}");
    let provider = call(&registry, Method::PUT, &provider_uri, &token, vec![]).await;
    assert_eq!(code(&provider), StatusCode::BAD_REQUEST);
    assert!(json(&provider)["errors"][0].as_str().unwrap().contains("invalid provider package"));
    // Within the session's limit but over the body limit modules are held to: 413 as a module.
    assert_eq!(code(&upload(&registry, &url, &vec![0u8; 100 << 10]).await), StatusCode::OK);
    let module =
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}"), &token, vec![])
            .await;
    assert_eq!(code(&module), StatusCode::PAYLOAD_TOO_LARGE, "{:?}", module.body());
    // A package without the provider's executable.
    let wrong = zip(&[("terraform-provider-other", b"x")]);
    assert_eq!(code(&upload(&registry, &url, &wrong).await), StatusCode::OK);
    assert_eq!(
        code(&call(&registry, Method::PUT, &provider_uri, &token, vec![]).await),
        StatusCode::BAD_REQUEST
    );
    // A valid package for a version with build metadata (Terraform would ignore the +x).
    assert_eq!(code(&upload(&registry, &url, &provider_zip(1000)).await), StatusCode::OK);
    let with_build = format!("/v1/providers/acme/big/1.0.0+x/linux/amd64?upload={id}");
    let refused = call(&registry, Method::PUT, &with_build, &token, vec![]).await;
    assert_eq!(code(&refused), StatusCode::BAD_REQUEST);
    assert!(json(&refused)["errors"][0].as_str().unwrap().contains("build metadata"));
    assert!(keys(storage.as_ref(), "modules/").await.is_empty());
    assert!(keys(storage.as_ref(), "providers/").await.is_empty());
    // The session survives a failed publish, so a corrected file can be sent.
    let status = json(&call(&registry, Method::GET, &format!("/v1/uploads/{id}"), &token, vec![]).await);
    assert_eq!(status["uploaded"], true);

    // Misuse: another caller's session, a body as well as a session, unknown and malformed ids.
    let stolen =
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}"), &other, vec![])
            .await;
    assert_eq!(code(&stolen), StatusCode::FORBIDDEN);
    let stolen = call(&registry, Method::GET, &format!("/v1/uploads/{id}"), &other, vec![]).await;
    assert_eq!(code(&stolen), StatusCode::FORBIDDEN);
    let both = call(
        &registry,
        Method::PUT,
        &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}"),
        &token,
        tiny_module(),
    )
    .await;
    assert_eq!(code(&both), StatusCode::BAD_REQUEST);
    let unknown = format!("/v1/modules/acme/vpc/aws/1.0.0?upload={}", "0".repeat(32));
    assert_eq!(code(&call(&registry, Method::PUT, &unknown, &token, vec![]).await), StatusCode::NOT_FOUND);
    let malformed = "/v1/modules/acme/vpc/aws/1.0.0?upload=../../tokens";
    assert_eq!(code(&call(&registry, Method::PUT, malformed, &token, vec![]).await), StatusCode::BAD_REQUEST);
    assert_eq!(
        code(&call(&registry, Method::GET, "/v1/uploads/XYZ", &token, vec![]).await),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        code(&call(&registry, Method::POST, "/v1/uploads", &token, br#"{"surprise": 1}"#.to_vec()).await),
        StatusCode::BAD_REQUEST
    );
    assert!(keys(storage.as_ref(), "modules/").await.is_empty());

    // The administrator may use or abandon anyone's session; abandoning removes the upload.
    let deleted = call(&registry, Method::DELETE, &format!("/v1/uploads/{id}"), MASTER, vec![]).await;
    assert_eq!(code(&deleted), StatusCode::NO_CONTENT);
    assert!(keys(storage.as_ref(), &format!("uploads/{id}/")).await.is_empty());
    assert_eq!(code(&upload(&registry, &url, b"late").await), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expired_sessions_are_refused_and_swept() {
    let storage = memory();
    let clock = ManualClock::now();
    let one_second = RegistryConfig { upload_ttl: Duration::from_secs(1), ..Default::default() };
    let short = registry_at(storage.clone(), one_second, clock.clone()).await;
    let long = registry_at(storage.clone(), RegistryConfig::default(), clock.clone()).await;
    let token = uploader(&short, None).await;
    let (expiring, url) = open(&short, &token).await;
    assert_eq!(upload(&short, &url, &tiny_module()).await.status(), StatusCode::OK);
    let (kept, kept_url) = open(&long, &token).await;
    assert_eq!(upload(&long, &kept_url, &tiny_module()).await.status(), StatusCode::OK);
    // An upload whose session record is gone.
    let stray = "uploads/ffffffffffffffffffffffffffffffff/object";
    storage.put(stray, Bytes::from_static(b"stray"), PutMode::Overwrite).await.unwrap();

    clock.advance(Duration::from_secs(2));
    let late = call(
        &short,
        Method::PUT,
        &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={expiring}"),
        &token,
        vec![],
    )
    .await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
    assert!(json(&late)["errors"][0].as_str().unwrap().contains("expired"));
    // The signed URL expired with the session.
    assert_eq!(upload(&short, &url, b"late").await.status(), StatusCode::FORBIDDEN);

    assert_eq!(short.sweep_uploads().await.unwrap(), 2, "the expired session and the stray upload");
    let left = keys(storage.as_ref(), "uploads/").await;
    assert_eq!(left, [format!("uploads/{kept}/object"), format!("uploads/{kept}/session.json")]);
    assert_eq!(short.sweep_uploads().await.unwrap(), 0);
    let published =
        call(&long, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.0?upload={kept}"), &token, vec![])
            .await;
    assert_eq!(published.status(), StatusCode::CREATED);
}

/// A store that works, but whose chunked writes fail while `failing` is on, as a backend that
/// drops the connection in the middle of a large upload.
#[derive(Debug)]
struct FlakyWrites {
    inner: Arc<dyn Storage>,
    failing: std::sync::atomic::AtomicBool,
}

/// A writer that takes one chunk, then fails.
struct FailingWriter<'a> {
    inner: Box<dyn tfreg_core::storage::ObjectWriter + 'a>,
    key: String,
    written: usize,
}

#[async_trait::async_trait]
impl tfreg_core::storage::ObjectWriter for FailingWriter<'_> {
    async fn write(&mut self, chunk: Bytes) -> Result<(), tfreg_core::storage::StorageError> {
        self.written += 1;
        if self.written > 1 {
            return Err(tfreg_core::storage::StorageError::Backend {
                key: self.key.clone(),
                transient: true,
                source: "connection reset".into(),
            });
        }
        self.inner.write(chunk).await
    }
    async fn finish(
        self: Box<Self>,
    ) -> Result<tfreg_core::storage::ObjectInfo, tfreg_core::storage::StorageError> {
        self.inner.finish().await
    }
    async fn abort(self: Box<Self>) -> Result<(), tfreg_core::storage::StorageError> {
        self.inner.abort().await
    }
}

#[async_trait::async_trait]
impl Storage for FlakyWrites {
    async fn get(
        &self,
        key: &str,
    ) -> Result<Option<tfreg_core::storage::StoredObject>, tfreg_core::storage::StorageError> {
        self.inner.get(key).await
    }
    async fn head(
        &self,
        key: &str,
    ) -> Result<Option<tfreg_core::storage::ObjectInfo>, tfreg_core::storage::StorageError> {
        self.inner.head(key).await
    }
    async fn put(
        &self,
        key: &str,
        body: Bytes,
        mode: PutMode,
    ) -> Result<tfreg_core::storage::ObjectInfo, tfreg_core::storage::StorageError> {
        self.inner.put(key, body, mode).await
    }
    async fn delete(&self, key: &str) -> Result<(), tfreg_core::storage::StorageError> {
        self.inner.delete(key).await
    }
    async fn list(
        &self,
        prefix: &str,
    ) -> Result<Vec<tfreg_core::storage::ObjectInfo>, tfreg_core::storage::StorageError> {
        self.inner.list(prefix).await
    }
    async fn get_stream(
        &self,
        key: &str,
    ) -> Result<Option<tfreg_core::storage::StreamedObject>, tfreg_core::storage::StorageError> {
        self.inner.get_stream(key).await
    }
    async fn writer<'a>(
        &'a self,
        key: &str,
    ) -> Result<Box<dyn tfreg_core::storage::ObjectWriter + 'a>, tfreg_core::storage::StorageError> {
        let inner = self.inner.writer(key).await?;
        if !self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(inner);
        }
        Ok(Box::new(FailingWriter { inner, key: key.to_owned(), written: 0 }))
    }
}

#[tokio::test]
async fn a_storage_fault_mid_upload_is_a_5xx_and_loses_nothing() {
    let inner = memory();
    let flaky = Arc::new(FlakyWrites { inner: inner.clone(), failing: false.into() });
    let registry = registry(flaky.clone(), RegistryConfig::default()).await;
    let token = uploader(&registry, None).await;
    let set_failing = |on: bool| flaky.failing.store(on, std::sync::atomic::Ordering::SeqCst);

    // The store fails during the streamed upload: 503, and no object under the session.
    let (id, url) = open(&registry, &token).await;
    let package = provider_zip(1 << 20);
    set_failing(true);
    let failed = upload(&registry, &url, &package).await;
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE, "{:?}", failed.body());
    assert_eq!(failed.headers()["retry-after"], "1");
    assert!(inner.head(&format!("uploads/{id}/object")).await.unwrap().is_none());

    // Uploaded fine, but the store fails while the package is written to its key: 503, nothing
    // published, and the session is kept for a retry, which then publishes.
    set_failing(false);
    assert_eq!(upload(&registry, &url, &package).await.status(), StatusCode::OK);
    set_failing(true);
    let publish = format!("/v1/providers/acme/big/1.0.0/linux/amd64?upload={id}");
    let failed = call(&registry, Method::PUT, &publish, &token, vec![]).await;
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE, "{:?}", failed.body());
    assert!(keys(inner.as_ref(), "providers/").await.is_empty(), "nothing published");
    let versions = call(&registry, Method::GET, "/v1/providers/acme/big/versions", &token, vec![]).await;
    assert_eq!(versions.status(), StatusCode::NOT_FOUND);
    set_failing(false);
    let published = call(&registry, Method::PUT, &publish, &token, vec![]).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    assert!(keys(inner.as_ref(), "uploads/").await.is_empty());
}
