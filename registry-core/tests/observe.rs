//! Operations: `/healthz` and `/readyz`, request ids, and the metrics every request, download,
//! publish, storage operation and token lookup reports (read back through a real Prometheus
//! recorder, local to the test's thread).

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use metrics_exporter_prometheus::PrometheusBuilder;
use tfreg_core::auth::Role;
use tfreg_core::storage::Storage;
use tfreg_testkit::{json, send, tar_gz, FaultyStorage, TestRegistry};

#[tokio::test]
async fn health_and_readiness_answer_cheaply_and_readiness_follows_the_store() {
    let store: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let faulty = FaultyStorage::new(store);
    let h = TestRegistry::builder().storage(faulty.clone()).build().await;
    for path in ["/healthz", "/readyz"] {
        let answer = h.call(Method::GET, path, None, Bytes::new()).await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(json(&answer), serde_json::json!({"status": "ok"}));
    }
    faulty.fail_reads_under("_tfreg/");
    let down = h.call(Method::GET, "/readyz", None, Bytes::new()).await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(json(&down)["errors"][0].as_str().unwrap().contains("the store does not answer"));
    assert_eq!(
        h.call(Method::GET, "/healthz", None, Bytes::new()).await.status(),
        StatusCode::OK,
        "the process is up"
    );
    faulty.heal();
    assert_eq!(h.call(Method::GET, "/readyz", None, Bytes::new()).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let h = TestRegistry::new().await;
    let given = send(
        &h.registry,
        Request::get("/healthz").header("x-request-id", "ci-42").body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(given.headers()["x-request-id"], "ci-42", "a caller's id is kept");
    let a = h.call(Method::GET, "/healthz", None, Bytes::new()).await;
    let b = h.call(Method::GET, "/v1/nothing", None, Bytes::new()).await;
    let (a, b) =
        (a.headers()["x-request-id"].to_str().unwrap(), b.headers()["x-request-id"].to_str().unwrap());
    assert!(!a.is_empty() && a != b, "fresh ids: {a} {b}");
    let odd =
        send(&h.registry, Request::get("/healthz").header("x-request-id", "a b").body(Bytes::new()).unwrap())
            .await;
    assert_ne!(odd.headers()["x-request-id"], "a b", "an id with a space is replaced");
}

#[test]
fn requests_downloads_publishes_storage_and_token_lookups_are_measured() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let h = TestRegistry::new().await;
            assert_eq!(
                h.publish_module("acme/net/aws", "1.0.0", tar_gz(&[("main.tf", "")])).await.status(),
                201
            );
            let refused = h.publish_module("acme/net/aws", "1.0.0", tar_gz(&[("main.tf", "")])).await;
            assert_eq!(refused.status(), StatusCode::CONFLICT);
            for _ in 0..2 {
                assert_eq!(h.get("/v1/modules/acme/net/aws/versions").await.status(), StatusCode::OK);
            }
            assert_eq!(
                h.get("/v1/modules/acme/net/aws/1.0.0/download").await.status(),
                StatusCode::NO_CONTENT
            );
            // An upload session, published from.
            let opened = json(&h.call(Method::POST, "/v1/uploads", Some(&h.master), Bytes::from("{}")).await);
            let url = opened["upload_url"].as_str().unwrap();
            let path = url.split_once("/v1/").map(|(_, p)| format!("/v1/{p}")).unwrap();
            let put = h.call(Method::PUT, &path, None, tar_gz(&[("main.tf", "")])).await;
            assert!(put.status().is_success(), "{:?}", put.body());
            let id = opened["id"].as_str().unwrap();
            let published = h
                .call(
                    Method::PUT,
                    &format!("/v1/modules/acme/net/aws/2.0.0?upload={id}"),
                    Some(&h.master),
                    Bytes::new(),
                )
                .await;
            assert_eq!(published.status(), StatusCode::CREATED);
            let token = h.issue(Role::Downloader).await;
            for _ in 0..3 {
                h.call(Method::GET, "/v1/modules/acme/net/aws/versions", Some(&token), Bytes::new()).await;
            }
        })
    });
    let text = handle.render();
    for line in [
        r#"tfreg_requests_total{route="/v1/modules/{ns}/{name}/{system}/versions",method="GET",status="200"} 5"#,
        r#"tfreg_requests_total{route="/v1/modules/{ns}/{name}/{system}/{version}/download",method="GET",status="204"} 1"#,
        r#"tfreg_downloads_total{kind="module",address="acme/net/aws",version="1.0.0"} 1"#,
        r#"tfreg_publishes_total{kind="module",outcome="published",status="201"} 2"#,
        r#"tfreg_publishes_total{kind="module",outcome="refused",status="409"} 1"#,
        r#"tfreg_token_cache_total{result="miss"} 1"#,
        r#"tfreg_token_cache_total{result="hit"} 2"#,
        r#"tfreg_upload_sessions_opened_total 1"#,
        r#"tfreg_upload_sessions_closed_total{how="published"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
    }
    assert!(text.contains(r#"tfreg_request_duration_seconds_count{route="/v1/modules/{ns}/{name}/{system}/versions",method="GET"} 5"#), "{text}");
    assert!(text.contains(r#"tfreg_storage_operations_total{op="put",outcome="ok"}"#), "{text}");
    assert!(
        text.contains(r#"tfreg_storage_operations_total{op="put",outcome="conflict"}"#)
            || text.contains(r#"op="get""#)
    );
}
