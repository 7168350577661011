//! The defects an attack run found in the request pipeline, one test each: bodies read before
//! the caller was checked, bodies that stall for ever, no cap on uploads in progress, and
//! changes made although their audit entry could not be stored.
//!
//! Time is tokio's paused clock: the registry's body timeouts fire without the tests sleeping.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::{Method, Request, Response, StatusCode};
use tfreg_core::auth::Role;
use tfreg_core::http::Body;
use tfreg_core::{Registry, RegistryConfig};
use tfreg_testkit::{collect, error_message, tiny_module, FaultyStorage, TestRegistry};
use tokio::sync::mpsc;

/// A request body fed by the test through a channel; it stays pending until the test sends a
/// chunk or drops the sender.
struct Fed(mpsc::UnboundedReceiver<Bytes>);

impl Stream for Fed {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

/// A body that never sends anything, and its feeder.
fn fed() -> (mpsc::UnboundedSender<Bytes>, Fed) {
    let (tx, rx) = mpsc::unbounded_channel();
    (tx, Fed(rx))
}

/// A streamed `PUT` of a module version with `token`, declaring a 60 MB body.
fn streamed_put(uri: &str, token: Option<&str>, body: Fed) -> Request<Fed> {
    let mut request = Request::builder().method(Method::PUT).uri(uri).header("content-length", "60000000");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(body).unwrap()
}

/// The answer, or a panic if it takes longer than `within` (of tokio's paused time).
async fn answered(within: Duration, answer: impl Future<Output = Response<Body>>) -> Response<Bytes> {
    let response = tokio::time::timeout(within, answer).await.expect("answered in time");
    collect(response).await
}

#[tokio::test(start_paused = true)]
async fn a_request_that_may_not_go_ahead_is_answered_before_its_body_arrives() {
    let h = TestRegistry::new().await;
    let reader = h.issue(Role::Downloader).await;
    let cases = [
        (None, "/v1/modules/acme/slow/aws/1.0.0", StatusCode::UNAUTHORIZED),
        (Some("tfreg_not-a-real-token"), "/v1/modules/acme/slow/aws/1.0.0", StatusCode::UNAUTHORIZED),
        (Some(reader.as_str()), "/v1/modules/acme/slow/aws/1.0.0", StatusCode::FORBIDDEN),
        (Some(h.master.as_str()), "/v1/nowhere", StatusCode::NOT_FOUND),
        (Some(h.master.as_str()), "/v1/modules/acme/slow/aws/not-a-version", StatusCode::BAD_REQUEST),
    ];
    for (token, uri, status) in cases {
        // The body never comes: the answer must not wait for it.
        let (_feeder, body) = fed();
        let response =
            answered(Duration::from_millis(1), h.registry.handle_streamed(streamed_put(uri, token, body)))
                .await;
        assert_eq!(response.status(), status, "{uri} with {token:?}");
        error_message(&response, status);
    }
    // A read route ignores a body: it neither waits for one nor refuses it.
    let (_feeder, body) = fed();
    let request = Request::builder()
        .uri("/v1/modules/acme/slow/aws/versions")
        .header("authorization", format!("Bearer {}", h.master))
        .header("content-length", "60000000")
        .body(body)
        .unwrap();
    let response = answered(Duration::from_millis(1), h.registry.handle_streamed(request)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(h.stored_keys("modules/").await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_body_that_stalls_or_trickles_is_given_up_and_nothing_is_stored() {
    let h = TestRegistry::new().await;
    let uri = "/v1/modules/acme/slow/aws/1.0.0";

    // Ten bytes, then silence.
    let (feeder, body) = fed();
    feeder.send(Bytes::from_static(b"0123456789")).unwrap();
    let started = tokio::time::Instant::now();
    let response = answered(
        Duration::from_secs(60),
        h.registry.handle_streamed(streamed_put(uri, Some(&h.master), body)),
    )
    .await;
    let message = error_message(&response, StatusCode::REQUEST_TIMEOUT);
    assert!(message.contains("too slowly"), "{message}");
    assert!(started.elapsed() <= Duration::from_secs(20), "given up after {:?}", started.elapsed());

    // A trickle: a byte a second never pauses long, but stays far under the minimum rate.
    let (feeder, body) = fed();
    let trickle = tokio::spawn(async move {
        while feeder.send(Bytes::from_static(b"x")).is_ok() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let response = answered(
        Duration::from_secs(60),
        h.registry.handle_streamed(streamed_put(uri, Some(&h.master), body)),
    )
    .await;
    error_message(&response, StatusCode::REQUEST_TIMEOUT);
    trickle.abort();

    assert_eq!(h.get("/v1/modules/acme/slow/aws/versions").await.status(), StatusCode::NOT_FOUND);
    assert!(h.stored_keys("modules/").await.is_empty());
    assert!(h.stored_keys("uploads/").await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn uploads_in_progress_are_capped_per_principal_and_in_total() {
    let config = RegistryConfig { max_uploads: 3, max_uploads_per_principal: 2, ..Default::default() };
    let h = TestRegistry::builder().config(config).build().await;
    let other = h.issue(Role::Uploader).await;
    let third = h.issue(Role::Uploader).await;

    // Two uploads by the master whose bodies are still arriving.
    let mut feeders = Vec::new();
    let mut pending = Vec::new();
    for n in 0..2 {
        let (feeder, body) = fed();
        feeders.push(feeder);
        let registry: Registry = h.registry.clone();
        let request = streamed_put(&format!("/v1/modules/acme/m{n}/aws/1.0.0"), Some(&h.master), body);
        pending.push(tokio::spawn(async move { collect(registry.handle_streamed(request).await).await }));
    }
    tokio::time::sleep(Duration::from_millis(10)).await;

    // A third by the master is refused at once; another principal still gets the last slot.
    let (_f, body) = fed();
    let request = streamed_put("/v1/modules/acme/m2/aws/1.0.0", Some(&h.master), body);
    let response = answered(Duration::from_millis(1), h.registry.handle_streamed(request)).await;
    let message = error_message(&response, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(message.contains("uploads in progress"), "{message}");

    let (other_feeder, body) = fed();
    let request = streamed_put("/v1/modules/acme/o1/aws/1.0.0", Some(&other), body);
    let registry = h.registry.clone();
    let other_upload = tokio::spawn(async move { collect(registry.handle_streamed(request).await).await });
    tokio::time::sleep(Duration::from_millis(10)).await;

    // The registry is full now, for anyone.
    let (_f, body) = fed();
    let request = streamed_put("/v1/modules/acme/t1/aws/1.0.0", Some(&third), body);
    let response = answered(Duration::from_millis(1), h.registry.handle_streamed(request)).await;
    error_message(&response, StatusCode::TOO_MANY_REQUESTS);

    // When an upload ends, its slot comes back.
    let archive = Bytes::from(tiny_module());
    other_feeder.send(archive).unwrap();
    drop(other_feeder);
    assert_eq!(other_upload.await.unwrap().status(), StatusCode::CREATED);
    let (feeder, body) = fed();
    feeder.send(Bytes::from(tiny_module())).unwrap();
    drop(feeder);
    let request = streamed_put("/v1/modules/acme/t1/aws/1.0.0", Some(&third), body);
    let request = {
        let (mut parts, body) = request.into_parts();
        parts.headers.remove("content-length");
        Request::from_parts(parts, body)
    };
    let response = answered(Duration::from_secs(1), h.registry.handle_streamed(request)).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    drop(feeders);
    for upload in pending {
        // An ended body that is not an archive: refused, and the slot released.
        assert_eq!(upload.await.unwrap().status(), StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_change_whose_audit_entry_cannot_be_stored_is_refused() {
    let memory = std::sync::Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let store = FaultyStorage::new(memory);
    let h = TestRegistry::builder().storage(store.clone()).build().await;
    store.fail_writes_under("audit/");

    let response = h.publish_module("acme/audited/aws", "1.0.0", tiny_module()).await;
    let message = error_message(&response, StatusCode::SERVICE_UNAVAILABLE);
    assert!(message.contains("audit entry could not be stored"), "{message}");
    assert_eq!(h.get("/v1/modules/acme/audited/aws/versions").await.status(), StatusCode::NOT_FOUND);
    assert!(h.stored_keys("modules/").await.is_empty(), "nothing of the refused version is stored");

    let token = h.call(Method::POST, "/v1/tokens", Some(&h.master), r#"{"tier":"downloader"}"#).await;
    error_message(&token, StatusCode::SERVICE_UNAVAILABLE);
    assert!(h.stored_keys("tokens/").await.is_empty(), "no token was issued");

    store.heal();
    assert_eq!(
        h.publish_module("acme/audited/aws", "1.0.0", tiny_module()).await.status(),
        StatusCode::CREATED
    );
    let audit = tfreg_testkit::json(&h.get("/v1/audit").await);
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(entries[0]["action"], "module.publish");
    assert_eq!(entries[0]["outcome"], "success", "the entry written before the change records its end");
    assert_eq!(entries[0]["status"], 201);
}
