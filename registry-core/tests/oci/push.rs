//! The write side: blobs pushed whole or in chunks, manifests that publish them through the
//! registry's pipeline, documents served back byte for byte, and every bad push refused with
//! an OCI error and nothing published.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use tfreg_core::auth::Role;
use tfreg_core::oci::manifest::{EMPTY, EMPTY_CONTENT, IMAGE_INDEX, IMAGE_MANIFEST};
use tfreg_core::oci::{Digest, PROTOCOLS_ANNOTATION};
use tfreg_testkit::{provider_zip, zip as zip_archive, TestRegistry};

use crate::rules::*;

/// `method uri` as `token` with `headers` and `body`.
async fn send(
    reg: &TestRegistry,
    method: Method,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Bytes> {
    let mut request = Request::builder().method(method).uri(uri).header("host", HOST);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    tfreg_testkit::send(&reg.registry, request.body(body.into()).unwrap()).await
}

fn digest(bytes: &[u8]) -> String {
    Digest::of(bytes).to_string()
}

/// Pushes `blob` to `repo` in one `POST ?digest=`; its digest.
async fn push_whole(reg: &TestRegistry, repo: &str, blob: &[u8]) -> String {
    let digest = digest(blob);
    let uri = format!("/v2/{repo}/blobs/uploads/?digest={digest}");
    let pushed = send(reg, Method::POST, &uri, Some(&reg.master), &[], blob.to_vec()).await;
    assert_eq!(pushed.status(), StatusCode::CREATED, "{:?}", pushed.body());
    assert_eq!(pushed.headers()["docker-content-digest"], digest.as_str());
    assert_eq!(pushed.headers()["location"], format!("/v2/{repo}/blobs/{digest}").as_str());
    digest
}

/// Pushes `blob` to `repo` as `POST`, a `PATCH` per `chunk` bytes, and a closing `PUT`; its
/// digest.
async fn push_chunked(reg: &TestRegistry, repo: &str, blob: &[u8], chunk: usize) -> String {
    let digest = digest(blob);
    let opened =
        send(reg, Method::POST, &format!("/v2/{repo}/blobs/uploads/"), Some(&reg.master), &[], "").await;
    assert_eq!(opened.status(), StatusCode::ACCEPTED, "{:?}", opened.body());
    assert_eq!(opened.headers()["range"], "0-0");
    let mut location = opened.headers()["location"].to_str().unwrap().to_owned();
    let mut sent = 0;
    for part in blob.chunks(chunk) {
        let range = format!("{sent}-{}", sent + part.len() - 1);
        let headers = [("content-range", range.as_str()), ("content-type", "application/octet-stream")];
        let patched = send(reg, Method::PATCH, &location, Some(&reg.master), &headers, part.to_vec()).await;
        assert_eq!(patched.status(), StatusCode::ACCEPTED, "{:?}", patched.body());
        sent += part.len();
        assert_eq!(patched.headers()["range"], format!("0-{}", sent - 1).as_str());
        location = patched.headers()["location"].to_str().unwrap().to_owned();
    }
    let status = send(reg, Method::GET, &location, Some(&reg.master), &[], "").await;
    assert_eq!(status.status(), StatusCode::NO_CONTENT);
    assert_eq!(status.headers()["range"], format!("0-{}", blob.len() - 1).as_str());
    let closed =
        send(reg, Method::PUT, &format!("{location}?digest={digest}"), Some(&reg.master), &[], "").await;
    assert_eq!(closed.status(), StatusCode::CREATED, "{:?}", closed.body());
    digest
}

/// Pushes a manifest or index; the answer.
async fn push_manifest(reg: &TestRegistry, repo: &str, reference: &str, document: &[u8]) -> Response<Bytes> {
    let named = serde_json::from_slice::<Value>(document)
        .ok()
        .and_then(|d| d["mediaType"].as_str().map(str::to_owned));
    let media_type = named.unwrap_or_else(|| IMAGE_MANIFEST.to_owned());
    let uri = format!("/v2/{repo}/manifests/{reference}");
    send(reg, Method::PUT, &uri, Some(&reg.master), &[("content-type", &media_type)], document.to_vec()).await
}

/// An artifact's manifest, as ORAS writes one: one zip layer, the empty config.
fn artifact(artifact_type: &str, layer: &[u8], title: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": EMPTY, "digest": digest(EMPTY_CONTENT), "size": 2},
        "layers": [{
            "mediaType": "archive/zip",
            "digest": digest(layer),
            "size": layer.len(),
            "annotations": {"org.opencontainers.image.title": title},
        }],
        "annotations": {"org.opencontainers.image.created": "2026-12-02T00:00:00Z"},
    }))
    .unwrap()
}

fn module_zip() -> Vec<u8> {
    zip_archive(&[
        ("main.tf", b"variable \"name\" {}\n"),
        ("README.md", b"# Pushed\n\nA module pushed with ORAS.\n"),
    ])
}

#[tokio::test]
async fn a_module_pushed_whole_is_published_and_served_back_byte_for_byte() {
    let reg = registry().await;
    let repo = "modules/acme/vpc/aws";
    let zip = module_zip();
    push_whole(&reg, repo, &zip).await;
    push_whole(&reg, repo, EMPTY_CONTENT).await;
    let manifest = artifact("application/vnd.opentofu.modulepkg", &zip, "vpc.zip");
    let pushed = push_manifest(&reg, repo, "1.2.0", &manifest).await;
    assert_eq!(pushed.status(), StatusCode::CREATED, "{:?}", pushed.body());
    assert_eq!(pushed.headers()["docker-content-digest"], digest(&manifest).as_str());

    // Published through the registry protocol like an upload.
    let versions = body_json(&get(&reg, "/v1/modules/acme/vpc/aws/versions").await);
    assert_eq!(versions["modules"][0]["versions"][0]["version"], "1.2.0");
    let download = get(&reg, "/v1/modules/acme/vpc/aws/1.2.0/download").await;
    assert_eq!(download.status(), StatusCode::NO_CONTENT);
    let detail = body_json(&get(&reg, "/v1/modules/acme/vpc/aws/1.2.0").await);
    assert!(detail["root"]["readme"].as_str().is_some_and(|r| r.contains("pushed with ORAS")), "{detail}");

    // Pulled back: the same manifest (so the same digest), its zip, by OpenTofu's rules.
    for reference in ["1.2.0".to_owned(), digest(&manifest), "latest".to_owned()] {
        let fetched = get(&reg, &format!("/v2/{repo}/manifests/{reference}")).await;
        assert_eq!(fetched.status(), StatusCode::OK, "{reference}");
        assert_eq!(fetched.body().as_ref(), manifest.as_slice(), "{reference}");
        assert_eq!(fetched.headers()["docker-content-digest"], digest(&manifest).as_str());
    }
    assert_eq!(opentofu_install_module(&reg, repo, Some("1.2.0")).await.as_ref(), zip.as_slice());
    // Nothing stays staged; the audit trail has the publish.
    assert_eq!(reg.stored_keys("uploads/").await, Vec::<String>::new());
    let audit = body_json(&get(&reg, "/v1/audit").await);
    let entry = &audit["entries"][0];
    assert_eq!(
        (entry["action"].as_str(), entry["status"].as_u64()),
        (Some("module.publish"), Some(201)),
        "{audit}"
    );
}

#[tokio::test]
async fn a_provider_pushed_in_chunks_is_published_signed_and_served_back() {
    let reg = registry().await;
    let repo = "providers/acme/null";
    let platforms = [("linux", "amd64"), ("darwin", "arm64")];
    let mut entries = Vec::new();
    let mut packages = Vec::new();
    for (os, arch) in platforms {
        let package =
            provider_zip("null", "2.0.0", format!("binary for {os}_{arch} {}", "x".repeat(5000)).as_bytes());
        push_chunked(&reg, repo, &package, 1000).await;
        let filename = format!("terraform-provider-null_2.0.0_{os}_{arch}.zip");
        let manifest = artifact("application/vnd.opentofu.provider-target", &package, &filename);
        let pushed = push_manifest(&reg, repo, &digest(&manifest), &manifest).await;
        assert_eq!(pushed.status(), StatusCode::CREATED, "{:?}", pushed.body());
        entries.push(json!({
            "mediaType": IMAGE_MANIFEST,
            "artifactType": "application/vnd.opentofu.provider-target",
            "digest": digest(&manifest),
            "size": manifest.len(),
            "platform": {"os": os, "architecture": arch},
        }));
        packages.push((os, arch, package));
    }
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_INDEX,
        "artifactType": "application/vnd.opentofu.provider",
        "manifests": entries,
        "annotations": {PROTOCOLS_ANNOTATION: "6.0"},
    }))
    .unwrap();
    let pushed = push_manifest(&reg, repo, "2.0.0", &index).await;
    assert_eq!(pushed.status(), StatusCode::CREATED, "{:?}", pushed.body());
    assert_eq!(pushed.headers()["docker-content-digest"], digest(&index).as_str());

    // One audit entry: the tag that published the version (platform manifests only wait).
    let audit = body_json(&get(&reg, "/v1/audit").await);
    let published: Vec<&Value> =
        audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "provider.publish").collect();
    assert_eq!(published.len(), 1, "{audit}");
    assert_eq!(published[0]["target"], "providers/acme/null:2.0.0");

    // The registry protocol: both platforms, the protocols from the annotation, signed.
    let versions = body_json(&get(&reg, "/v1/providers/acme/null/versions").await);
    assert_eq!(versions["versions"][0]["version"], "2.0.0");
    assert_eq!(versions["versions"][0]["protocols"], json!(["6.0"]));
    assert_eq!(versions["versions"][0]["platforms"].as_array().unwrap().len(), 2);
    let download = body_json(&get(&reg, "/v1/providers/acme/null/2.0.0/download/darwin/arm64").await);
    assert_eq!(download["shasum"], sha256(&packages[1].2));
    assert!(download["signing_keys"]["gpg_public_keys"][0]["ascii_armor"].is_string(), "{download}");

    // The OCI side serves back what was pushed, and OpenTofu installs from it.
    let fetched = get(&reg, &format!("/v2/{repo}/manifests/2.0.0")).await;
    assert_eq!(fetched.body().as_ref(), index.as_slice());
    for (os, arch, package) in &packages {
        let (zh, installed) = opentofu_install_provider(&reg, repo, "2.0.0", os, arch).await;
        assert_eq!(zh, format!("zh:{}", sha256(package)));
        assert_eq!(installed.as_ref(), package.as_slice());
    }
    assert_eq!(reg.stored_keys("uploads/").await, Vec::<String>::new());

    // A platform published later through the registry API: the documents are derived again.
    let extra = provider_zip("null", "2.0.0", b"linux arm64");
    let put =
        reg.call(Method::PUT, "/v1/providers/acme/null/2.0.0/linux/arm64", Some(&reg.master), extra).await;
    assert_eq!(put.status(), StatusCode::CREATED, "{:?}", put.body());
    let derived = body_json(&get(&reg, &format!("/v2/{repo}/manifests/2.0.0")).await);
    assert_eq!(derived["manifests"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn mounts_and_heads_find_published_and_staged_blobs() {
    let reg = registry().await;
    let packages = publish_provider(&reg, "1.0.0", &["linux_amd64"]).await;
    let published = digest(&packages[0].1);
    let uri = format!("/v2/providers/acme/null/blobs/uploads/?mount={published}&from=providers/acme/other");
    let mounted = send(&reg, Method::POST, &uri, Some(&reg.master), &[], "").await;
    assert_eq!(mounted.status(), StatusCode::CREATED, "{:?}", mounted.body());

    let staged = push_whole(&reg, "providers/acme/fresh", b"staged bytes").await;
    let head = |token: String| {
        let reg = &reg;
        let uri = format!("/v2/providers/acme/fresh/blobs/{staged}");
        async move { send(reg, Method::HEAD, &uri, Some(&token), &[], "").await.status() }
    };
    assert_eq!(head(reg.master.clone()).await, StatusCode::OK);
    // A reader who may not push does not see what waits to be published.
    let reader = reg.issue(Role::Downloader).await;
    assert_eq!(head(reader).await, StatusCode::NOT_FOUND);
    let cancelled =
        send(&reg, Method::POST, "/v2/modules/acme/vpc/aws/blobs/uploads/", Some(&reg.master), &[], "").await;
    let location = cancelled.headers()["location"].to_str().unwrap().to_owned();
    let deleted = send(&reg, Method::DELETE, &location, Some(&reg.master), &[], "").await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = send(&reg, Method::GET, &location, Some(&reg.master), &[], "").await;
    assert_eq!(oci_error(&gone, StatusCode::NOT_FOUND), "BLOB_UPLOAD_UNKNOWN");
}

#[tokio::test]
async fn bad_pushes_are_refused_with_oci_errors_and_publish_nothing() {
    let reg = registry().await;
    let repo = "modules/acme/vpc/aws";
    let zip = module_zip();

    // A blob whose bytes are not its digest.
    let uri = format!("/v2/{repo}/blobs/uploads/?digest={}", digest(b"other"));
    let wrong = send(&reg, Method::POST, &uri, Some(&reg.master), &[], zip.clone()).await;
    assert_eq!(oci_error(&wrong, StatusCode::BAD_REQUEST), "DIGEST_INVALID");
    // A chunk that does not continue the upload.
    let opened =
        send(&reg, Method::POST, &format!("/v2/{repo}/blobs/uploads/"), Some(&reg.master), &[], "").await;
    let location = opened.headers()["location"].to_str().unwrap().to_owned();
    let skipped =
        send(&reg, Method::PATCH, &location, Some(&reg.master), &[("content-range", "10-20")], "abc").await;
    assert_eq!(oci_error(&skipped, StatusCode::RANGE_NOT_SATISFIABLE), "RANGE_INVALID");
    // Another caller's session is not theirs to use.
    let other = reg.issue(Role::Uploader).await;
    let stolen = send(&reg, Method::PATCH, &location, Some(&other), &[], "abc").await;
    assert_eq!(oci_error(&stolen, StatusCode::NOT_FOUND), "BLOB_UPLOAD_UNKNOWN");

    // A manifest naming a blob never pushed.
    let manifest = artifact("application/vnd.opentofu.modulepkg", &zip, "vpc.zip");
    assert_eq!(
        oci_error(&push_manifest(&reg, repo, "1.0.0", &manifest).await, StatusCode::NOT_FOUND),
        "MANIFEST_BLOB_UNKNOWN"
    );
    push_whole(&reg, repo, &zip).await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("latest", manifest.clone(), "not a version"),
        ("1.0.0", artifact("application/vnd.example.other", &zip, "x.zip"), "artifact type"),
        ("1.0.0", b"{\"schemaVersion\": 2, \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\"}".to_vec(), "OCI artifacts"),
        ("1.0.0", b"not json".to_vec(), "not an OCI image manifest"),
    ];
    for (tag, document, says) in cases {
        let refused = push_manifest(&reg, repo, tag, &document).await;
        assert_eq!(oci_error(&refused, StatusCode::BAD_REQUEST), "MANIFEST_INVALID", "{tag}");
        assert!(String::from_utf8_lossy(refused.body()).contains(says), "{:?}", refused.body());
    }
    let mut two_layers: Value = serde_json::from_slice(&manifest).unwrap();
    let layer = two_layers["layers"][0].clone();
    two_layers["layers"].as_array_mut().unwrap().push(layer);
    let refused = push_manifest(&reg, repo, "1.0.0", &serde_json::to_vec(&two_layers).unwrap()).await;
    assert_eq!(oci_error(&refused, StatusCode::BAD_REQUEST), "MANIFEST_INVALID");

    // A zip that is no module: refused by the same checks as an upload.
    let escaping = zip_archive(&[("../escape.tf", b"# no")]);
    push_whole(&reg, repo, &escaping).await;
    let manifest_bad = artifact("application/vnd.opentofu.modulepkg", &escaping, "bad.zip");
    let refused = push_manifest(&reg, repo, "1.0.0", &manifest_bad).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{:?}", refused.body());
    assert_eq!(reg.stored_keys("modules/").await, Vec::<String>::new());

    // A provider package that is not a provider, and an index over unknown manifests.
    let provider = "providers/acme/null";
    let not_provider = zip_archive(&[("README", b"hello")]);
    push_whole(&reg, provider, &not_provider).await;
    let target = artifact("application/vnd.opentofu.provider-target", &not_provider, "x.zip");
    assert_eq!(push_manifest(&reg, provider, &digest(&target), &target).await.status(), StatusCode::CREATED);
    let index = |entries: Value| {
        serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": IMAGE_INDEX,
            "artifactType": "application/vnd.opentofu.provider", "manifests": entries}))
        .unwrap()
    };
    let entry = |manifest: &[u8], os: &str| {
        json!({"mediaType": IMAGE_MANIFEST, "digest": digest(manifest), "size": manifest.len(),
            "platform": {"os": os, "architecture": "amd64"}})
    };
    let refused = push_manifest(&reg, provider, "1.0.0", &index(json!([entry(&target, "linux")]))).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{:?}", refused.body());
    let unknown =
        push_manifest(&reg, provider, "1.0.0", &index(json!([entry(b"never pushed", "linux")]))).await;
    assert_eq!(oci_error(&unknown, StatusCode::NOT_FOUND), "MANIFEST_BLOB_UNKNOWN");
    let twice = push_manifest(
        &reg,
        provider,
        "1.0.0",
        &index(json!([entry(&target, "linux"), entry(&target, "linux")])),
    )
    .await;
    assert_eq!(oci_error(&twice, StatusCode::BAD_REQUEST), "MANIFEST_INVALID");
    let tagged_manifest = push_manifest(&reg, provider, "1.0.0", &target).await;
    assert_eq!(oci_error(&tagged_manifest, StatusCode::BAD_REQUEST), "MANIFEST_INVALID");
    assert_eq!(reg.stored_keys("providers/").await, Vec::<String>::new());

    // Who may not publish there may not push; without a token, the challenge asks for push.
    let reader = reg.issue(Role::Downloader).await;
    let denied =
        send(&reg, Method::POST, &format!("/v2/{repo}/blobs/uploads/"), Some(&reader), &[], "").await;
    assert_eq!(oci_error(&denied, StatusCode::FORBIDDEN), "DENIED");
    let anonymous = send(&reg, Method::POST, &format!("/v2/{repo}/blobs/uploads/"), None, &[], "").await;
    assert_eq!(oci_error(&anonymous, StatusCode::UNAUTHORIZED), "UNAUTHORIZED");
    let challenge = anonymous.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.ends_with(&format!("scope=\"repository:{repo}:pull,push\"")), "{challenge}");

    // A version pushed once is not pushed again.
    push_whole(&reg, repo, &zip).await;
    assert_eq!(push_manifest(&reg, repo, "1.0.0", &manifest).await.status(), StatusCode::CREATED);
    push_whole(&reg, repo, &zip).await;
    let again = push_manifest(&reg, repo, "1.0.0", &manifest).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "{:?}", again.body());
}

#[tokio::test]
async fn a_pushed_zip_lives_and_goes_with_its_version_and_unused_blobs_expire() {
    let clock = tfreg_testkit::ManualClock::now();
    let memory = std::sync::Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let storage: std::sync::Arc<dyn tfreg_core::storage::Storage> =
        tfreg_testkit::ClockedStore::new(memory, clock.clone());
    let reg = TestRegistry::builder().storage(storage).clock(clock).signing_key(KEY).build().await;
    let repo = "modules/acme/vpc/aws";
    let zip = module_zip();
    push_whole(&reg, repo, &zip).await;
    let manifest = artifact("application/vnd.opentofu.modulepkg", &zip, "vpc.zip");
    assert_eq!(push_manifest(&reg, repo, "1.0.0", &manifest).await.status(), StatusCode::CREATED);
    push_whole(&reg, repo, b"pushed, never published").await;

    // Past the grace period and the session lifetime: the pushed zip stays with its archive,
    // the blob no manifest used is gone.
    reg.clock.advance(std::time::Duration::from_secs(3 * 24 * 3600));
    reg.registry.sweep_uploads().await.unwrap();
    reg.registry.collect_garbage().await.unwrap();
    assert_eq!(reg.stored_keys("uploads/").await, Vec::<String>::new());
    assert_eq!(get(&reg, &format!("/v2/{repo}/manifests/1.0.0")).await.body().as_ref(), manifest.as_slice());
    let blob = get(&reg, &format!("/v2/{repo}/blobs/{}", digest(&zip))).await;
    assert_eq!(blob.body().as_ref(), zip.as_slice());

    // Deleting the version deletes the pushed zip and its manifest with it.
    let deleted =
        reg.call(Method::DELETE, "/v1/modules/acme/vpc/aws/1.0.0", Some(&reg.master), Bytes::new()).await;
    assert!(deleted.status().is_success(), "{:?}", deleted.body());
    assert_eq!(reg.stored_keys("modules/acme/vpc/aws/1.0.0/").await, Vec::<String>::new());
}
