//! Download counts: every module and provider download answer counted per version, written to
//! the store at most every `download_flush` (so counts lag by a bounded interval), added up
//! across replicas on one store, kept across restarts, and shown in the catalogue.

use std::time::Duration;

use http::{Method, StatusCode};
use tfreg_core::lifecycle::Subject;
use tfreg_core::types::{ModuleAddress, ProviderAddress};
use tfreg_testkit::{json, tar_gz, zip, TestRegistry};

const KEY: &str = include_str!("../src/pgp/testdata/signing-key.asc");

async fn download(h: &TestRegistry, version: &str) {
    let answer = h.get(&format!("/v1/modules/acme/net/aws/{version}/download")).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
}

fn net() -> Subject {
    Subject::Module(ModuleAddress::parse("acme", "net", "aws").unwrap())
}

#[tokio::test]
async fn downloads_are_counted_per_version_and_add_up_across_replicas_and_restarts() {
    let a = TestRegistry::builder().signing_key(KEY).build().await;
    let b = TestRegistry::builder().storage(a.storage.clone()).clock(a.clock.clone()).build().await;
    for version in ["1.0.0", "1.1.0"] {
        assert_eq!(a.publish_module("acme/net/aws", version, tar_gz(&[("main.tf", "")])).await.status(), 201);
    }
    for _ in 0..3 {
        download(&a, "1.0.0").await;
    }
    download(&b, "1.1.0").await;
    assert_eq!(a.registry.download_counts(&net()).await.unwrap().total, 0, "not written before the interval");

    // Past the interval, the next download writes what the instance counted.
    a.clock.advance(Duration::from_secs(31));
    download(&a, "1.0.0").await;
    let mut written = 0;
    for _ in 0..1000 {
        written = a.registry.download_counts(&net()).await.unwrap().total;
        if written == 4 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(written, 4, "a's four downloads are written in the background");
    b.registry.flush_downloads().await.unwrap();
    let counts = a.registry.download_counts(&net()).await.unwrap();
    assert_eq!(counts.total, 5);
    assert_eq!(counts.versions["1.0.0"], 4);
    assert_eq!(counts.versions["1.1.0"], 1);

    // A new instance on the store reads the counts; the catalogue shows the total.
    let restarted = TestRegistry::builder().storage(a.storage.clone()).build().await;
    assert_eq!(restarted.registry.download_counts(&net()).await.unwrap(), counts);
    let list = json(&restarted.get("/v1/modules").await);
    assert_eq!(list["modules"][0]["downloads"], 5, "{list}");
    assert_eq!(json(&restarted.get("/v1/modules/acme/net/aws/1.0.0").await)["downloads"], 4);
    let detail = json(&restarted.get("/v1/modules/acme/net/aws").await);
    let per_version: Vec<u64> = detail["version_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["downloads"].as_u64().unwrap())
        .collect();
    assert_eq!(per_version, [1, 4], "1.1.0 then 1.0.0");
    // Publishing again keeps the count in the catalogue.
    restarted.publish_module("acme/net/aws", "1.2.0", tar_gz(&[("main.tf", "")])).await;
    assert_eq!(json(&restarted.get("/v1/modules").await)["modules"][0]["downloads"], 5);

    // Provider downloads too.
    let package = zip(&[("terraform-provider-null_v1.0.0", b"binary")]);
    let put =
        a.call(Method::PUT, "/v1/providers/acme/null/1.0.0/linux/amd64", Some(&a.master), package).await;
    assert_eq!(put.status(), StatusCode::CREATED);
    for _ in 0..2 {
        assert_eq!(
            a.get("/v1/providers/acme/null/1.0.0/download/linux/amd64").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        a.get("/v1/providers/acme/null/9.0.0/download/linux/amd64").await.status(),
        StatusCode::NOT_FOUND
    );
    a.registry.flush_downloads().await.unwrap();
    let null = Subject::Provider(ProviderAddress::local("acme", "null").unwrap());
    assert_eq!(
        a.registry.download_counts(&null).await.unwrap().versions["1.0.0"],
        2,
        "failed answers are not counted"
    );
    assert_eq!(json(&a.get("/v1/providers/acme/null/1.0.0").await)["downloads"], 2);
    a.clock.advance(Duration::from_secs(3600));
    assert_eq!(json(&a.get("/v1/providers").await)["providers"][0]["downloads"], 2);
}
