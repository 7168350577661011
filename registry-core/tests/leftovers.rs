//! What a crash in the middle of an upload leaves on the local filesystem, and who removes it.
//!
//! A `kill -9` during `PUT /v1/uploads/{id}` leaves the store's staging file for the write,
//! `uploads/{id}/object#1` (object_store's local backend writes `key#N`, then renames it into
//! place). The tests below interrupt a real streamed upload the way a crash does (the request's
//! future is leaked, so no destructor cleans up), then check on disk that abandoning the session,
//! sweeping it after it expired, or publishing from it removes every file under the session.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use tfreg_core::storage::Storage;
use tfreg_core::RegistryConfig;
use tfreg_testkit::{json, tiny_module, TestRegistry};

/// A registry over a local-filesystem store in a fresh temporary folder.
async fn local_registry(config: RegistryConfig) -> (TestRegistry, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(tfreg_storage::from_url(&format!("file://{}", dir.path().display())).unwrap());
    (TestRegistry::builder().storage(storage).config(config).build().await, dir)
}

/// Opens a session as the master: its id and upload URL (path and query).
async fn open(registry: &TestRegistry) -> (String, String) {
    let created = registry.call(Method::POST, "/v1/uploads", Some(&registry.master), Bytes::new()).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let created = json(&created);
    (created["id"].as_str().unwrap().to_owned(), created["upload_url"].as_str().unwrap().to_owned())
}

/// A request body that yields `chunks`, then tells `stalled` and never ends: a client whose
/// connection hangs while the server is killed.
struct Stalling {
    chunks: std::vec::IntoIter<Bytes>,
    stalled: Arc<tokio::sync::Notify>,
}

impl futures_core::Stream for Stalling {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.chunks.next() {
            Some(chunk) => std::task::Poll::Ready(Some(Ok(chunk))),
            None => {
                self.stalled.notify_one();
                std::task::Poll::Pending
            }
        }
    }
}

/// Streams 8 MiB to `url`, stops half-way, and abandons the request as `kill -9` would: its
/// future is leaked, never dropped, so the store's writer is neither finished nor aborted.
async fn interrupted_upload(registry: &TestRegistry, url: &str) {
    let chunks: Vec<Bytes> = (0..40u8).map(|i| Bytes::from(vec![i; 100_000])).collect();
    let stalled = Arc::new(tokio::sync::Notify::new());
    let body = Stalling { chunks: chunks.into_iter(), stalled: stalled.clone() };
    let request = Request::put(url).body(body).unwrap();
    let mut answer = Box::pin(registry.registry.handle_streamed(request));
    tokio::select! {
        response = &mut answer => panic!("the upload finished: {:?}", response.status()),
        () = stalled.notified() => {}
    }
    std::mem::forget(answer);
}

/// Every file under `dir`, relative to `root`, sorted.
fn files_under(root: &Path, dir: &str) -> Vec<String> {
    fn walk(root: &Path, at: PathBuf, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(&at) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root.join(dir), &mut out);
    out.sort();
    out
}

/// Interrupts an upload to `id` and checks what it left on disk: the session's record and the
/// staging file of the write, which the store's listing does not show.
async fn crash_during_upload(registry: &TestRegistry, root: &Path, id: &str, url: &str) {
    interrupted_upload(registry, url).await;
    let left = files_under(root, &format!("uploads/{id}"));
    assert_eq!(
        left,
        [format!("uploads/{id}/object#1"), format!("uploads/{id}/session.json")],
        "an interrupted write leaves its staging file"
    );
    assert_eq!(registry.stored_keys(&format!("uploads/{id}/")).await, [format!("uploads/{id}/session.json")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoning_a_session_removes_an_interrupted_upload() {
    let (registry, dir) = local_registry(RegistryConfig::default()).await;
    let (id, url) = open(&registry).await;
    crash_during_upload(&registry, dir.path(), &id, &url).await;

    let uri = format!("/v1/uploads/{id}");
    let deleted = registry.call(Method::DELETE, &uri, Some(&registry.master), Bytes::new()).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(files_under(dir.path(), "uploads"), Vec::<String>::new());
    assert!(!dir.path().join("uploads").exists(), "the emptied folders go too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_an_interrupted_upload_once_its_session_expired() {
    let (registry, dir) = local_registry(RegistryConfig::default()).await;
    let (id, url) = open(&registry).await;
    crash_during_upload(&registry, dir.path(), &id, &url).await;
    // Another crash, after the record was removed by hand or by an older sweep.
    let (orphan, orphan_url) = open(&registry).await;
    crash_during_upload(&registry, dir.path(), &orphan, &orphan_url).await;
    std::fs::remove_file(dir.path().join(format!("uploads/{orphan}/session.json"))).unwrap();

    // While the session lives, its files stay (the client may retry the upload).
    assert_eq!(registry.registry.sweep_uploads().await.unwrap(), 1, "only the record-less one");
    assert_eq!(files_under(dir.path(), &format!("uploads/{id}")).len(), 2);
    assert!(!dir.path().join(format!("uploads/{orphan}")).exists());

    registry.clock.advance(Duration::from_secs(3601));
    assert_eq!(registry.registry.sweep_uploads().await.unwrap(), 1);
    assert_eq!(files_under(dir.path(), "uploads"), Vec::<String>::new());
    assert_eq!(registry.registry.sweep_uploads().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_from_a_session_removes_what_an_earlier_attempt_left() {
    let (registry, dir) = local_registry(RegistryConfig::default()).await;
    let (id, url) = open(&registry).await;
    crash_during_upload(&registry, dir.path(), &id, &url).await;

    // The client tries again on the restarted server: a second staging file, renamed into place.
    let request = Request::put(url.as_str()).body(Bytes::from(tiny_module())).unwrap();
    assert_eq!(tfreg_testkit::send(&registry.registry, request).await.status(), StatusCode::OK);
    assert_eq!(
        files_under(dir.path(), &format!("uploads/{id}")),
        [
            format!("uploads/{id}/object"),
            format!("uploads/{id}/object#1"),
            format!("uploads/{id}/session.json")
        ]
    );
    let uri = format!("/v1/modules/acme/vpc/aws/1.0.0?upload={id}");
    let published = registry.call(Method::PUT, &uri, Some(&registry.master), Bytes::new()).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    assert_eq!(files_under(dir.path(), "uploads"), Vec::<String>::new());
}
