//! The rendered JSON of every document the registry serves, pinned by snapshots (`insta`):
//! each comes from a real answer of the registry, with what changes from run to run (ids,
//! signatures, link expiries) redacted. A change to a wire format shows up here as a diff.

use http::{Method, StatusCode};
use insta::assert_json_snapshot;
use serde_json::Value;
use tfreg_testkit::{json, provider_zip, tar_gz, ManualClock, TestRegistry, SIGNING_KEY};

/// 2027-01-15T08:00:00Z.
const NOW: u64 = 1_800_000_000;

async fn registry() -> TestRegistry {
    TestRegistry::builder().signing_key(SIGNING_KEY).clock(ManualClock::at(NOW)).build().await
}

fn body(response: &http::Response<bytes::Bytes>, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "{:?}", response.body());
    json(response)
}

/// Replaces the signed query of a link (`?expires=..&signature=..`) with a marker.
fn unsign(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Some((link, query)) = text.split_once('?') {
                if query.contains("signature=") {
                    *text = format!("{link}?[signed]");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unsign),
        Value::Object(map) => map.values_mut().for_each(unsign),
        _ => {}
    }
}

#[tokio::test]
async fn module_documents() {
    let h = registry().await;
    let archive = tar_gz(&[("main.tf", "output \"v\" { value = 1 }\n")]);
    let published =
        body(&h.publish_module("acme/vpc/aws", "1.2.0", archive.clone()).await, StatusCode::CREATED);
    assert_json_snapshot!("module_published", published, { ".sha256" => "[sha256]", ".size" => "[size]" });
    h.publish_module("acme/vpc/aws", "1.3.0-beta.1", archive).await;

    let discovery = body(&h.get("/.well-known/terraform.json").await, StatusCode::OK);
    assert_json_snapshot!("discovery", discovery);
    let versions = body(&h.get("/v1/modules/acme/vpc/aws/versions").await, StatusCode::OK);
    assert_json_snapshot!("module_versions", versions);
    let detail = body(&h.get("/v1/modules/acme/vpc/aws").await, StatusCode::OK);
    assert_json_snapshot!("module_detail", detail, {
        ".versions[].sha256" => "[sha256]", ".versions[].size" => "[size]"
    });

    let request = http::Request::get("/v1/modules/acme/vpc/aws/1.2.0/download")
        .header("authorization", format!("Bearer {}", h.master))
        .header("accept", "application/json")
        .body(bytes::Bytes::new())
        .unwrap();
    let mut location = body(&tfreg_testkit::send(&h.registry, request).await, StatusCode::OK);
    unsign(&mut location);
    assert_json_snapshot!("module_download_location", location, { ".location" => insta::dynamic_redaction(|value, _| {
        // The archive's name is its hash.
        let text = value.as_str().unwrap_or_default().to_owned();
        assert!(text.starts_with("/v1/archives/modules/acme/vpc/aws/1.2.0/") && text.ends_with(".tar.gz?[signed]"), "{text}");
        "/v1/archives/modules/acme/vpc/aws/1.2.0/[sha256].tar.gz?[signed]"
    }) });
}

#[tokio::test]
async fn external_module_documents() {
    let h = registry().await;
    let request = serde_json::json!({
        "location": "git::https://example.com/acme/vpc.git//modules/vpc?ref=v1.2.0",
        "description": "A VPC",
    });
    let typed: tfreg_core::protocol::RegisterExternal = serde_json::from_value(request.clone()).unwrap();
    assert_json_snapshot!("external_request", typed);
    let path = "/v1/modules/acme/vpc/aws/1.2.0/external";
    let registered =
        body(&h.call(Method::POST, path, Some(&h.master), request.to_string()).await, StatusCode::CREATED);
    assert_json_snapshot!("external_registered", registered);
    let list = body(&h.get("/v1/modules").await, StatusCode::OK);
    assert_json_snapshot!("external_catalogue", list);
}

#[tokio::test]
async fn provider_and_mirror_documents() {
    let h = registry().await;
    let uri = "/v1/providers/acme/null/2.1.2/linux/amd64?protocols=5.0";
    let zip = provider_zip("null", "2.1.2", b"a provider binary");
    let published = body(&h.call(Method::PUT, uri, Some(&h.master), zip).await, StatusCode::CREATED);
    assert_json_snapshot!("provider_published", published);

    let versions = body(&h.get("/v1/providers/acme/null/versions").await, StatusCode::OK);
    assert_json_snapshot!("provider_versions", versions);
    let mut download =
        body(&h.get("/v1/providers/acme/null/2.1.2/download/linux/amd64").await, StatusCode::OK);
    unsign(&mut download);
    assert_json_snapshot!("provider_download", download, {
        ".signing_keys.gpg_public_keys[].ascii_armor" => "[armored public key]"
    });

    let mirror_host = "127.0.0.1:8443";
    let get = |path: String| {
        let request = http::Request::get(path)
            .header("authorization", format!("Bearer {}", h.master))
            .header("host", mirror_host)
            .body(bytes::Bytes::new())
            .unwrap();
        tfreg_testkit::send(&h.registry, request)
    };
    let index = body(&get(format!("/v1/mirror/{mirror_host}/acme/null/index.json")).await, StatusCode::OK);
    assert_json_snapshot!("mirror_index", index);
    let mut version =
        body(&get(format!("/v1/mirror/{mirror_host}/acme/null/2.1.2.json")).await, StatusCode::OK);
    unsign(&mut version);
    assert_json_snapshot!("mirror_version", version);

    let keys = body(&h.get("/v1/keys").await, StatusCode::OK);
    assert_json_snapshot!("key_list", keys, { ".keys[].ascii_armor" => "[armored public key]" });
}

#[tokio::test]
async fn administration_and_upload_documents() {
    let h = registry().await;
    let created = h
        .call(
            Method::POST,
            "/v1/tokens",
            Some(&h.master),
            r#"{"tier":"uploader","namespaces":["acme"],"description":"ci","expires_in_days":30}"#,
        )
        .await;
    let created = body(&created, StatusCode::CREATED);
    assert_json_snapshot!("token_created", created, { ".id" => "[id]", ".token" => "[secret]" });
    let listed = body(&h.get("/v1/tokens").await, StatusCode::OK);
    assert_json_snapshot!("token_list", listed, { ".tokens[].id" => "[id]" });
    let audit = body(&h.get("/v1/audit").await, StatusCode::OK);
    assert_json_snapshot!("audit_page", audit, { ".entries[].id" => "[id]", ".entries[].target" => "[token id]" });
    let pins = body(&h.get("/v1/pins").await, StatusCode::OK);
    assert_json_snapshot!("pin_list", pins);

    let request = http::Request::post("/v1/uploads")
        .header("authorization", format!("Bearer {}", h.master))
        .header("host", "registry.test:8443")
        .body(bytes::Bytes::new())
        .unwrap();
    let mut opened = body(&tfreg_testkit::send(&h.registry, request).await, StatusCode::CREATED);
    let id = opened["id"].as_str().unwrap().to_owned();
    unsign(&mut opened);
    assert_json_snapshot!("upload_opened", opened, {
        ".id" => "[id]",
        ".upload_url" => insta::dynamic_redaction(move |value, _| {
            assert_eq!(value.as_str(), Some(format!("https://registry.test:8443/v1/uploads/{id}?[signed]").as_str()));
            "https://registry.test:8443/v1/uploads/[id]?[signed]"
        }),
    });

    let errors =
        body(&h.call(Method::GET, "/v1/tokens", None, bytes::Bytes::new()).await, StatusCode::UNAUTHORIZED);
    assert_json_snapshot!("errors", errors);
}
