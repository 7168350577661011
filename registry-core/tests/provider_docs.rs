//! A provider version's documentation in the tfplugindocs layout: uploaded as an archive,
//! checked, rendered and served with the provider, kept by the garbage collection as long as
//! the version, gone with it.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use tfreg_core::auth::Role;
use tfreg_core::RegistryConfig;
use tfreg_testkit::{error_message, json, tar_gz, zip, TestRegistry};

const KEY: &str = include_str!("../src/pgp/testdata/signing-key.asc");
const DOCS: &str = "/v1/providers/acme/null/1.0.0/docs";

fn bundle() -> Vec<u8> {
    zip(&[
        ("docs/index.md", b"---\npage_title: \"Provider: Null\"\n---\n\n# Null\n\nDoes nothing.\n"),
        (
            "docs/resources/thing.md",
            b"---\npage_title: \"null_thing Resource - null\"\nsubcategory: \"Things\"\ndescription: |-\n  Keeps nothing.\n---\n\n# null_thing\n\n<img src=x onerror=alert(1)>[more](https://example.com)\n",
        ),
        ("docs/data-sources/info.md", b"# null_info\n"),
        ("docs/images/logo.png", b"\x89PNG"),
    ])
}

async fn registry() -> TestRegistry {
    let config = RegistryConfig { orphan_grace: Duration::ZERO, ..Default::default() };
    let h = TestRegistry::builder().config(config).signing_key(KEY).build().await;
    let package = zip(&[("terraform-provider-null_v1.0.0", b"binary")]);
    let put =
        h.call(Method::PUT, "/v1/providers/acme/null/1.0.0/linux/amd64", Some(&h.master), package).await;
    assert_eq!(put.status(), StatusCode::CREATED);
    h
}

#[tokio::test]
async fn docs_are_uploaded_checked_and_served_with_the_provider() {
    let h = registry().await;
    let uploader = h.issue(Role::Uploader).await;
    let reader = h.issue(Role::Downloader).await;
    assert!(error_message(&h.get(DOCS).await, StatusCode::NOT_FOUND).contains("no documentation"));
    let refused = h.call(Method::PUT, DOCS, Some(&reader), bundle()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let created = h.call(Method::PUT, DOCS, Some(&uploader), bundle()).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let index = json(&created);
    let pages: Vec<(String, String, String)> = index["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["category"].as_str().unwrap().into(),
                p["slug"].as_str().unwrap().into(),
                p["title"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        pages,
        [
            ("data-sources".into(), "info".into(), "null_info".into()),
            ("overview".into(), "index".into(), "Provider: Null".into()),
            ("resources".into(), "thing".into(), "null_thing Resource - null".into()),
        ]
    );
    assert_eq!(index["pages"][2]["subcategory"], "Things");
    assert_eq!(index["pages"][2]["description"], "Keeps nothing.");
    assert!(index["pages"][2]["url"]
        .as_str()
        .unwrap()
        .ends_with("/v1/providers/acme/null/1.0.0/docs/resources/thing"));
    assert_eq!(json(&h.call(Method::GET, DOCS, Some(&reader), Bytes::new()).await), index);

    let page =
        json(&h.call(Method::GET, &format!("{DOCS}/resources/thing"), Some(&reader), Bytes::new()).await);
    assert!(page["markdown"].as_str().unwrap().contains("# null_thing"));
    let html = page["html"].as_str().unwrap();
    assert!(html.contains("<h1>null_thing</h1>") && html.contains("href=\"https://example.com\""), "{html}");
    assert!(!html.contains("onerror"), "sanitised: {html}");
    assert_eq!(h.get(&format!("{DOCS}/resources/other")).await.status(), StatusCode::NOT_FOUND);
    let version = json(&h.get("/v1/providers/acme/null/1.0.0").await);
    assert_eq!(version["docs"]["pages"], 3);

    // Bad bundles are refused and change nothing.
    let before = h.stored_keys("providers/_local/acme/null/1.0.0/").await;
    for (bad, why) in [
        (b"not an archive".to_vec(), "not an archive"),
        (zip(&[("README.md", b"x")]), "no pages"),
        (zip(&[("docs/resources/x.md", b"\xff\xfe")]), "not UTF-8"),
        (tar_gz(&[("../docs/index.md", "x")]), "unsafe path"),
        (zip(&[("docs/index.md", &vec![b'a'; (512 << 10) + 1])]), "too large"),
    ] {
        let answer = h.call(Method::PUT, DOCS, Some(&uploader), bad).await;
        assert!(!error_message(&answer, StatusCode::BAD_REQUEST).is_empty(), "{why}");
    }
    assert_eq!(h.stored_keys("providers/_local/acme/null/1.0.0/").await, before);
    let missing = h.call(Method::PUT, "/v1/providers/acme/null/9.9.9/docs", Some(&uploader), bundle()).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn docs_live_as_long_as_their_version() {
    let h = registry().await;
    assert_eq!(h.call(Method::PUT, DOCS, Some(&h.master), bundle()).await.status(), StatusCode::CREATED);
    let first = h.stored_keys("providers/_local/acme/null/1.0.0/").await;
    let replaced = zip(&[("docs/index.md", b"# Null, again\n")]);
    assert_eq!(h.call(Method::PUT, DOCS, Some(&h.master), replaced).await.status(), StatusCode::CREATED);
    let report = h.registry.collect_garbage().await.unwrap();
    assert_eq!(report.removed.len(), 1, "the replaced docs only: {report:?}");
    let kept = h.stored_keys("providers/_local/acme/null/1.0.0/").await;
    assert_eq!(kept.len(), first.len(), "the package and the current docs");
    assert_eq!(json(&h.get(DOCS).await)["pages"][0]["title"], "Null, again");

    let deleted =
        h.call(Method::DELETE, "/v1/providers/acme/null/1.0.0", Some(&h.master), Bytes::new()).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(h.stored_keys("providers/_local/acme/null/1.0.0/").await.is_empty());
}
