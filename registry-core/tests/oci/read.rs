//! The read side: what is served, checked by OpenTofu's rules.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use tfreg_core::auth::{NewToken, Role, RoleAuthorizer};
use tfreg_core::oci::manifest::{self, Descriptor, ImageIndex};
use tfreg_core::oci::repository::version_tag;
use tfreg_core::oci::{Digest, Reference};
use tfreg_core::types::Version;
use tfreg_testkit::TestRegistry;

use crate::rules::*;

#[tokio::test]
async fn providers_install_by_opentofus_rules_with_the_registry_protocols_package() {
    let reg = registry().await;
    let packages = publish_provider(&reg, "1.0.0", &["linux_amd64", "darwin_arm64", "freebsd_amd64"]).await;
    publish_provider(&reg, "1.1.0", &["linux_amd64"]).await;

    assert_eq!(available_versions(&reg, "providers/acme/null").await, ["1.0.0", "1.1.0"]);
    for (platform, package) in &packages {
        let (os, arch) = platform.split_once('_').unwrap();
        let (zh, installed) = opentofu_install_provider(&reg, "providers/acme/null", "1.0.0", os, arch).await;
        assert_eq!(installed.as_ref(), package.as_slice(), "the same zip as the registry protocol serves");
        // The zh: hash is the registry protocol's shasum for the same package.
        let download =
            body_json(&get(&reg, &format!("/v1/providers/acme/null/1.0.0/download/{os}/{arch}")).await);
        assert_eq!(zh, format!("zh:{}", download["shasum"].as_str().unwrap()));
    }
    // One manifest per platform, sorted, with the config OpenTofu ignores: the empty descriptor.
    let index = body_json(&get(&reg, "/v2/providers/acme/null/manifests/1.0.0").await);
    let platforms: Vec<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}_{}",
                m["platform"]["os"].as_str().unwrap(),
                m["platform"]["architecture"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(platforms, ["darwin_arm64", "freebsd_amd64", "linux_amd64"]);
    let first = index["manifests"][0]["digest"].as_str().unwrap();
    let image = body_json(&get(&reg, &format!("/v2/providers/acme/null/manifests/{first}")).await);
    assert_eq!(image["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
    let config =
        get(&reg, &format!("/v2/providers/acme/null/blobs/{}", image["config"]["digest"].as_str().unwrap()))
            .await;
    assert_eq!(config.body().as_ref(), b"{}");
    assert_eq!(
        image["layers"][0]["annotations"]["org.opencontainers.image.title"],
        "terraform-provider-null_1.0.0_darwin_arm64.zip"
    );

    // A platform that is not there, and the mirror repository of the same provider.
    let index_desc = resolved_descriptor(&get(&reg, "/v2/providers/acme/null/manifests/1.1.0").await);
    let index: ImageIndex =
        serde_json::from_slice(&fetch_oci_manifest_blob(&reg, "providers/acme/null", &index_desc).await)
            .unwrap();
    assert_eq!(index.manifests.len(), 1);
    let (zh, _) =
        opentofu_install_provider(&reg, &format!("mirror/{HOST}/acme/null"), "1.0.0", "linux", "amd64").await;
    assert_eq!(zh, format!("zh:{}", sha256(&packages[0].1)));
}

#[tokio::test]
async fn modules_install_by_opentofus_rules_as_a_zip_of_the_archive() {
    let reg = registry().await;
    publish_module(&reg, "1.0.0").await;
    publish_module(&reg, "1.2.0+build.5").await;
    publish_module(&reg, "2.0.0-beta.1").await;

    let tags = body_json(&get(&reg, "/v2/modules/acme/vpc/aws/tags/list").await);
    assert_eq!(tags["name"], "modules/acme/vpc/aws");
    assert_eq!(tags["tags"], serde_json::json!(["1.0.0", "1.2.0_build.5", "2.0.0-beta.1", "latest"]));

    // `latest` is the newest release, not the pre-release.
    let latest = opentofu_install_module(&reg, "modules/acme/vpc/aws", None).await;
    let tagged = opentofu_install_module(&reg, "modules/acme/vpc/aws", Some("1.2.0_build.5")).await;
    assert_eq!(latest, tagged);
    let files = zip_files(&latest);
    assert_eq!(
        files,
        [
            ("main.tf".to_owned(), "variable \"x\" {}\n".to_owned(), 0o100644),
            ("modules/child/main.tf".to_owned(), "# child\n".to_owned(), 0o100644)
        ]
    );
    // The zip is stored beside the archive with its record, once.
    let keys = reg.stored_keys("modules/acme/vpc/aws/1.2.0+build.5/").await;
    assert_eq!(keys.iter().filter(|k| k.ends_with(".oci.zip")).count(), 1, "{keys:?}");
    assert_eq!(keys.iter().filter(|k| k.ends_with(".oci.json")).count(), 1, "{keys:?}");
    // A manifest by digest (as `?digest=` in a source address asks).
    let by_tag = get(&reg, "/v2/modules/acme/vpc/aws/manifests/1.0.0").await;
    let digest = by_tag.headers()["docker-content-digest"].to_str().unwrap().to_owned();
    let by_digest = get(&reg, &format!("/v2/modules/acme/vpc/aws/manifests/{digest}")).await;
    assert_eq!(by_digest.body(), by_tag.body());
}

#[tokio::test]
async fn documents_are_the_same_bytes_on_every_call_and_instance() {
    let reg = registry().await;
    publish_provider(&reg, "1.0.0", &["linux_amd64", "linux_arm64"]).await;
    publish_module(&reg, "1.0.0").await;
    // A second instance on the same store, built afterwards.
    let other = TestRegistry::builder().signing_key(KEY).storage(reg.storage.clone()).build().await;
    for uri in ["/v2/providers/acme/null/manifests/1.0.0", "/v2/modules/acme/vpc/aws/manifests/1.0.0"] {
        let first = get(&reg, uri).await;
        let again = get(&reg, uri).await;
        let elsewhere = get(&other, uri).await;
        assert_eq!(first.body(), again.body(), "{uri}");
        assert_eq!(first.body(), elsewhere.body(), "{uri}");
        let digest = first.headers()["docker-content-digest"].to_str().unwrap();
        assert_eq!(digest, format!("sha256:{}", sha256(first.body())));
        assert_eq!(elsewhere.headers()["docker-content-digest"], digest);
        assert!(!String::from_utf8_lossy(first.body()).contains("created"), "no time stamps");
    }
    // The module zip derived on another store from the same archive is byte-identical.
    let fresh = registry().await;
    publish_module(&fresh, "1.0.0").await;
    assert_eq!(
        get(&fresh, "/v2/modules/acme/vpc/aws/manifests/1.0.0").await.body(),
        get(&reg, "/v2/modules/acme/vpc/aws/manifests/1.0.0").await.body()
    );
}

#[test]
fn tags_and_references_follow_the_grammars() {
    assert_eq!(version_tag(&Version::parse("1.0.0+build").unwrap()), "1.0.0_build");
    assert_eq!(version_tag(&Version::parse("1.0.0-rc.1+b.2").unwrap()), "1.0.0-rc.1_b.2");
    assert_eq!(Reference::parse("1.0.0_build").unwrap(), Reference::Tag("1.0.0_build".into()));
    let digest = format!("sha256:{}", "a".repeat(64));
    assert_eq!(Reference::parse(&digest).unwrap(), Reference::Digest(Digest::parse(&digest).unwrap()));
    for bad in ["", ".x", "-x", "a+b", &"a".repeat(129)] {
        assert_eq!(Reference::parse(bad).unwrap_err().status(), StatusCode::NOT_FOUND, "{bad:?}");
    }
    for bad in ["sha256:abc", "sha512:aa", &format!("sha256:{}", "A".repeat(64))] {
        assert_eq!(Reference::parse(bad).unwrap_err().status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
}

#[tokio::test]
async fn tag_lists_page_with_n_last_and_a_link() {
    let reg = registry().await;
    for version in ["1.0.0", "1.1.0", "1.10.0", "2.0.0", "3.0.0"] {
        publish_provider(&reg, version, &["linux_amd64"]).await;
    }
    let all = body_json(&get(&reg, "/v2/providers/acme/null/tags/list").await);
    assert_eq!(
        all["tags"],
        serde_json::json!(["1.0.0", "1.1.0", "1.10.0", "2.0.0", "3.0.0"]),
        "lexical order"
    );
    let mut seen = Vec::new();
    let mut uri = "/v2/providers/acme/null/tags/list?n=2".to_owned();
    loop {
        let page = get(&reg, &uri).await;
        assert_eq!(page.status(), StatusCode::OK);
        let tags = body_json(&page)["tags"].as_array().unwrap().clone();
        assert!(tags.len() <= 2);
        seen.extend(tags.iter().map(|t| t.as_str().unwrap().to_owned()));
        let Some(link) = page.headers().get("link") else { break };
        let link = link.to_str().unwrap();
        assert!(link.ends_with(">; rel=\"next\""), "{link}");
        uri = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
    }
    assert_eq!(seen, ["1.0.0", "1.1.0", "1.10.0", "2.0.0", "3.0.0"]);
    let after = body_json(&get(&reg, "/v2/providers/acme/null/tags/list?last=2.0.0").await);
    assert_eq!(after["tags"], serde_json::json!(["3.0.0"]));
    let none = get(&reg, "/v2/providers/acme/null/tags/list?n=5").await;
    assert!(none.headers().get("link").is_none());
    let bad = get(&reg, "/v2/providers/acme/null/tags/list?n=x").await;
    assert_eq!(oci_error(&bad, StatusCode::BAD_REQUEST), "NAME_INVALID");
}

#[tokio::test]
async fn head_and_range_answer_like_get() {
    let reg = registry().await;
    let packages = publish_provider(&reg, "1.0.0", &["linux_amd64"]).await;
    let package = &packages[0].1;
    let token = format!("Bearer {}", reg.master);
    let manifest = get(&reg, "/v2/providers/acme/null/manifests/1.0.0").await;
    let head = call(&reg, Method::HEAD, "/v2/providers/acme/null/manifests/1.0.0", Some(&token)).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.body().is_empty());
    assert_eq!(head.headers()["content-length"], manifest.body().len().to_string().as_str());
    assert_eq!(head.headers()["docker-content-digest"], manifest.headers()["docker-content-digest"]);
    assert_eq!(head.headers()["content-type"], manifest::IMAGE_INDEX);

    let blob = format!("/v2/providers/acme/null/blobs/sha256:{}", sha256(package));
    let head = call(&reg, Method::HEAD, &blob, Some(&token)).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], package.len().to_string().as_str());
    assert_eq!(head.headers()["docker-content-digest"], format!("sha256:{}", sha256(package)).as_str());

    let request = Request::get(&blob)
        .header("authorization", &token)
        .header("range", "bytes=10-19")
        .body(Bytes::new())
        .unwrap();
    let part = tfreg_testkit::send(&reg.registry, request).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body().as_ref(), &package[10..20]);
    assert_eq!(part.headers()["content-range"], format!("bytes 10-19/{}", package.len()).as_str());

    let missing = call(&reg, Method::HEAD, "/v2/providers/acme/null/manifests/9.9.9", Some(&token)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.body().is_empty());
}

#[tokio::test]
async fn errors_are_oci_error_documents() {
    let reg = registry().await;
    publish_provider(&reg, "1.0.0", &["linux_amd64"]).await;
    let zeros = format!("sha256:{}", "0".repeat(64));
    let cases = [
        ("/v2/providers/acme/nothing/tags/list", StatusCode::NOT_FOUND, "NAME_UNKNOWN"),
        ("/v2/library/alpine/manifests/latest", StatusCode::NOT_FOUND, "NAME_UNKNOWN"),
        ("/v2/providers/acme/null/manifests/2.0.0", StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN"),
        (&format!("/v2/providers/acme/null/manifests/{zeros}"), StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN"),
        (&format!("/v2/providers/acme/null/blobs/{zeros}"), StatusCode::NOT_FOUND, "BLOB_UNKNOWN"),
        ("/v2/providers/acme/null/blobs/sha256:xyz", StatusCode::BAD_REQUEST, "DIGEST_INVALID"),
        ("/v2/providers/ac..me/null/tags/list", StatusCode::BAD_REQUEST, "NAME_INVALID"),
        ("/v2/modules/acme/vpc/aws/tags/list", StatusCode::NOT_FOUND, "NAME_UNKNOWN"),
    ];
    for (uri, status, code) in cases {
        assert_eq!(oci_error(&get(&reg, uri).await, status), code, "{uri}");
    }
    let token = format!("Bearer {}", reg.master);
    let empty = call(&reg, Method::PUT, "/v2/providers/acme/null/manifests/1.0.0", Some(&token)).await;
    assert_eq!(oci_error(&empty, StatusCode::BAD_REQUEST), "MANIFEST_INVALID");
    let delete = call(&reg, Method::DELETE, "/v2/providers/acme/null/manifests/1.0.0", Some(&token)).await;
    assert_eq!(oci_error(&delete, StatusCode::METHOD_NOT_ALLOWED), "UNSUPPORTED");
    assert_eq!(delete.headers()["allow"], "GET, HEAD, PUT");
    let mirror = format!("/v2/mirror/{HOST}/acme/null/blobs/uploads/");
    let to_mirror = call(&reg, Method::POST, &mirror, Some(&token)).await;
    assert_eq!(oci_error(&to_mirror, StatusCode::METHOD_NOT_ALLOWED), "UNSUPPORTED");
    let session = format!("/v2/providers/acme/null/blobs/uploads/{}", "0".repeat(32));
    let unknown = call(&reg, Method::GET, &session, Some(&token)).await;
    assert_eq!(oci_error(&unknown, StatusCode::NOT_FOUND), "BLOB_UPLOAD_UNKNOWN");
}

#[test]
fn manifests_over_four_mib_are_refused() {
    let entry = Descriptor::zip_layer(&"a".repeat(64), 1, "x.zip");
    let per_entry = serde_json::to_vec(&entry).unwrap().len();
    let index = |entries: usize| ImageIndex {
        schema_version: 2,
        media_type: manifest::IMAGE_INDEX.into(),
        artifact_type: manifest::PROVIDER_ARTIFACT.into(),
        manifests: vec![entry.clone(); entries],
    };
    let fits = manifest::MAX_MANIFEST_BYTES / (per_entry + 1) - 10;
    assert!(manifest::encode(&index(fits), manifest::IMAGE_INDEX).is_ok());
    let over = manifest::encode(&index(fits * 2), manifest::IMAGE_INDEX).unwrap_err();
    assert_eq!(over.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn the_token_flow_and_namespace_scopes() {
    let reg = registry().await;
    publish_provider(&reg, "1.0.0", &["linux_amd64"]).await;
    let manifest = "/v2/providers/acme/null/manifests/1.0.0";

    // Without credentials: 401 with the challenge naming the realm, service and scope.
    let ping = call(&reg, Method::GET, "/v2/", None).await;
    assert_eq!(oci_error(&ping, StatusCode::UNAUTHORIZED), "UNAUTHORIZED");
    assert_eq!(
        ping.headers()["www-authenticate"],
        format!("Bearer realm=\"https://{HOST}/v2/token\",service=\"{HOST}\"").as_str()
    );
    let refused = call(&reg, Method::GET, manifest, None).await;
    assert_eq!(oci_error(&refused, StatusCode::UNAUTHORIZED), "UNAUTHORIZED");
    assert_eq!(
        refused.headers()["www-authenticate"],
        format!("Bearer realm=\"https://{HOST}/v2/token\",service=\"{HOST}\",scope=\"repository:providers/acme/null:pull\"")
            .as_str()
    );
    let token =
        call(&reg, Method::GET, "/v2/token?service=x&scope=repository:providers/acme/null:pull", None).await;
    assert_eq!(oci_error(&token, StatusCode::UNAUTHORIZED), "UNAUTHORIZED");

    // A registry token by basic authentication (any user name) gets a bearer token that reads.
    let reader = reg.issue(Role::Downloader).await;
    let basic = format!("Basic {}", base64_encode(&format!("oauth2:{reader}")));
    let token = call(
        &reg,
        Method::GET,
        "/v2/token?service=x&scope=repository:providers/acme/null:pull",
        Some(&basic),
    )
    .await;
    assert_eq!(token.status(), StatusCode::OK, "{:?}", token.body());
    let token = body_json(&token);
    assert_eq!(token["token"], token["access_token"]);
    assert!(token["expires_in"].as_u64().unwrap() > 0);
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    assert_eq!(call(&reg, Method::GET, manifest, Some(&bearer)).await.status(), StatusCode::OK);
    assert_eq!(call(&reg, Method::GET, "/v2/", Some(&bearer)).await.status(), StatusCode::OK);
    // Basic credentials and the registry token as a bearer work on the routes directly.
    assert_eq!(call(&reg, Method::GET, manifest, Some(&basic)).await.status(), StatusCode::OK);
    assert_eq!(
        call(&reg, Method::GET, manifest, Some(&format!("Bearer {reader}"))).await.status(),
        StatusCode::OK
    );
    // A bad token: 401, at the realm too.
    let bad = format!("Basic {}", base64_encode("x:tfreg_not-a-token"));
    assert_eq!(call(&reg, Method::GET, "/v2/token", Some(&bad)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(call(&reg, Method::GET, manifest, Some(&bad)).await.status(), StatusCode::UNAUTHORIZED);

    // A token scoped to another namespace may not read this one's repositories.
    let spec = NewToken {
        tier: Some(Role::Downloader),
        namespaces: Some(vec!["other".into()]),
        description: None,
        expires_in_days: Some(1),
    };
    let scoped = reg.registry.tokens().create(spec, "test").await.unwrap().0;
    let denied = call(&reg, Method::GET, manifest, Some(&format!("Bearer {scoped}"))).await;
    assert_eq!(oci_error(&denied, StatusCode::FORBIDDEN), "DENIED");
    let blob = format!("/v2/providers/acme/null/blobs/sha256:{}", "0".repeat(64));
    assert_eq!(
        oci_error(
            &call(&reg, Method::GET, &blob, Some(&format!("Bearer {scoped}"))).await,
            StatusCode::FORBIDDEN
        ),
        "DENIED"
    );
}

#[tokio::test]
async fn anonymous_reads_need_no_token_when_switched_on() {
    let reg = TestRegistry::builder()
        .signing_key(KEY)
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await;
    publish_provider(&reg, "1.0.0", &["linux_amd64"]).await;
    assert_eq!(call(&reg, Method::GET, "/v2/", None).await.status(), StatusCode::OK);
    let manifest = call(&reg, Method::GET, "/v2/providers/acme/null/manifests/1.0.0", None).await;
    assert_eq!(manifest.status(), StatusCode::OK);
    assert_eq!(manifest.headers()["docker-distribution-api-version"], "registry/2.0");
    // The realm hands out the anonymous token, which reads as no token.
    let token = body_json(&call(&reg, Method::GET, "/v2/token", None).await);
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let again = call(&reg, Method::GET, "/v2/providers/acme/null/manifests/1.0.0", Some(&bearer)).await;
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn routes_have_templates_for_metrics() {
    use tfreg_core::http::route;
    let digest = format!("sha256:{}", "a".repeat(64));
    let cases = [
        ("/v2/", "/v2/"),
        ("/v2", "/v2/"),
        ("/v2/token", "/v2/token"),
        ("/v2/providers/acme/null/tags/list", "/v2/providers/{ns}/{type}/tags/list"),
        (
            "/v2/mirror/registry.terraform.io/hashicorp/null/manifests/1.0.0",
            "/v2/mirror/{host}/{ns}/{type}/manifests/{reference}",
        ),
        (
            &format!("/v2/modules/acme/vpc/aws/blobs/{digest}"),
            "/v2/modules/{ns}/{name}/{system}/blobs/{digest}",
        ),
    ];
    for (path, template) in cases {
        assert_eq!(route(&Method::GET, path).unwrap().template(), template, "{path}");
    }
}

fn base64_encode(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn a_module_zip_lives_and_goes_with_its_archive() {
    let clock = tfreg_testkit::ManualClock::now();
    let memory = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let storage: Arc<dyn tfreg_core::storage::Storage> =
        tfreg_testkit::ClockedStore::new(memory, clock.clone());
    let reg = TestRegistry::builder().storage(storage).clock(clock).signing_key(KEY).build().await;
    publish_module(&reg, "1.0.0").await;
    let manifest = get(&reg, "/v2/modules/acme/vpc/aws/manifests/1.0.0").await;
    assert_eq!(manifest.status(), StatusCode::OK);
    let derived = |keys: Vec<String>| keys.into_iter().filter(|k| k.contains(".oci.")).count();
    assert_eq!(derived(reg.stored_keys("modules/").await), 2);

    // Past the grace period the derived zip and its record are kept, as the archive is.
    reg.clock.advance(std::time::Duration::from_secs(3 * 24 * 3600));
    let report = reg.registry.collect_garbage().await.unwrap();
    assert!(report.removed.is_empty(), "{report:?}");
    assert_eq!(derived(reg.stored_keys("modules/").await), 2);
    assert_eq!(get(&reg, "/v2/modules/acme/vpc/aws/manifests/1.0.0").await.body(), manifest.body());

    // Deleting the version deletes them with it.
    let deleted =
        reg.call(Method::DELETE, "/v1/modules/acme/vpc/aws/1.0.0", Some(&reg.master), Bytes::new()).await;
    assert!(deleted.status().is_success(), "{:?}", deleted.body());
    assert_eq!(derived(reg.stored_keys("modules/").await), 0);
}

#[tokio::test]
async fn packages_fetched_whole_count_as_downloads() {
    use tfreg_core::lifecycle::Subject;
    use tfreg_core::types::{ModuleAddress, ProviderAddress};
    let reg = registry().await;
    let packages = publish_provider(&reg, "1.0.0", &["linux_amd64"]).await;
    publish_module(&reg, "1.0.0").await;
    let token = format!("Bearer {}", reg.master);
    let blob = format!("/v2/providers/acme/null/blobs/sha256:{}", sha256(&packages[0].1));
    assert_eq!(get(&reg, &blob).await.status(), StatusCode::OK);
    // Neither a HEAD nor a range is a download.
    assert_eq!(call(&reg, Method::HEAD, &blob, Some(&token)).await.status(), StatusCode::OK);
    let range = Request::get(&blob).header("authorization", &token).header("range", "bytes=0-0");
    let part = tfreg_testkit::send(&reg.registry, range.body(Bytes::new()).unwrap()).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    let module = opentofu_install_module(&reg, "modules/acme/vpc/aws", Some("1.0.0")).await;
    assert!(!module.is_empty());

    reg.registry.flush_downloads().await.unwrap();
    let provider = Subject::Provider(ProviderAddress::local("acme", "null").unwrap());
    let counts = reg.registry.download_counts(&provider).await.unwrap();
    assert_eq!(counts.of(&Version::parse("1.0.0").unwrap()), 1, "{counts:?}");
    let module = Subject::Module(ModuleAddress::parse("acme", "vpc", "aws").unwrap());
    assert_eq!(reg.registry.download_counts(&module).await.unwrap().total, 1);
}
