//! Module versions from an external source: registered as a location (answered verbatim in
//! `X-Terraform-Get`, marked external in the views, the catalogue and the UI, handled by
//! lifecycle, fsck and OCI without an archive), or imported once through a fetcher into a
//! stored archive (its `//subdir` taken from it); bad requests are refused with nothing stored.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::{json as j, Value};
use tfreg_core::auth::{Role, RoleAuthorizer};
use tfreg_core::maintenance::{CheckOptions, Maintenance};
use tfreg_core::modules::external::fetch::{FetchError, SourceFetcher};
use tfreg_core::types::ImportSource;
use tfreg_testkit::{error_message, json, send, tar_gz, tar_gz_under, TestRegistry};

const GIT: &str = "git::https://git.example.com/acme/net.git//modules/vpc?ref=v1.2.0";
const EXTERNAL: &str = "/v1/modules/acme/net/aws/1.2.0/external";

/// A fetcher that answers one archive (or error) and records what it was asked for.
#[derive(Debug)]
struct Fake {
    answer: Result<Vec<u8>, FetchError>,
    asked: Mutex<Vec<(ImportSource, u64)>>,
}

impl Fake {
    fn new(answer: Result<Vec<u8>, FetchError>) -> Arc<Self> {
        Arc::new(Self { answer, asked: Mutex::new(Vec::new()) })
    }

    fn asked(&self) -> Vec<(ImportSource, u64)> {
        self.asked.lock().unwrap().clone()
    }
}

#[async_trait]
impl SourceFetcher for Fake {
    async fn fetch(&self, source: &ImportSource, limit: u64) -> Result<Bytes, FetchError> {
        self.asked.lock().unwrap().push((source.clone(), limit));
        self.answer.clone().map(Bytes::from)
    }
}

async fn register(h: &TestRegistry, token: Option<&str>, body: Value) -> Response<Bytes> {
    h.call(Method::POST, EXTERNAL, token.or(Some(&h.master)), body.to_string()).await
}

/// A GitHub-style tarball: one top folder holding a root module and `modules/vpc`.
fn repository() -> Vec<u8> {
    tar_gz_under(
        "acme-net-1a2b3c/",
        &[
            ("main.tf", "output \"root\" { value = 1 }\n"),
            ("modules/vpc/main.tf", "variable \"cidr\" {}\noutput \"vpc\" { value = var.cidr }\n"),
            ("modules/vpc/README.md", "# VPC\n"),
        ],
    )
}

#[tokio::test]
async fn a_registered_location_is_answered_verbatim_and_marked_external_everywhere() {
    let h = TestRegistry::builder().authorizer(Arc::new(RoleAuthorizer::new(true))).build().await;
    let uploader = h.issue(Role::Uploader).await;
    let created = register(&h, Some(&uploader), j!({"location": GIT, "description": "A VPC"})).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let view = json(&created);
    assert_eq!(view["location"], GIT);
    assert_eq!(view["sha256"], "");
    assert_eq!(view["size"], 0);
    assert_eq!(view["description"], "A VPC");
    assert!(view.get("imported_from").is_none());

    // Terraform's download: 204 with the location as given; OpenTofu's JSON form too.
    let download = h.get("/v1/modules/acme/net/aws/1.2.0/download").await;
    assert_eq!(download.status(), StatusCode::NO_CONTENT);
    assert_eq!(download.headers()["x-terraform-get"], GIT);
    let request = Request::get("/v1/modules/acme/net/aws/1.2.0/download")
        .header("authorization", format!("Bearer {}", h.master))
        .header("accept", "application/json")
        .body(Bytes::new())
        .unwrap();
    let answer = send(&h.registry, request).await;
    assert_eq!(answer.headers()["x-terraform-get"], GIT);
    assert_eq!(json(&answer)["location"], GIT);
    let versions = json(&h.get("/v1/modules/acme/net/aws/versions").await);
    assert_eq!(versions["modules"][0]["versions"], j!([{"version": "1.2.0"}]));

    // The detail views: marked, with nothing documented (no archive here to read).
    let detail = json(&h.get("/v1/modules/acme/net/aws/1.2.0").await);
    assert_eq!(detail["location"], GIT);
    assert_eq!(detail["root"]["inputs"], j!([]));
    let module = json(&h.get("/v1/modules/acme/net/aws").await);
    assert_eq!(module["version_details"][0]["location"], GIT);

    // The catalogue marks it, with the location as its source.
    let list = json(&h.get("/v1/modules").await);
    assert_eq!(list["modules"][0]["external"], true, "{list}");
    assert_eq!(list["modules"][0]["source"], GIT);
    assert_eq!(list["modules"][0]["description"], "A VPC");

    // The UI says so.
    let page = send(&h.registry, Request::get("/ui/modules/acme/net/aws").body(Bytes::new()).unwrap()).await;
    let html = String::from_utf8_lossy(page.body()).into_owned();
    assert_eq!(page.status(), StatusCode::OK, "{html}");
    assert!(
        html.contains("is external") && html.contains("git::https://git.example.com/acme/net.git"),
        "{html}"
    );
    let listing = send(&h.registry, Request::get("/ui/namespaces/acme").body(Bytes::new()).unwrap()).await;
    assert!(String::from_utf8_lossy(listing.body()).contains("external source"));

    // Audited as the uploader's.
    let audit = json(&h.get("/v1/audit?limit=10").await);
    let entry = &audit["entries"][0];
    assert_eq!(
        (entry["action"].as_str(), entry["target"].as_str()),
        (Some("module.external"), Some("acme/net/aws/1.2.0"))
    );
    assert_eq!(entry["outcome"], "success");

    // Registering it again, or uploading that version, conflicts.
    assert_eq!(register(&h, None, j!({"location": GIT})).await.status(), StatusCode::CONFLICT);
    assert_eq!(
        h.publish_module("acme/net/aws", "1.2.0", tar_gz(&[("main.tf", "")])).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn an_external_version_goes_through_lifecycle_fsck_and_oci_without_an_archive() {
    let h = TestRegistry::new().await;
    assert_eq!(
        h.publish_module("acme/net/aws", "1.0.0", tar_gz(&[("main.tf", "")])).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        register(&h, None, j!({"location": "https://example.com/net-1.2.0.zip"})).await.status(),
        StatusCode::CREATED
    );

    let maintenance = Maintenance::new(h.storage.clone(), tfreg_core::clock::system());
    let report = maintenance.check(&CheckOptions::default()).await.unwrap();
    assert!(report.damaged.is_empty() && report.garbage.is_empty(), "{report:?}");
    assert_eq!(report.referenced, 1, "only the uploaded version has an archive");
    let collected = h.registry.collect_garbage().await.unwrap();
    assert!(collected.removed.is_empty());

    // OCI: an external version has no artifact here: not a tag, not `latest`.
    let manifest = h.get("/v2/modules/acme/net/aws/manifests/1.2.0").await;
    assert_eq!(manifest.status(), StatusCode::NOT_FOUND, "{manifest:?}");
    let tags = json(&h.get("/v2/modules/acme/net/aws/tags/list").await);
    assert_eq!(tags["tags"], j!(["1.0.0", "latest"]));
    let latest = h.get("/v2/modules/acme/net/aws/manifests/latest").await;
    let pinned = h.get("/v2/modules/acme/net/aws/manifests/1.0.0").await;
    assert_eq!(latest.body(), pinned.body(), "latest is the newest version with an archive");

    let put = |path: &'static str, body: &'static str| h.call(Method::PUT, path, Some(&h.master), body);
    let deprecated = put("/v1/modules/acme/net/aws/1.2.0/deprecation", r#"{"message": "use 2.x"}"#).await;
    assert_eq!(deprecated.status(), StatusCode::OK);
    assert_eq!(json(&deprecated)["location"], "https://example.com/net-1.2.0.zip");
    assert_eq!(put("/v1/modules/acme/net/aws/1.2.0/yank", "").await.status(), StatusCode::OK);
    let download = h.get("/v1/modules/acme/net/aws/1.2.0/download").await;
    assert_eq!(
        download.headers()["x-terraform-get"],
        "https://example.com/net-1.2.0.zip",
        "yanked, still answered"
    );
    let deleted = h.call(Method::DELETE, "/v1/modules/acme/net/aws/1.2.0", Some(&h.master), "").await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(h.get("/v1/modules/acme/net/aws/1.2.0/download").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(h.get("/v1/modules/acme/net/aws/1.0.0/download").await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_requests_are_refused_and_store_nothing() {
    let fake = Fake::new(Ok(repository()));
    let h = TestRegistry::builder().source_fetcher(fake.clone()).build().await;
    let cases = [
        (j!({"location": "file::/srv/net"}), "file::"),
        (j!({"location": "http://example.com/net.zip"}), "plain http://"),
        (j!({"location": "https://user:pw@example.com/net.zip"}), "user name or password"),
        (j!({"location": "git::ssh://git@example.com/net.git?sshkey=AAAA"}), "sshkey"),
        (j!({"location": "https://example.com/net.zip//../x"}), "subdirectory"),
        (
            j!({"location": "https://api.github.com/repos/a/b/tarball/v1//*?archive=tar.gz"}),
            "import it instead",
        ),
        (
            j!({"location": "git::ssh://git@example.com/net.git", "import": true}),
            "register it without importing",
        ),
        (
            j!({"location": "s3::https://s3.amazonaws.com/b/k.zip", "import": true}),
            "register it without importing",
        ),
        (j!({"location": GIT, "source": "javascript:alert(1)"}), "source must be"),
        (j!({"location": GIT, "tag": "v1"}), "unknown field"),
        (j!({}), "missing field"),
    ];
    for (body, expected) in cases {
        let answer = register(&h, None, body.clone()).await;
        let message = error_message(&answer, StatusCode::BAD_REQUEST);
        assert!(message.contains(expected), "{body}: {message}");
    }
    let answer = h.call(Method::POST, EXTERNAL, Some(&h.master), "not json").await;
    assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains("{\"location\""));
    // The route's policy: a token, the namespace's uploader.
    assert_eq!(
        h.call(Method::POST, EXTERNAL, None, j!({"location": GIT}).to_string()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let downloader = h.issue(Role::Downloader).await;
    assert_eq!(register(&h, Some(&downloader), j!({"location": GIT})).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        h.call(Method::PUT, EXTERNAL, Some(&h.master), "{}").await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );

    assert!(fake.asked().is_empty(), "nothing was fetched");
    assert_eq!(h.get("/v1/modules/acme/net/aws/versions").await.status(), StatusCode::NOT_FOUND);
    assert!(h.stored_keys("modules/").await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn an_import_fetches_once_takes_the_subdirectory_and_stores_an_archive() {
    let fake = Fake::new(Ok(repository()));
    let h = TestRegistry::builder().source_fetcher(fake.clone()).build().await;
    let location = "https://codeload.example.com/acme/net/tar.gz/v1.2.0//*/modules/vpc";
    let created = register(&h, None, j!({"location": location, "import": true})).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let view = json(&created);
    assert_eq!(view["imported_from"], location);
    assert!(view.get("location").is_none(), "an imported version is not external");
    assert_eq!(view["sha256"].as_str().unwrap().len(), 64);
    let asked = fake.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].0,
        ImportSource::Archive { url: "https://codeload.example.com/acme/net/tar.gz/v1.2.0".into() }
    );
    assert_eq!(asked[0].1, h.registry.max_body_bytes(), "the upload limit bounds the fetch");

    // The stored archive is the subdirectory, served from here and documented.
    let download = h.get("/v1/modules/acme/net/aws/1.2.0/download").await;
    let link = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    assert!(link.starts_with("/v1/archives/modules/acme/net/aws/1.2.0/"), "{link}");
    let archive = h.call(Method::GET, &link, None, "").await;
    assert_eq!(archive.status(), StatusCode::OK);
    let files = tfreg_core::modules::archive::normalize_module_archive(archive.body(), &Default::default())
        .unwrap()
        .files;
    assert_eq!(files, ["README.md", "main.tf"]);
    let detail = json(&h.get("/v1/modules/acme/net/aws/1.2.0").await);
    assert_eq!(detail["root"]["inputs"][0]["name"], "cidr");
    assert_eq!(detail["imported_from"], location);
    let list = json(&h.get("/v1/modules").await);
    assert!(list["modules"][0].get("external").is_none(), "{list}");

    // A subdirectory is relative to the archive's root, as go-getter reads it: without `*`,
    // the GitHub tarball's top folder is in the way.
    let wrapped = register_at(&h, "1.3.0", j!({"location": GIT, "import": true})).await;
    assert!(error_message(&wrapped, StatusCode::BAD_REQUEST).contains("no subdirectory \"modules/vpc\""));

    // Git: the fetcher is asked for the repository and ref (its tree comes at the root); the
    // subdirectory is applied here.
    let tree = tar_gz(&[("main.tf", ""), ("modules/vpc/main.tf", "variable \"cidr\" {}\n")]);
    let fake = Fake::new(Ok(tree));
    let h = TestRegistry::builder().source_fetcher(fake.clone()).build().await;
    let git = register_at(&h, "1.3.0", j!({"location": GIT, "import": true})).await;
    assert_eq!(git.status(), StatusCode::CREATED, "{:?}", git.body());
    assert_eq!(
        fake.asked()[0].0,
        ImportSource::Git {
            url: "https://git.example.com/acme/net.git".into(),
            reference: Some("v1.2.0".into())
        }
    );
    let detail = json(&h.get("/v1/modules/acme/net/aws/1.3.0").await);
    assert_eq!(detail["root"]["inputs"][0]["name"], "cidr", "{detail}");
    let missing =
        register_at(&h, "1.4.0", j!({"location": "https://example.com/x.tar.gz//nowhere", "import": true}))
            .await;
    assert!(error_message(&missing, StatusCode::BAD_REQUEST).contains("no subdirectory \"nowhere\""));
    assert_eq!(h.get("/v1/modules/acme/net/aws/1.4.0").await.status(), StatusCode::NOT_FOUND);
}

async fn register_at(h: &TestRegistry, version: &str, body: Value) -> Response<Bytes> {
    let path = format!("/v1/modules/acme/net/aws/{version}/external");
    h.call(Method::POST, &path, Some(&h.master), body.to_string()).await
}

#[tokio::test]
async fn imports_fail_cleanly_when_off_or_when_the_source_fails() {
    let off = TestRegistry::new().await;
    let answer = register(&off, None, j!({"location": GIT, "import": true})).await;
    assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains("does not import"));

    for (error, status) in [
        (
            FetchError::Failed("git fetch of https://git.example.com/acme/net.git failed".into()),
            StatusCode::BAD_GATEWAY,
        ),
        (FetchError::Timeout("did not finish in time".into()), StatusCode::GATEWAY_TIMEOUT),
        (FetchError::Refused("may not import from git.example.com".into()), StatusCode::BAD_REQUEST),
        (FetchError::TooLarge("larger than the limit".into()), StatusCode::BAD_REQUEST),
    ] {
        let h = TestRegistry::builder().source_fetcher(Fake::new(Err(error.clone()))).build().await;
        let answer = register(&h, None, j!({"location": GIT, "import": true})).await;
        assert!(error_message(&answer, status).contains(&error.to_string()), "{error:?}");
        assert!(h.stored_keys("modules/").await.is_empty());
    }
    let junk = TestRegistry::builder().source_fetcher(Fake::new(Ok(b"<html>".to_vec()))).build().await;
    let answer = register(&junk, None, j!({"location": GIT, "import": true})).await;
    assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains("not a .tar.gz or .zip"));
    assert!(junk.stored_keys("modules/").await.is_empty());
}
