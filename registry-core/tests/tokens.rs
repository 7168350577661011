//! Issued tokens carry a keyed checksum: a forged or mistyped token is refused without a read of
//! the store, while tokens issued before checksums keep working.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, StatusCode};
use tfreg_core::auth::{hash_token, NewToken, Role, TokenRecord, TokenStore};
use tfreg_core::storage::{layout, ObjectInfo, PutMode, Storage, StorageError, StoredObject};
use tfreg_core::Registry;
use tfreg_testkit::{tiny_module, TestRegistry};

/// A store that counts its reads.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn Storage>,
    gets: AtomicUsize,
}

#[async_trait]
impl Storage for Counting {
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key).await
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StorageError> {
        self.inner.head(key).await
    }
    async fn put(&self, key: &str, body: Bytes, mode: PutMode) -> Result<ObjectInfo, StorageError> {
        self.inner.put(key, body, mode).await
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StorageError> {
        self.inner.list(prefix).await
    }
}

#[tokio::test]
async fn forged_tokens_are_refused_without_reading_the_store_and_old_tokens_still_work() {
    let memory: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let counting = Arc::new(Counting { inner: memory.clone(), gets: AtomicUsize::new(0) });
    let h = TestRegistry::builder().storage(counting.clone()).build().await;
    assert_eq!(h.publish_module("acme/vpc/aws", "1.0.0", tiny_module()).await.status(), StatusCode::CREATED);
    let versions = |token: String| {
        let h = &h;
        async move {
            h.call(Method::GET, "/v1/modules/acme/vpc/aws/versions", Some(&token), Bytes::new())
                .await
                .status()
        }
    };

    let spec = NewToken { tier: Some(Role::Downloader), ..Default::default() };
    let (token, _) = h.registry.tokens().create(spec, "test").await.unwrap();
    assert_eq!(token.len(), "tfreg_".len() + 43 + 8, "{token}");
    assert_eq!(versions(token.clone()).await, StatusCode::OK);

    // The same token with one character of its random part changed: the checksum no longer
    // matches, and the store is not asked.
    let before = counting.gets.load(Ordering::SeqCst);
    for at in ["tfreg_".len(), "tfreg_".len() + 20, token.len() - 1] {
        let mut forged = token.clone().into_bytes();
        forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
        assert_eq!(versions(String::from_utf8(forged).unwrap()).await, StatusCode::UNAUTHORIZED);
    }
    for garbage in
        ["tfreg_short", "not-ours", &"tfreg_".repeat(20), "tfreg_ünïcödé-ünïcödé-ünïcödé-ünïcödé-ünï"]
    {
        assert_eq!(versions(garbage.to_owned()).await, StatusCode::UNAUTHORIZED, "{garbage}");
    }
    assert_eq!(counting.gets.load(Ordering::SeqCst), before, "no read for a forged or foreign token");

    // A token issued before checksums (43 characters after the prefix) is still looked up.
    let legacy = format!("tfreg_{}", "L".repeat(43));
    let sha256 = hex::encode(hash_token(&legacy));
    let record = TokenRecord {
        id: sha256[..20].to_owned(),
        sha256,
        tier: Role::Downloader,
        namespaces: None,
        description: Some("issued by an older tfreg".into()),
        created_at: "2026-01-01T00:00:00Z".into(),
        created_by: "master".into(),
        expires_at: None,
        expires_at_unix: None,
        owner: None,
    };
    let body = Bytes::from(serde_json::to_vec(&record).unwrap());
    memory.put(&layout::token(&record.id), body, PutMode::Create).await.unwrap();
    assert_eq!(versions(legacy).await, StatusCode::OK);
    // An unknown one of that shape costs one read, once.
    let unknown = format!("tfreg_{}", "U".repeat(43));
    let before = counting.gets.load(Ordering::SeqCst);
    assert_eq!(versions(unknown.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(versions(unknown).await, StatusCode::UNAUTHORIZED);
    assert_eq!(counting.gets.load(Ordering::SeqCst), before + 1);
}

#[tokio::test]
async fn replicas_on_one_store_accept_each_others_tokens() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let a = TestRegistry::builder().storage(storage.clone()).build().await;
    let b = TestRegistry::builder().storage(storage).build().await;
    let spec = NewToken { tier: Some(Role::Uploader), ..Default::default() };
    let (token, _) = a.registry.tokens().create(spec, "test").await.unwrap();
    let publish = b.call(Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", Some(&token), tiny_module()).await;
    assert_eq!(publish.status(), StatusCode::CREATED, "one checksum key for every instance");
}

#[tokio::test]
async fn once_legacy_tokens_are_refused_no_token_costs_a_read() {
    let memory: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let counting = Arc::new(Counting { inner: memory, gets: AtomicUsize::new(0) });
    let tokens = Arc::new(TokenStore::new(counting.clone()).refusing_legacy_tokens());
    let registry = Registry::builder(counting.clone()).tokens(tokens.clone()).build().await.unwrap();
    let (issued, _) =
        tokens.create(NewToken { tier: Some(Role::Downloader), ..Default::default() }, "test").await.unwrap();
    let status = |token: String| {
        let registry = registry.clone();
        async move {
            let request = http::Request::builder()
                .uri("/v1/modules/acme/vpc/aws/versions")
                .header("authorization", format!("Bearer {token}"))
                .body(Bytes::new())
                .unwrap();
            tfreg_testkit::send(&registry, request).await
        }
    };
    assert_eq!(status(issued).await.status(), StatusCode::NOT_FOUND, "a token with a checksum still works");
    let before = counting.gets.load(Ordering::SeqCst);
    for n in 0..50 {
        let legacy = format!("tfreg_{:0>43}", n);
        let response = status(legacy).await;
        let message = tfreg_testkit::error_message(&response, StatusCode::UNAUTHORIZED);
        assert!(message.contains("no longer accepts"), "{message}");
    }
    assert_eq!(counting.gets.load(Ordering::SeqCst), before, "no read for a token without a checksum");
}
