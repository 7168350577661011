//! Deliveries are verified before they are read: unsigned, signed with another algorithm,
//! with the wrong secret or over a changed body, they are refused with 401 and leave nothing
//! stored; a signed body that is not the event's JSON is a 400.

use http::StatusCode;
use tfreg_testkit::error_message;

use super::app::{acme, registry};
use super::{fixture, github, post, SECRET};

#[tokio::test]
async fn unsigned_wrongly_signed_and_tampered_deliveries_are_refused() {
    let h = registry(acme()).await;
    let body = fixture("github/installation.created.json");
    let hook = "/v1/webhooks/github";
    let headers = |signature: Option<String>| {
        let mut list =
            vec![("x-github-event", "installation".to_owned()), ("x-github-delivery", "d-1".to_owned())];
        list.extend(signature.map(|s| ("x-hub-signature-256", s)));
        list
    };
    let cases = [
        (None, "is missing"),
        // GitHub's legacy header value: another algorithm.
        (Some(format!("sha1={}", "ab".repeat(20))), "not \"sha1\""),
        (Some("sha256=zz".to_owned()), "hex digest"),
        (Some(tfreg_core::scm::signature::sign(b"another-secret-0123456789", &body)), "does not match"),
    ];
    for (signature, why) in cases {
        let answer = post(&h, hook, &headers(signature.clone()), body.clone()).await;
        let message = error_message(&answer, StatusCode::UNAUTHORIZED);
        assert!(message.contains(why), "{signature:?}: {message}");
    }
    // Signed, then changed.
    let signature = tfreg_core::scm::signature::sign(SECRET.as_bytes(), &body);
    let mut tampered = body.clone();
    let at = tampered.windows(4).position(|w| w == b"4242").unwrap();
    tampered[at] = b'5';
    let answer = post(&h, hook, &headers(Some(signature)), tampered).await;
    error_message(&answer, StatusCode::UNAUTHORIZED);
    // Signed, but not the JSON of the event.
    let answer = github(&h, hook, SECRET, "installation", "d-2", b"{\"action\": 1}".to_vec()).await;
    assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains("installation"));
    let answer = github(&h, hook, SECRET, "push", "d-3", b"not json".to_vec()).await;
    error_message(&answer, StatusCode::BAD_REQUEST);

    assert!(h.stored_keys("modules/").await.is_empty(), "nothing published");
    assert!(h.stored_keys("scm/").await.is_empty(), "nothing recorded");

    // The same body, signed right, goes through.
    let answer = github(&h, hook, SECRET, "installation", "d-1", body).await;
    assert_eq!(answer.status(), StatusCode::OK, "{:?}", answer.body());
}

#[tokio::test]
async fn without_an_app_its_hook_is_not_there_and_other_methods_are_refused() {
    let h = tfreg_testkit::TestRegistry::new().await;
    let answer = github(&h, "/v1/webhooks/github", SECRET, "ping", "d", fixture("github/ping.json")).await;
    assert!(error_message(&answer, StatusCode::NOT_FOUND).contains("GitHub App"));
    let answer = h.get("/v1/webhooks/github").await;
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    let answer = h.call(http::Method::POST, "/v1/webhooks/gitlab/not-an-id", None, "").await;
    error_message(&answer, StatusCode::NOT_FOUND);
}
