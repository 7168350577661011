//! The provider registry protocol and network mirror as pure request -> response functions,
//! over the real in-memory object store, with fixture signing keys.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tfreg_core::auth::hash_token;
use tfreg_core::pgp::{PublicKey, SigningKey};
use tfreg_core::storage::Storage;
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;
use tfreg_testkit::zip;

const TOKEN: &str = "tfreg_provider-test-master";
const KEY_A: &str = include_str!("../src/pgp/testdata/signing-key.asc");
const KEY_B: &str = include_str!("../src/pgp/testdata/other-signing-key.asc");

async fn registry_with_key(storage: Arc<dyn Storage>, key: &str) -> Registry {
    let config = RegistryConfig {
        provider_signing_key: Some(key.to_owned()),
        hostnames: vec!["registry.example.com".into()],
        ..Default::default()
    };
    Registry::builder(storage).master_token(hash_token(TOKEN)).config(config).build().await.unwrap()
}

async fn call(registry: &Registry, method: Method, uri: &str, body: Vec<u8>) -> Response<Bytes> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("host", "127.0.0.1:8443")
        .body(Bytes::from(body))
        .unwrap();
    tfreg_testkit::send(registry, request).await
}

async fn anonymous_get(registry: &Registry, uri: &str) -> Response<Bytes> {
    tfreg_testkit::send(registry, Request::get(uri).body(Bytes::new()).unwrap()).await
}

fn json(response: &Response<Bytes>) -> Value {
    assert_eq!(response.headers()["content-type"], "application/json", "{:?}", response.body());
    serde_json::from_slice(response.body()).unwrap()
}

fn package(version: &str, platform: &str) -> Vec<u8> {
    zip(&[(&format!("terraform-provider-null_v{version}"), format!("binary for {platform}").as_bytes())])
}

#[tokio::test]
async fn publish_list_download_and_verify_signatures() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = registry_with_key(storage, KEY_A).await;
    let created =
        call(&registry, Method::PUT, "/v1/providers/acme/null/1.2.0/linux/amd64", package("1.2.0", "linux"))
            .await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let created = json(&created);
    assert_eq!(created["filename"], "terraform-provider-null_1.2.0_linux_amd64.zip");
    assert!(created["hashes"][0].as_str().unwrap().starts_with("h1:"));
    let second = call(
        &registry,
        Method::PUT,
        "/v1/providers/acme/null/1.2.0/darwin/arm64?protocols=5.0",
        package("1.2.0", "darwin"),
    )
    .await;
    assert_eq!(second.status(), StatusCode::CREATED);

    let discovery = json(&anonymous_get(&registry, "/.well-known/terraform.json").await);
    assert_eq!(discovery["providers.v1"], "/v1/providers/");

    let versions = json(&call(&registry, Method::GET, "/v1/providers/acme/null/versions", vec![]).await);
    assert_eq!(versions["versions"][0]["version"], "1.2.0");
    assert_eq!(versions["versions"][0]["protocols"], serde_json::json!(["5.0"]));
    assert_eq!(versions["versions"][0]["platforms"].as_array().unwrap().len(), 2);

    let download = json(
        &call(&registry, Method::GET, "/v1/providers/acme/null/1.2.0/download/linux/amd64", vec![]).await,
    );
    for field in [
        "protocols",
        "os",
        "arch",
        "filename",
        "download_url",
        "shasums_url",
        "shasums_signature_url",
        "shasum",
    ] {
        assert!(!download[field].is_null(), "{field} missing: {download}");
    }
    let key = &download["signing_keys"]["gpg_public_keys"][0];
    assert_eq!(key["trust_signature"], "");
    let public = PublicKey::from_armored(key["ascii_armor"].as_str().unwrap()).unwrap();
    assert_eq!(key["key_id"], public.key_id());
    assert_eq!(public.key_id(), SigningKey::from_armored(KEY_A).unwrap().key_id());

    // The files behind the links answer without a token (Terraform sends none), HEAD too.
    let zip_url = download["download_url"].as_str().unwrap();
    let zip_file = anonymous_get(&registry, zip_url).await;
    assert_eq!(zip_file.status(), StatusCode::OK);
    assert_eq!(zip_file.body().as_ref(), package("1.2.0", "linux").as_slice());
    let head = tfreg_testkit::send(&registry, Request::head(zip_url).body(Bytes::new()).unwrap()).await;
    assert_eq!(head.headers()["content-length"], zip_file.body().len().to_string());
    let shasums = anonymous_get(&registry, download["shasums_url"].as_str().unwrap()).await;
    let text = std::str::from_utf8(shasums.body()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].ends_with("  terraform-provider-null_1.2.0_darwin_arm64.zip"));
    assert!(lines.contains(
        &format!("{}  terraform-provider-null_1.2.0_linux_amd64.zip", download["shasum"].as_str().unwrap())
            .as_str()
    ));
    let signature = anonymous_get(&registry, download["shasums_signature_url"].as_str().unwrap()).await;
    assert!(signature.body()[0] & 0x80 != 0, "a binary OpenPGP packet, not armor");
    public.verify_detached(shasums.body(), signature.body()).expect("the signature covers SHA256SUMS");

    let (path, _) = zip_url.split_once('?').unwrap();
    assert_eq!(anonymous_get(&registry, path).await.status(), StatusCode::FORBIDDEN);
    let missing =
        call(&registry, Method::GET, "/v1/providers/acme/null/1.2.0/download/windows/amd64", vec![]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let unknown = call(&registry, Method::GET, "/v1/providers/acme/nope/versions", vec![]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let again =
        call(&registry, Method::PUT, "/v1/providers/acme/null/1.2.0/linux/amd64", package("1.2.0", "linux"))
            .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_packages_are_refused_and_store_nothing() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = registry_with_key(storage.clone(), KEY_A).await;
    let good = package("1.0.0", "linux");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "/v1/providers/acme/null/1.0.0/linux/amd64",
            zip(&[("bin/", b""), ("terraform-provider-null_v1.0.0", b"x")]),
            "director",
        ),
        ("/v1/providers/acme/null/1.0.0/linux/amd64", zip(&[("README.md", b"x")]), "terraform-provider-null"),
        (
            "/v1/providers/acme/null/1.0.0/linux/amd64",
            zip(&[("sub/terraform-provider-null", b"x")]),
            "terraform-provider-null",
        ),
        ("/v1/providers/acme/null/1.0.0/linux/amd64", b"not a zip".to_vec(), "zip"),
        ("/v1/providers/acme/null/1.0.0/linux/amd64", vec![], "empty"),
        ("/v1/providers/acme/null/1.0.0/Linux/amd64", good.clone(), "Linux"),
        ("/v1/providers/acme/null/1.0.0/linux_amd64/x", good.clone(), "linux_amd64"),
        ("/v1/providers/acme/null/1.0/linux/amd64?protocols=five", good.clone(), "protocol"),
        ("/v1/providers/acme/null/1.0/linux/amd64?protocols=7.0", good.clone(), "protocol"),
        ("/v1/providers/acme/null/1.0/linux/amd64?protocols=5.0,5.1", good.clone(), "protocol"),
        ("/v1/providers/acme/null/60.0.0+x/linux/amd64", good.clone(), "build metadata"),
        ("/v1/providers/acme/null/1.x/linux/amd64", good.clone(), "invalid version"),
        ("/v1/providers/acme/Null/1.0.0/linux/amd64", good.clone(), "Null"),
    ];
    for (uri, body, needle) in cases {
        let response = call(&registry, Method::PUT, uri, body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        let message = json(&response)["errors"][0].as_str().unwrap().to_owned();
        assert!(message.contains(needle), "{uri}: {message:?} should mention {needle:?}");
    }
    let keys: Vec<String> = storage.list("providers/").await.unwrap().into_iter().map(|i| i.key).collect();
    assert!(keys.is_empty(), "nothing stored: {keys:?}");
    let no_token = tfreg_testkit::send(
        &registry,
        Request::put("/v1/providers/acme/null/1.0.0/linux/amd64").body(Bytes::from(good)).unwrap(),
    )
    .await;
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_network_mirror_serves_own_and_imported_providers() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = registry_with_key(storage, KEY_A).await;
    call(&registry, Method::PUT, "/v1/providers/acme/null/1.2.0/linux/amd64", package("1.2.0", "linux"))
        .await;
    let addr =
        tfreg_core::types::ProviderAddress::on_host("registry.terraform.io", "hashicorp", "null").unwrap();
    let version = tfreg_core::types::version::Version::parse("2.1.2").unwrap();
    let platform = tfreg_core::types::Platform::parse("linux_amd64").unwrap();
    let imported = package("2.1.2", "public");
    registry
        .import_provider_package(None, &addr, &version, &platform, tfreg_testkit::temp_file(&imported), &[])
        .await
        .unwrap();
    let wrong = ["h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()];
    let other = tfreg_core::types::version::Version::parse("2.1.3").unwrap();
    let refused = registry
        .import_provider_package(None, &addr, &other, &platform, tfreg_testkit::temp_file(&imported), &wrong)
        .await;
    assert_eq!(refused.unwrap_err().status(), StatusCode::BAD_REQUEST);

    for (host, version) in
        [("registry.example.com", "1.2.0"), ("127.0.0.1:8443", "1.2.0"), ("registry.terraform.io", "2.1.2")]
    {
        let ns = if host == "registry.terraform.io" { "hashicorp" } else { "acme" };
        let index = json(
            &call(&registry, Method::GET, &format!("/v1/mirror/{host}/{ns}/null/index.json"), vec![]).await,
        );
        assert_eq!(index["versions"], serde_json::json!({ version: {} }), "{host}");
        let detail = json(
            &call(&registry, Method::GET, &format!("/v1/mirror/{host}/{ns}/null/{version}.json"), vec![])
                .await,
        );
        let archive = &detail["archives"]["linux_amd64"];
        let hashes: Vec<&str> =
            archive["hashes"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
        assert!(hashes[0].starts_with("h1:") && hashes[1].starts_with("zh:"), "{hashes:?}");
        let file = anonymous_get(&registry, archive["url"].as_str().unwrap()).await;
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(
            format!("zh:{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(file.body()))),
            hashes[1]
        );
    }
    let unknown =
        call(&registry, Method::GET, "/v1/mirror/elsewhere.example/acme/null/index.json", vec![]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let anonymous = anonymous_get(&registry, "/v1/mirror/registry.example.com/acme/null/index.json").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "the mirror follows the read rules");
    let imported_versions =
        call(&registry, Method::GET, "/v1/providers/hashicorp/null/versions", vec![]).await;
    assert_eq!(
        imported_versions.status(),
        StatusCode::NOT_FOUND,
        "imported providers live under their own host"
    );
}

#[tokio::test]
async fn rotating_the_signing_key_keeps_older_versions_installable() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let before = registry_with_key(storage.clone(), KEY_A).await;
    call(&before, Method::PUT, "/v1/providers/acme/null/1.0.0/linux/amd64", package("1.0.0", "linux")).await;
    let after = registry_with_key(storage, KEY_B).await;
    call(&after, Method::PUT, "/v1/providers/acme/null/2.0.0/linux/amd64", package("2.0.0", "linux")).await;

    for (version, key) in [("1.0.0", KEY_A), ("2.0.0", KEY_B)] {
        let download = json(
            &call(
                &after,
                Method::GET,
                &format!("/v1/providers/acme/null/{version}/download/linux/amd64"),
                vec![],
            )
            .await,
        );
        let listed = &download["signing_keys"]["gpg_public_keys"][0];
        assert_eq!(listed["key_id"], SigningKey::from_armored(key).unwrap().key_id(), "{version}");
        let public = PublicKey::from_armored(listed["ascii_armor"].as_str().unwrap()).unwrap();
        let sums = anonymous_get(&after, download["shasums_url"].as_str().unwrap()).await;
        let sig = anonymous_get(&after, download["shasums_signature_url"].as_str().unwrap()).await;
        public.verify_detached(sums.body(), sig.body()).unwrap();
    }
    let keys = json(&anonymous_get(&after, "/v1/keys").await);
    assert_eq!(keys["keys"].as_array().unwrap().len(), 2, "both keys stay listed");
}

#[tokio::test]
async fn over_http2_the_mirror_finds_its_own_host_with_the_port() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = registry_with_key(storage, KEY_A).await;
    let created =
        call(&registry, Method::PUT, "/v1/providers/acme/null/1.2.0/linux/amd64", package("1.2.0", "linux"))
            .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    // What an HTTP/2 server hands over: no Host header, the authority in the URI.
    let request = Request::get("https://127.0.0.1:8443/v1/mirror/127.0.0.1:8443/acme/null/1.2.0.json")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Bytes::new())
        .unwrap();
    let answer = tfreg_testkit::send(&registry, request).await;
    assert_eq!(answer.status(), StatusCode::OK, "{:?}", answer.body());
    assert!(json(&answer)["archives"]["linux_amd64"]["url"]
        .as_str()
        .unwrap()
        .contains("/_local/acme/null/1.2.0/"));
}

#[tokio::test]
async fn provider_versions_with_build_metadata_are_refused_on_every_publishing_path() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = registry_with_key(storage.clone(), KEY_A).await;
    let created = call(
        &registry,
        Method::PUT,
        "/v1/providers/acme/null/50.0.0/linux/amd64",
        package("50.0.0", "linux"),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let before: Vec<String> = storage.list("providers/").await.unwrap().into_iter().map(|i| i.key).collect();

    // A body for 50.0.0+x would land as a platform of 50.0.0 that nothing can download.
    let body = call(
        &registry,
        Method::PUT,
        "/v1/providers/acme/null/50.0.0+x/darwin/arm64",
        package("50.0.0", "darwin"),
    )
    .await;
    assert_eq!(body.status(), StatusCode::BAD_REQUEST);
    assert!(json(&body)["errors"][0].as_str().unwrap().contains("build metadata"));
    // A team's own SHA256SUMS for it.
    let sums = serde_json::json!({"shasums": "", "signature": ""}).to_string();
    let shasums =
        call(&registry, Method::PUT, "/v1/providers/acme/null/50.0.0+x/shasums", sums.into_bytes()).await;
    assert_eq!(shasums.status(), StatusCode::BAD_REQUEST);
    // An import into the mirror.
    let addr =
        tfreg_core::types::ProviderAddress::on_host("registry.terraform.io", "hashicorp", "null").unwrap();
    let version = tfreg_core::types::Version::parse("2.1.2+x").unwrap();
    let platform = tfreg_core::types::Platform::parse("linux_amd64").unwrap();
    let imported = registry
        .import_provider_package(
            None,
            &addr,
            &version,
            &platform,
            tfreg_testkit::temp_file(&package("2.1.2", "x")),
            &[],
        )
        .await;
    assert_eq!(imported.unwrap_err().status(), StatusCode::BAD_REQUEST);

    let after: Vec<String> = storage.list("providers/").await.unwrap().into_iter().map(|i| i.key).collect();
    assert_eq!(after, before, "nothing stored");
    let versions = json(&call(&registry, Method::GET, "/v1/providers/acme/null/versions", vec![]).await);
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);
    assert_eq!(versions["versions"][0]["platforms"], serde_json::json!([{"os": "linux", "arch": "amd64"}]));
    let download =
        call(&registry, Method::GET, "/v1/providers/acme/null/50.0.0/download/linux/amd64", vec![]).await;
    assert_eq!(download.status(), StatusCode::OK);
}
