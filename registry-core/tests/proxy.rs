//! The pull-through proxy, with a real registry as the upstream: an `UpstreamClient` that hands
//! the proxy's requests to that registry's `handle` (and can be switched off, as an outage).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tfreg_core::auth::{hash_token, RoleAuthorizer};
use tfreg_core::storage::Storage;
use tfreg_core::upstream::{Upstream, UpstreamClient, UpstreamConfig, UpstreamError, UpstreamResponse};
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;
use tfreg_testkit::tiny_module as module;

const TOKEN: &str = "tfreg_proxy-test-master";
const UPSTREAM: &str = "https://upstream.test";

#[derive(Debug)]
struct InProcess {
    registry: Registry,
    down: AtomicBool,
}

#[async_trait]
impl UpstreamClient for InProcess {
    async fn get(&self, url: &str, token: Option<&str>) -> Result<UpstreamResponse, UpstreamError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(UpstreamError::Unreachable("connection refused".into()));
        }
        let path = url.strip_prefix(UPSTREAM).expect("only the upstream is asked");
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = tfreg_testkit::send(&self.registry, request.body(Bytes::new()).unwrap()).await;
        Ok(UpstreamResponse {
            status: response.status().as_u16(),
            terraform_get: response.headers().get("x-terraform-get").map(|v| v.to_str().unwrap().to_owned()),
            body: response.into_body(),
        })
    }
}

async fn call(registry: &Registry, method: Method, uri: &str, body: Vec<u8>) -> Response<Bytes> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Bytes::from(body))
        .unwrap();
    tfreg_testkit::send(registry, request).await
}

fn message(response: &Response<Bytes>) -> String {
    let json: Value = serde_json::from_slice(response.body()).unwrap();
    json["errors"][0].as_str().unwrap().to_owned()
}

struct Pair {
    upstream: Arc<InProcess>,
    proxy: Registry,
}

async fn pair(config: impl FnOnce(&mut UpstreamConfig)) -> Pair {
    let upstream_store: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let upstream = Registry::builder(upstream_store)
        .master_token(hash_token(TOKEN))
        .config(RegistryConfig {
            provider_signing_key: Some(include_str!("../src/pgp/testdata/signing-key.asc").into()),
            ..Default::default()
        })
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await
        .unwrap();
    let client = Arc::new(InProcess { registry: upstream, down: AtomicBool::new(false) });
    let mut upstream_config = UpstreamConfig::new(UPSTREAM);
    config(&mut upstream_config);
    let proxy_store: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let proxy = Registry::builder(proxy_store)
        .master_token(hash_token(TOKEN))
        .upstream(Upstream::new(client.clone(), upstream_config).unwrap())
        .build()
        .await
        .unwrap();
    Pair { upstream: client, proxy }
}

#[tokio::test]
async fn modules_not_hosted_here_come_from_the_upstream() {
    let pair = pair(|_| {}).await;
    let published =
        call(&pair.upstream.registry, Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", module()).await;
    assert_eq!(published.status(), StatusCode::CREATED);
    call(&pair.proxy, Method::PUT, "/v1/modules/acme/local/aws/2.0.0", module()).await;

    let versions = call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await;
    assert_eq!(versions.status(), StatusCode::OK);
    let json: Value = serde_json::from_slice(versions.body()).unwrap();
    assert_eq!(json["modules"][0]["versions"][0]["version"], "1.0.0");

    let download = call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/1.0.0/download", vec![]).await;
    assert_eq!(download.status(), StatusCode::NO_CONTENT);
    let location = download.headers()["x-terraform-get"].to_str().unwrap();
    assert!(
        location.starts_with("https://upstream.test/v1/archives/modules/acme/vpc/aws/1.0.0/"),
        "{location}"
    );
    let archive = tfreg_testkit::send(
        &pair.upstream.registry,
        Request::get(location.strip_prefix(UPSTREAM).unwrap()).body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(
        archive.status(),
        StatusCode::OK,
        "the location works without a token, as Terraform fetches it"
    );

    // Local modules never go upstream; unknown ones are 404 from the upstream.
    assert_eq!(
        call(&pair.proxy, Method::GET, "/v1/modules/acme/local/aws/versions", vec![]).await.status(),
        200
    );
    let missing = call(&pair.proxy, Method::GET, "/v1/modules/acme/none/aws/versions", vec![]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(message(&missing).contains("upstream"));
    // Reads through the proxy still need the proxy's own token.
    let anonymous = tfreg_testkit::send(
        &pair.proxy,
        Request::get("/v1/modules/acme/vpc/aws/versions").body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn allow_and_deny_prefixes_decide_what_is_proxied() {
    let pair = pair(|c| {
        c.allow = vec!["acme/".into(), "hashicorp/".into()];
        c.deny = vec!["acme/secret".into()];
    })
    .await;
    for addr in ["acme/vpc/aws", "acme/secret-stuff/aws", "other/vpc/aws"] {
        call(&pair.upstream.registry, Method::PUT, &format!("/v1/modules/{addr}/1.0.0"), module()).await;
    }
    assert_eq!(
        call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await.status(),
        200
    );
    for refused in [
        "/v1/modules/acme/secret-stuff/aws/versions",
        "/v1/modules/other/vpc/aws/versions",
        "/v1/modules/other/vpc/aws/1.0.0/download",
    ] {
        let response = call(&pair.proxy, Method::GET, refused, vec![]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{refused}");
        assert!(message(&response).contains("not allowed by policy"), "{refused}: {}", message(&response));
    }
}

#[tokio::test]
async fn a_failing_upstream_is_served_stale_or_named_in_a_502() {
    let pair = pair(|c| c.ttl = Duration::ZERO).await;
    call(&pair.upstream.registry, Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", module()).await;
    assert_eq!(
        call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await.status(),
        200
    );
    pair.upstream.down.store(true, Ordering::SeqCst);
    let stale = call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await;
    assert_eq!(stale.status(), StatusCode::OK, "the last good listing is served while the upstream is down");
    let never_seen = call(&pair.proxy, Method::GET, "/v1/modules/acme/other/aws/versions", vec![]).await;
    assert_eq!(never_seen.status(), StatusCode::BAD_GATEWAY);
    assert!(message(&never_seen).contains("upstream.test is unreachable"), "{}", message(&never_seen));
}

#[tokio::test]
async fn providers_come_from_the_upstream_with_its_signature() {
    let pair = pair(|_| {}).await;
    let package = tfreg_testkit::zip(&[("terraform-provider-null_v2.1.2", b"binary")]);
    let published =
        call(&pair.upstream.registry, Method::PUT, "/v1/providers/hashicorp/null/2.1.2/linux/amd64", package)
            .await;
    assert_eq!(published.status(), StatusCode::CREATED);

    let versions: Value = serde_json::from_slice(
        call(&pair.proxy, Method::GET, "/v1/providers/hashicorp/null/versions", vec![]).await.body(),
    )
    .unwrap();
    assert_eq!(versions["versions"][0]["version"], "2.1.2");
    let download =
        call(&pair.proxy, Method::GET, "/v1/providers/hashicorp/null/2.1.2/download/linux/amd64", vec![])
            .await;
    assert_eq!(download.status(), StatusCode::OK);
    let json: Value = serde_json::from_slice(download.body()).unwrap();
    for field in ["download_url", "shasums_url", "shasums_signature_url"] {
        assert!(
            json[field].as_str().unwrap().starts_with("https://upstream.test/v1/archives/providers/"),
            "{field}: {json}"
        );
    }
    let key_id =
        tfreg_core::pgp::SigningKey::from_armored(include_str!("../src/pgp/testdata/signing-key.asc"))
            .unwrap()
            .key_id();
    assert_eq!(
        json["signing_keys"]["gpg_public_keys"][0]["key_id"], key_id,
        "the upstream's key, not the proxy's"
    );
}

#[tokio::test]
async fn pinned_modules_survive_the_upstream() {
    let pair = pair(|_| {}).await;
    for version in ["1.0.0", "1.1.0", "1.2.0", "2.0.0"] {
        call(&pair.upstream.registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/{version}"), module())
            .await;
    }
    call(&pair.upstream.registry, Method::PUT, "/v1/modules/acme/other/aws/1.0.0", module()).await;

    let pinned = call(&pair.proxy, Method::POST, "/v1/pins/acme/vpc/aws?constraint=~%3E%201.1", vec![]).await;
    assert_eq!(pinned.status(), StatusCode::CREATED, "{:?}", pinned.body());
    let json: Value = serde_json::from_slice(pinned.body()).unwrap();
    assert_eq!(json["pinned"], serde_json::json!(["1.2.0", "1.1.0"]));
    let one = call(&pair.proxy, Method::POST, "/v1/pins/acme/vpc/aws/1.0.0", vec![]).await;
    assert_eq!(one.status(), StatusCode::CREATED);

    // With the upstream up, the other versions are still offered.
    let listed: Value = serde_json::from_slice(
        call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await.body(),
    )
    .unwrap();
    assert_eq!(listed["modules"][0]["versions"].as_array().unwrap().len(), 4);

    pair.upstream.down.store(true, Ordering::SeqCst);
    let listed: Value = serde_json::from_slice(
        call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await.body(),
    )
    .unwrap();
    let versions: Vec<&str> = listed["modules"][0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    // The last upstream listing is still served from the cache, with the pinned versions.
    assert_eq!(versions, ["2.0.0", "1.2.0", "1.1.0", "1.0.0"]);
    let download = call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/1.2.0/download", vec![]).await;
    let location = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/v1/archives/modules/acme/vpc/aws/1.2.0/"), "a local link: {location}");
    assert_eq!(
        tfreg_testkit::send(&pair.proxy, Request::get(location).body(Bytes::new()).unwrap()).await.status(),
        200
    );
    let unpinned = call(&pair.proxy, Method::GET, "/v1/modules/acme/other/aws/versions", vec![]).await;
    assert_eq!(unpinned.status(), StatusCode::BAD_GATEWAY);
    assert!(message(&unpinned).contains("unreachable"));
    let unpinned_version =
        call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/2.0.0/download", vec![]).await;
    assert_eq!(unpinned_version.status(), StatusCode::BAD_GATEWAY);

    let pins: Value =
        serde_json::from_slice(call(&pair.proxy, Method::GET, "/v1/pins", vec![]).await.body()).unwrap();
    assert_eq!(pins["pins"].as_array().unwrap().len(), 3);
    assert_eq!(call(&pair.proxy, Method::DELETE, "/v1/pins/acme/vpc/aws/1.0.0", vec![]).await.status(), 204);
    assert_eq!(call(&pair.proxy, Method::DELETE, "/v1/pins/acme/vpc/aws/1.0.0", vec![]).await.status(), 404);
    let audit: Value =
        serde_json::from_slice(call(&pair.proxy, Method::GET, "/v1/audit", vec![]).await.body()).unwrap();
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["module.unpin", "module.unpin", "module.pin", "module.pin"]);
    // Pins need the master tier.
    let anonymous = tfreg_testkit::send(
        &pair.proxy,
        Request::post("/v1/pins/acme/vpc/aws/2.0.0").body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pinned_providers_keep_the_upstream_signature_and_reach_the_mirror() {
    let pair = pair(|_| {}).await;
    let package = tfreg_testkit::zip(&[("terraform-provider-null_v2.1.2", b"binary")]);
    call(
        &pair.upstream.registry,
        Method::PUT,
        "/v1/providers/hashicorp/null/2.1.2/linux/amd64",
        package.clone(),
    )
    .await;
    call(&pair.upstream.registry, Method::PUT, "/v1/providers/hashicorp/null/2.1.2/darwin/arm64", package)
        .await;

    // A pin names no version with build metadata: Terraform would ignore it.
    let with_build =
        call(&pair.proxy, Method::POST, "/v1/pins/providers/hashicorp/null/2.1.2+x", vec![]).await;
    assert_eq!(with_build.status(), StatusCode::BAD_REQUEST, "{:?}", with_build.body());
    let pinned = call(
        &pair.proxy,
        Method::POST,
        "/v1/pins/providers/hashicorp/null/2.1.2?platforms=linux_amd64",
        vec![],
    )
    .await;
    assert_eq!(pinned.status(), StatusCode::CREATED, "{:?}", pinned.body());
    pair.upstream.down.store(true, Ordering::SeqCst);

    let versions: Value = serde_json::from_slice(
        call(&pair.proxy, Method::GET, "/v1/providers/hashicorp/null/versions", vec![]).await.body(),
    )
    .unwrap();
    assert_eq!(versions["versions"][0]["platforms"], serde_json::json!([{"os": "linux", "arch": "amd64"}]));
    let download =
        call(&pair.proxy, Method::GET, "/v1/providers/hashicorp/null/2.1.2/download/linux/amd64", vec![])
            .await;
    assert_eq!(download.status(), StatusCode::OK, "{:?}", download.body());
    let json: Value = serde_json::from_slice(download.body()).unwrap();
    let key = &json["signing_keys"]["gpg_public_keys"][0];
    let upstream_key =
        tfreg_core::pgp::SigningKey::from_armored(include_str!("../src/pgp/testdata/signing-key.asc"))
            .unwrap();
    assert_eq!(key["key_id"], upstream_key.key_id(), "still the upstream's key");
    let get = |url: &str| tfreg_testkit::send(&pair.proxy, Request::get(url).body(Bytes::new()).unwrap());
    let sums = get(json["shasums_url"].as_str().unwrap()).await;
    let sig = get(json["shasums_signature_url"].as_str().unwrap()).await;
    let public = tfreg_core::pgp::PublicKey::from_armored(key["ascii_armor"].as_str().unwrap()).unwrap();
    public.verify_detached(sums.body(), sig.body()).expect("the upstream's signature, served from here");
    assert_eq!(get(json["download_url"].as_str().unwrap()).await.status(), 200);
    let missing =
        call(&pair.proxy, Method::GET, "/v1/providers/hashicorp/null/2.1.2/download/darwin/arm64", vec![])
            .await;
    assert_eq!(missing.status(), StatusCode::BAD_GATEWAY, "an unpinned platform needs the upstream");

    let mirror: Value = serde_json::from_slice(
        call(&pair.proxy, Method::GET, "/v1/mirror/upstream.test/hashicorp/null/2.1.2.json", vec![])
            .await
            .body(),
    )
    .unwrap();
    assert!(mirror["archives"]["linux_amd64"]["hashes"][0].as_str().unwrap().starts_with("h1:"), "{mirror}");
}

#[test]
fn upstream_requests_and_stale_serves_are_measured() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let pair = pair(|c| c.ttl = Duration::ZERO).await;
            call(&pair.upstream.registry, Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", module()).await;
            let fresh = call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await;
            assert_eq!(fresh.status(), 200);
            pair.upstream.down.store(true, Ordering::SeqCst);
            let stale = call(&pair.proxy, Method::GET, "/v1/modules/acme/vpc/aws/versions", vec![]).await;
            assert_eq!(stale.status(), 200);
        })
    });
    let text = handle.render();
    for line in [
        r#"tfreg_upstream_cache_total{result="stale"} 1"#,
        r#"tfreg_upstream_cache_total{result="miss"} 2"#,
        r#"tfreg_upstream_requests_total{outcome="failed"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
    }
    assert!(text.contains(r#"tfreg_upstream_requests_total{outcome="ok"}"#), "{text}");
}
