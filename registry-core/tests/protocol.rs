//! The handlers as pure functions: build an `http::Request`, read the `http::Response`, over
//! the real in-memory object store.

use std::io::Read;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tfreg_core::auth::{hash_token, RoleAuthorizer};
use tfreg_core::clock::ManualClock;
use tfreg_core::http::signing::UrlSigner;
use tfreg_core::storage::Storage;
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;
use tfreg_testkit::tar_gz;

const TOKEN: &str = "tfreg_test-master-token";

struct Harness {
    registry: Registry,
    storage: Arc<dyn Storage>,
    clock: Arc<ManualClock>,
}

async fn harness(config: RegistryConfig) -> Harness {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let clock = ManualClock::now();
    let registry = Registry::builder(storage.clone())
        .master_token(hash_token(TOKEN))
        .url_signer(UrlSigner::new([42; 32]))
        .clock(clock.clone())
        .config(config)
        .build()
        .await
        .unwrap();
    Harness { registry, storage, clock }
}

impl Harness {
    async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Vec<u8>) -> Response<Bytes> {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        tfreg_testkit::send(&self.registry, request.body(Bytes::from(body)).unwrap()).await
    }

    async fn get(&self, uri: &str) -> Response<Bytes> {
        self.call(Method::GET, uri, Some(TOKEN), Vec::new()).await
    }

    async fn publish(&self, addr: &str, version: &str, archive: Vec<u8>) -> Response<Bytes> {
        self.call(Method::PUT, &format!("/v1/modules/{addr}/{version}"), Some(TOKEN), archive).await
    }

    async fn stored_keys(&self) -> Vec<String> {
        self.storage.list("modules/").await.unwrap().into_iter().map(|i| i.key).collect()
    }
}

fn json(response: &Response<Bytes>) -> Value {
    assert_eq!(response.headers()["content-type"], "application/json");
    serde_json::from_slice(response.body()).unwrap()
}

/// Asserts the status and that the body is `{"errors": [<one message>]}`; the message.
fn error(response: &Response<Bytes>, status: StatusCode) -> String {
    assert_eq!(response.status(), status, "{:?}", response.body());
    let body = json(response);
    let errors = body["errors"].as_array().expect("an errors array");
    assert_eq!(errors.len(), 1);
    errors[0].as_str().unwrap().to_owned()
}

fn module(version: &str) -> Vec<u8> {
    tar_gz(&[
        ("main.tf", &format!("output \"v\" {{ value = \"{version}\" }}\n")),
        ("modules/child/main.tf", ""),
    ])
}

fn untar(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut content = String::new();
        entry.read_to_string(&mut content).unwrap();
        out.push((entry.path().unwrap().to_string_lossy().into_owned(), content));
    }
    out
}

#[tokio::test]
async fn discovery_is_public_and_names_the_module_api() {
    let h = harness(RegistryConfig::default()).await;
    let response = h.call(Method::GET, "/.well-known/terraform.json", None, vec![]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["modules.v1"], "/v1/modules/");
    let head = h.call(Method::HEAD, "/.well-known/terraform.json", None, vec![]).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.body().is_empty());
    assert_eq!(head.headers()["content-length"], response.body().len().to_string());
}

#[tokio::test]
async fn a_base_path_moves_everything_but_discovery() {
    let config = RegistryConfig {
        base_path: "registry/".into(),
        public_url: Some("https://registry.example.com/".into()),
        ..Default::default()
    };
    let h = harness(config).await;
    let discovery = json(&h.get("/.well-known/terraform.json").await);
    assert_eq!(discovery["modules.v1"], "https://registry.example.com/registry/v1/modules/");
    assert_eq!(h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await.status(), StatusCode::NOT_FOUND);
    let created =
        h.call(Method::PUT, "/registry/v1/modules/acme/vpc/aws/1.0.0", Some(TOKEN), module("1.0.0")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let download = h.get("/registry/v1/modules/acme/vpc/aws/1.0.0/download").await;
    let location = download.headers()["x-terraform-get"].to_str().unwrap();
    assert!(
        location.starts_with("https://registry.example.com/registry/v1/archives/modules/acme/vpc/aws/1.0.0/"),
        "{location}"
    );
    let path_and_query = location.trim_start_matches("https://registry.example.com");
    assert_eq!(h.call(Method::GET, path_and_query, None, vec![]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn publish_list_download_and_fetch_an_archive() {
    let h = harness(RegistryConfig::default()).await;
    let created = h.publish("Acme/VPC/aws", "v1.2", module("1.2.0")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let description = json(&created);
    assert_eq!(description["id"], "Acme/VPC/aws/1.2.0");
    assert_eq!(description["version"], "1.2.0");
    assert_eq!(description["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await.status(), StatusCode::CREATED);
    assert_eq!(
        h.publish("acme/vpc/aws", "2.0.0-rc1", module("2.0.0-rc1")).await.status(),
        StatusCode::CREATED
    );

    let versions = json(&h.get("/v1/modules/acme/vpc/aws/versions").await);
    assert_eq!(versions["modules"][0]["source"], "Acme/VPC/aws");
    let listed: Vec<&str> = versions["modules"][0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["2.0.0-rc1", "1.2.0", "1.0.0"]);

    let download = h.get("/v1/modules/ACME/vpc/aws/1.2.0/download").await;
    assert_eq!(download.status(), StatusCode::NO_CONTENT);
    let location = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/v1/archives/modules/acme/vpc/aws/1.2.0/"), "{location}");
    assert!(location.contains(".tar.gz?expires="), "{location}");

    let portable = Request::get("/v1/modules/acme/vpc/aws/1.2.0/download")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("accept", "application/json")
        .body(Bytes::new())
        .unwrap();
    let portable = tfreg_testkit::send(&h.registry, portable).await;
    assert_eq!(portable.status(), StatusCode::OK);
    assert!(portable.headers().contains_key("x-terraform-get"));
    assert!(json(&portable)["location"].as_str().unwrap().starts_with("/v1/archives/"));

    // Terraform fetches the archive without a token, HEAD first since 1.11.
    let head = h.call(Method::HEAD, &location, None, vec![]).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.body().is_empty());
    let archive = h.call(Method::GET, &location, None, vec![]).await;
    assert_eq!(archive.status(), StatusCode::OK);
    assert_eq!(archive.headers()["content-type"], "application/gzip");
    assert_eq!(head.headers()["content-length"], archive.body().len().to_string());
    let files = untar(archive.body());
    assert_eq!(files[0], ("main.tf".to_owned(), "output \"v\" { value = \"1.2.0\" }\n".to_owned()));

    let latest = h.get("/v1/modules/acme/vpc/aws/download").await;
    assert_eq!(latest.status(), StatusCode::FOUND);
    assert_eq!(latest.headers()["location"], "/v1/modules/Acme/VPC/aws/1.2.0/download");

    let detail = json(&h.get("/v1/modules/acme/vpc/aws").await);
    assert_eq!(detail["latest_version"], "1.2.0");
    // The public registry's shape: the latest version with its documentation.
    assert_eq!(detail["id"], "Acme/VPC/aws/1.2.0");
    assert_eq!(detail["version"], "1.2.0");
    assert_eq!(detail["root"]["outputs"][0]["name"], "v");
    assert_eq!(detail["versions"].as_array().unwrap().len(), 3);
    assert_eq!(detail["version_details"].as_array().unwrap().len(), 3);
    let one = json(&h.get("/v1/modules/acme/vpc/aws/1.0.0").await);
    assert_eq!(one["version"], "1.0.0");
}

#[tokio::test]
async fn archive_links_refuse_tampering_and_expiry() {
    let h = harness(RegistryConfig::default()).await;
    h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await;
    let download = h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await;
    let location = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    let (path, _) = location.split_once('?').unwrap();

    let unsigned = h.call(Method::GET, path, None, vec![]).await;
    assert!(error(&unsigned, StatusCode::FORBIDDEN).contains("not signed"));
    let tampered = location.replace("expires=", "expires=9");
    assert!(error(&h.call(Method::GET, &tampered, None, vec![]).await, StatusCode::FORBIDDEN)
        .contains("not valid"));
    let other_version = location.replace("/1.0.0/", "/1.0.1/");
    error(&h.call(Method::GET, &other_version, None, vec![]).await, StatusCode::FORBIDDEN);

    let expired = format!("{path}?{}", UrlSigner::new([42; 32]).sign(path, 1_000));
    let response = h.call(Method::HEAD, &expired, None, vec![]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        error(&h.call(Method::GET, &expired, None, vec![]).await, StatusCode::FORBIDDEN).contains("expired")
    );
}

/// The link's expiry (seconds since the epoch), from its query.
fn link_expiry(location: &str) -> u64 {
    let query = location.split_once('?').unwrap().1;
    query.split('&').find_map(|p| p.strip_prefix("expires=")).unwrap().parse().unwrap()
}

#[tokio::test]
async fn download_links_are_reused_only_while_at_least_half_their_life_is_left() {
    let now = tfreg_core::clock::unix_now();
    // Short-lived cache entries (the default 5 s): one link per entry, reused.
    let h = harness(RegistryConfig::default()).await;
    h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await;
    let link = |r: Response<Bytes>| r.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    let first = link(h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await);
    let second = link(h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await);
    assert_eq!(first, second, "reused within the cache entry");
    assert!(link_expiry(&first) >= now + 600, "a fresh link has its whole life");
    // A cache TTL longer than half a link's life: every download signs a link of its own, so
    // none handed out is close to expiry.
    let config = RegistryConfig {
        cache_ttl: std::time::Duration::from_secs(3600),
        link_ttl: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    let h = harness(config).await;
    h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await;
    let first = link(h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await);
    h.clock.advance(std::time::Duration::from_millis(1100));
    let later = link(h.get("/v1/modules/acme/vpc/aws/1.0.0/download").await);
    assert!(link_expiry(&later) > link_expiry(&first), "{first} then {later}");
    let archive = h.call(Method::GET, &later, None, vec![]).await;
    assert_eq!(archive.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_uploads_are_refused_and_store_nothing() {
    let h = harness(RegistryConfig { max_upload_bytes: 4096, ..Default::default() }).await;
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "/v1/modules/acme/vpc/aws/1.0",
            b"not an archive".to_vec(),
            StatusCode::BAD_REQUEST,
            "not a .tar.gz or .zip",
        ),
        ("/v1/modules/acme/vpc/aws/1.0.0", vec![], StatusCode::BAD_REQUEST, "empty"),
        ("/v1/modules/acme/vpc/aws/1.0.x", module("1"), StatusCode::BAD_REQUEST, "invalid version"),
        ("/v1/modules/acme/vpc/aws/1.2.3.4", module("1"), StatusCode::BAD_REQUEST, "invalid version"),
        ("/v1/modules/ac%2Fme/vpc/aws/1.0.0", module("1"), StatusCode::BAD_REQUEST, "invalid namespace"),
        ("/v1/modules/acme/vpc/AWS/1.0.0", module("1"), StatusCode::BAD_REQUEST, "invalid system"),
        ("/v1/modules/acme/vpc/aws/1.0.0", tar_gz(&[("README.md", "hi")]), StatusCode::BAD_REQUEST, "no .tf"),
        ("/v1/modules/acme/vpc/aws/1.0.0", tar_gz(&[("../evil.tf", "")]), StatusCode::BAD_REQUEST, "evil.tf"),
        ("/v1/modules/acme/vpc/aws/1.0.0", vec![0x1f; 5000], StatusCode::PAYLOAD_TOO_LARGE, "4096"),
    ];
    for (uri, body, status, needle) in cases {
        let response = h.call(Method::PUT, uri, Some(TOKEN), body).await;
        let message = error(&response, status);
        assert!(message.contains(needle), "{uri}: {message:?} should mention {needle:?}");
    }
    let no_token = h.call(Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", None, module("1.0.0")).await;
    assert!(error(&no_token, StatusCode::UNAUTHORIZED).contains("token is required"));
    assert_eq!(no_token.headers()["www-authenticate"], "Bearer");
    let wrong =
        h.call(Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", Some("tfreg_wrong"), module("1.0.0")).await;
    error(&wrong, StatusCode::UNAUTHORIZED);
    assert!(h.stored_keys().await.is_empty(), "nothing is stored: {:?}", h.stored_keys().await);
}

#[tokio::test]
async fn reads_need_a_token_unless_anonymous_reads_are_on() {
    let h = harness(RegistryConfig::default()).await;
    h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await;
    for uri in [
        "/v1/modules/acme/vpc/aws/versions",
        "/v1/modules/acme/vpc/aws/1.0.0/download",
        "/v1/modules/acme/vpc/aws",
    ] {
        error(&h.call(Method::GET, uri, None, vec![]).await, StatusCode::UNAUTHORIZED);
        error(&h.call(Method::GET, uri, Some("tfreg_wrong"), vec![]).await, StatusCode::UNAUTHORIZED);
        // Unknown modules answer 401 too: no token, no information.
        error(
            &h.call(Method::GET, "/v1/modules/nobody/none/aws/versions", None, vec![]).await,
            StatusCode::UNAUTHORIZED,
        );
    }
    let storage: Arc<dyn Storage> = h.storage.clone();
    let open = Registry::builder(storage)
        .master_token(hash_token(TOKEN))
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await
        .unwrap();
    let response = tfreg_testkit::send(
        &open,
        Request::get("/v1/modules/acme/vpc/aws/versions").body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_things_answer_404_with_a_message() {
    let h = harness(RegistryConfig::default()).await;
    assert!(error(&h.get("/v1/modules/acme/none/aws/versions").await, StatusCode::NOT_FOUND)
        .contains("acme/none/aws"));
    h.publish("acme/vpc/aws", "1.0.0", module("1.0.0")).await;
    assert!(error(&h.get("/v1/modules/acme/vpc/aws/9.9.9/download").await, StatusCode::NOT_FOUND)
        .contains("9.9.9"));
    error(&h.get("/v3/whatever").await, StatusCode::NOT_FOUND);
    // `/v2/` is the OCI distribution API: its errors are OCI error documents.
    let oci = h.get("/v2/whatever").await;
    assert_eq!(oci.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(&oci)["errors"][0]["code"], "NAME_UNKNOWN");
    let wrong_method = h.call(Method::DELETE, "/v1/modules/acme/vpc/aws/versions", Some(TOKEN), vec![]).await;
    error(&wrong_method, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.headers()["allow"], "GET, HEAD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_publishes_of_one_version_give_one_201_and_one_409() {
    let h = Arc::new(harness(RegistryConfig::default()).await);
    for round in 0..5 {
        let version = format!("1.0.{round}");
        let tasks: Vec<_> = ["first", "second"]
            .into_iter()
            .map(|which| {
                let (h, version) = (h.clone(), version.clone());
                tokio::spawn(async move {
                    let archive = tar_gz(&[("main.tf", which)]);
                    (which, h.publish("acme/race/aws", &version, archive).await.status())
                })
            })
            .collect();
        let mut winner = None;
        let mut statuses = Vec::new();
        for task in tasks {
            let (which, status) = task.await.unwrap();
            if status == StatusCode::CREATED {
                winner = Some(which);
            }
            statuses.push(status);
        }
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "round {round}");
        let download = h.get(&format!("/v1/modules/acme/race/aws/{version}/download")).await;
        let location = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
        let archive = h.call(Method::GET, &location, None, vec![]).await;
        assert_eq!(untar(archive.body())[0].1, winner.unwrap(), "the winner's archive is served");
    }
    let keys = h.stored_keys().await;
    assert_eq!(
        keys.iter().filter(|k| k.ends_with(".tar.gz")).count(),
        5,
        "losers' archives are removed: {keys:?}"
    );
}

/// A store whose every operation fails, as a backend outage does.
#[derive(Debug)]
struct Broken;

#[async_trait::async_trait]
impl Storage for Broken {
    async fn get(
        &self,
        key: &str,
    ) -> Result<Option<tfreg_core::storage::StoredObject>, tfreg_core::storage::StorageError> {
        Err(outage(key))
    }
    async fn head(
        &self,
        key: &str,
    ) -> Result<Option<tfreg_core::storage::ObjectInfo>, tfreg_core::storage::StorageError> {
        Err(outage(key))
    }
    async fn put(
        &self,
        key: &str,
        _: Bytes,
        _: tfreg_core::storage::PutMode,
    ) -> Result<tfreg_core::storage::ObjectInfo, tfreg_core::storage::StorageError> {
        Err(outage(key))
    }
    async fn delete(&self, key: &str) -> Result<(), tfreg_core::storage::StorageError> {
        Err(outage(key))
    }
    async fn list(
        &self,
        prefix: &str,
    ) -> Result<Vec<tfreg_core::storage::ObjectInfo>, tfreg_core::storage::StorageError> {
        Err(outage(prefix))
    }
}

fn outage(key: &str) -> tfreg_core::storage::StorageError {
    tfreg_core::storage::StorageError::Backend {
        key: key.into(),
        transient: true,
        source: "connection refused".into(),
    }
}

#[tokio::test]
async fn a_storage_outage_is_a_5xx_not_a_panic() {
    let registry = Registry::builder(Arc::new(Broken))
        .master_token(hash_token(TOKEN))
        .url_signer(UrlSigner::new([1; 32]))
        .build()
        .await
        .unwrap();
    for (method, uri, body) in [
        (Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]),
        (Method::GET, "/v1/modules/acme/vpc/aws/1.0.0/download", vec![]),
        (Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", module("1.0.0")),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Bytes::from(body))
            .unwrap();
        let response = tfreg_testkit::send(&registry, request).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert_eq!(response.headers()["retry-after"], "1");
        assert!(error(&response, StatusCode::SERVICE_UNAVAILABLE).contains("storage"));
    }
}
