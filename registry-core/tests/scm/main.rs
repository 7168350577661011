//! Publishing from source control, through the registry's handlers with a host that serves
//! repositories the test makes (a [`ScmClient`] over in-memory tarballs shaped like GitHub's,
//! one top folder each). Webhook bodies are the fixtures in `fixtures/`, shaped from each
//! vendor's documented payloads (see its README), signed as the vendors sign them.

mod app;
mod host;
mod signatures;
mod sources;

use bytes::Bytes;
use http::{Method, Request, Response};
use tfreg_testkit::{send, TestRegistry};

/// The App's webhook secret in these tests.
pub(crate) const SECRET: &str = "app-webhook-secret-0123456789";

/// A fixture's bytes, exactly as stored (signatures are over them).
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/scm/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// `POST path` with `body` and these headers.
pub(crate) async fn post(
    h: &TestRegistry,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Response<Bytes> {
    let mut request = Request::builder().method(Method::POST).uri(path);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    send(&h.registry, request.body(Bytes::from(body)).unwrap()).await
}

/// A GitHub delivery of `event` with `body`, signed with `secret`, to `path`.
pub(crate) async fn github(
    h: &TestRegistry,
    path: &str,
    secret: &str,
    event: &str,
    id: &str,
    body: Vec<u8>,
) -> Response<Bytes> {
    let signature = tfreg_core::scm::signature::sign(secret.as_bytes(), &body);
    let headers = [
        ("x-github-event", event.to_owned()),
        ("x-github-delivery", id.to_owned()),
        ("x-hub-signature-256", signature),
        ("content-type", "application/json".to_owned()),
    ];
    post(h, path, &headers, body).await
}

/// A delivery of the fixture `github/{file}.json` to the App as `event`.
pub(crate) async fn to_app(h: &TestRegistry, event: &str, file: &str, id: &str) -> Response<Bytes> {
    github(h, "/v1/webhooks/github", SECRET, event, id, fixture(&format!("github/{file}.json"))).await
}
