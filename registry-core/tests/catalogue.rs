//! Browsing and searching: `GET /v1/modules`, `/v1/modules/{ns}`, `/v1/modules/{ns}/{name}`
//! and `/v1/modules/search?q=`, one entry per module with its latest version, paged as the
//! public registry pages; only what the caller may read; replicas on one store agree within the
//! cache TTL; modules published before the catalogue existed are listed too.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::Value;
use tfreg_core::auth::{NewToken, Role, RoleAuthorizer};
use tfreg_testkit::{error_message, json, tar_gz, TestRegistry};

async fn publish(h: &TestRegistry, addr: &str, version: &str, readme: &str) {
    let archive = tar_gz(&[("main.tf", "# x"), ("README.md", readme)]);
    let answer = h.publish_module(addr, version, archive).await;
    assert_eq!(answer.status(), StatusCode::CREATED, "{addr} {version}: {:?}", answer.body());
}

/// `acme/vpc/aws` (1.0.0, 1.2.0, 2.0.0-rc.1), `acme/vpc-peering/aws`, `acme/network/google`
/// and `other/vpc/azurerm`.
async fn catalogue(h: &TestRegistry) {
    for version in ["1.0.0", "1.2.0", "2.0.0-rc.1"] {
        publish(h, "acme/vpc/aws", version, &format!("# VPC\n\nA VPC, version {version}.\n")).await;
    }
    publish(h, "acme/vpc-peering/aws", "0.1.0", "Peers two VPCs.").await;
    publish(h, "acme/network/google", "3.0.0", "# Network\n\nCreates a vpc network with subnets.").await;
    publish(h, "other/vpc/azurerm", "1.0.0", "").await;
}

fn ids(list: &Value) -> Vec<&str> {
    list["modules"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn every_module_once_with_its_latest_version_a_page_at_a_time() {
    let h = TestRegistry::new().await;
    catalogue(&h).await;
    let list = json(&h.get("/v1/modules").await);
    assert_eq!(
        ids(&list),
        [
            "acme/network/google/3.0.0",
            "acme/vpc/aws/1.2.0",
            "acme/vpc-peering/aws/0.1.0",
            "other/vpc/azurerm/1.0.0"
        ]
    );
    let vpc = &list["modules"][1];
    assert_eq!(vpc["namespace"], "acme");
    assert_eq!(vpc["name"], "vpc");
    assert_eq!(vpc["provider"], "aws");
    assert_eq!(vpc["version"], "1.2.0", "the newest release, not the pre-release");
    assert_eq!(vpc["versions"], 3);
    assert_eq!(vpc["description"], "A VPC, version 1.2.0.");
    assert_eq!(vpc["owner"], "master");
    assert!(vpc["published_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(list["meta"], serde_json::json!({"limit": 15, "current_offset": 0, "total": 4}));
    assert_eq!(json(&h.get("/v1/modules/").await), list, "with the trailing slash discovery gives");

    let first = json(&h.get("/v1/modules?limit=3").await);
    assert_eq!(ids(&first).len(), 3);
    assert_eq!(first["meta"]["next_offset"], 3);
    let next_url = first["meta"]["next_url"].as_str().unwrap();
    assert!(next_url.ends_with("/v1/modules?limit=3&offset=3"), "{next_url}");
    let second = json(&h.get("/v1/modules?limit=3&offset=3").await);
    assert_eq!(ids(&second), ["other/vpc/azurerm/1.0.0"]);
    assert_eq!(second["meta"]["prev_offset"], 0);
    assert!(second["meta"].get("next_offset").is_none());
    let past = json(&h.get("/v1/modules?offset=40").await);
    assert!(ids(&past).is_empty());

    let recent = json(&h.get("/v1/modules?sort=recent&limit=2").await);
    assert_eq!(recent["meta"]["total"], 4);
    assert_eq!(ids(&recent).len(), 2);
    let names = json(&h.get("/v1/modules?sort=name").await);
    assert_eq!(ids(&names), ids(&list));
    let namespaces = json(&h.get("/v1/namespaces").await);
    assert_eq!(
        namespaces,
        serde_json::json!({"namespaces": [{"name": "acme", "modules": 3, "providers": 0}, {"name": "other", "modules": 1, "providers": 0}]})
    );
    let aws = json(&h.get("/v1/modules?provider=AWS").await);
    assert_eq!(ids(&aws), ["acme/vpc/aws/1.2.0", "acme/vpc-peering/aws/0.1.0"]);
    for bad in ["limit=0", "limit=101", "limit=x", "offset=-1", "verified=true", "sort=size"] {
        let answer = h.get(&format!("/v1/modules?{bad}")).await;
        assert!(!error_message(&answer, StatusCode::BAD_REQUEST).is_empty(), "{bad}");
    }
}

#[tokio::test]
async fn a_namespace_and_a_name_across_systems() {
    let h = TestRegistry::new().await;
    catalogue(&h).await;
    let acme = json(&h.get("/v1/modules/ACME").await);
    assert_eq!(ids(&acme), ["acme/network/google/3.0.0", "acme/vpc/aws/1.2.0", "acme/vpc-peering/aws/0.1.0"]);
    assert!(ids(&json(&h.get("/v1/modules/nobody").await)).is_empty());
    let vpc = json(&h.get("/v1/modules/other/vpc").await);
    assert_eq!(ids(&vpc), ["other/vpc/azurerm/1.0.0"]);
    let missing = h.get("/v1/modules/other/nothing").await;
    assert!(error_message(&missing, StatusCode::NOT_FOUND).contains("other/nothing"));
    let invalid = h.get("/v1/modules/bad%20ns").await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_ranks_exact_names_then_prefixes_then_descriptions() {
    let h = TestRegistry::new().await;
    catalogue(&h).await;
    let found = json(&h.get("/v1/modules/search?q=vpc").await);
    assert_eq!(
        ids(&found),
        [
            "acme/vpc/aws/1.2.0",
            "other/vpc/azurerm/1.0.0",
            "acme/vpc-peering/aws/0.1.0",
            "acme/network/google/3.0.0"
        ]
    );
    let both = json(&h.get("/v1/modules/search?q=vpc%20other").await);
    assert_eq!(ids(&both), ["other/vpc/azurerm/1.0.0"], "every term must match");
    let paged = json(&h.get("/v1/modules/search?q=vpc&limit=1&offset=1&provider=azurerm").await);
    assert!(ids(&paged).is_empty());
    let google = json(&h.get("/v1/modules/search?q=subnets&provider=google").await);
    assert_eq!(ids(&google), ["acme/network/google/3.0.0"]);
    assert!(ids(&json(&h.get("/v1/modules/search?q=zzz").await)).is_empty());
    let empty = h.get("/v1/modules/search?q=%20").await;
    assert!(error_message(&empty, StatusCode::BAD_REQUEST).contains("query"));
}

#[tokio::test]
async fn callers_see_only_the_namespaces_they_may_read() {
    let h = TestRegistry::new().await;
    catalogue(&h).await;
    let anonymous = h.call(Method::GET, "/v1/modules", None, vec![]).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let search = h.call(Method::GET, "/v1/modules/search?q=vpc", None, vec![]).await;
    assert_eq!(search.status(), StatusCode::UNAUTHORIZED);

    let spec = NewToken {
        tier: Some(Role::Downloader),
        namespaces: Some(vec!["other".into()]),
        description: None,
        expires_in_days: None,
    };
    let (scoped, _) = h.registry.tokens().create(spec, "test").await.unwrap();
    let token = Some(scoped.as_str());
    let list = json(&h.call(Method::GET, "/v1/modules", token, vec![]).await);
    assert_eq!(ids(&list), ["other/vpc/azurerm/1.0.0"]);
    let found = json(&h.call(Method::GET, "/v1/modules/search?q=vpc", token, vec![]).await);
    assert_eq!(ids(&found), ["other/vpc/azurerm/1.0.0"]);
    let acme = h.call(Method::GET, "/v1/modules/acme", token, vec![]).await;
    assert_eq!(acme.status(), StatusCode::FORBIDDEN);

    let open = TestRegistry::builder()
        .storage(h.storage.clone())
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await;
    let list = json(&open.call(Method::GET, "/v1/modules", None, vec![]).await);
    assert_eq!(ids(&list).len(), 4, "with anonymous read the catalogue is open");
}

#[tokio::test]
async fn replicas_on_one_store_agree_within_the_cache_ttl() {
    let a = TestRegistry::new().await;
    let b = TestRegistry::builder().storage(a.storage.clone()).clock(a.clock.clone()).build().await;
    publish(&a, "acme/vpc/aws", "1.0.0", "").await;
    assert_eq!(ids(&json(&b.get("/v1/modules").await)), ["acme/vpc/aws/1.0.0"]);
    publish(&a, "acme/vpc/aws", "1.1.0", "").await;
    publish(&a, "acme/dns/aws", "1.0.0", "").await;
    assert_eq!(
        ids(&json(&a.get("/v1/modules").await)),
        ["acme/dns/aws/1.0.0", "acme/vpc/aws/1.1.0"],
        "at once"
    );
    assert_eq!(
        ids(&json(&b.get("/v1/modules").await)),
        ["acme/vpc/aws/1.0.0"],
        "b's snapshot is still fresh"
    );
    b.clock.advance(Duration::from_secs(3600));
    assert_eq!(ids(&json(&b.get("/v1/modules").await)), ["acme/dns/aws/1.0.0", "acme/vpc/aws/1.1.0"]);
}

#[tokio::test]
async fn modules_published_before_the_catalogue_are_listed() {
    let h = TestRegistry::new().await;
    catalogue(&h).await;
    // As a store written by a registry that kept no catalogue.
    for key in h.stored_keys("catalogue/").await {
        h.storage.delete(&key).await.unwrap();
    }
    let later = TestRegistry::builder().storage(h.storage.clone()).build().await;
    publish(&later, "zeta/one/aws", "1.0.0", "").await;
    let list = json(&later.get("/v1/modules").await);
    assert_eq!(ids(&list).len(), 5, "{list:#}");
    assert_eq!(list["modules"][1]["description"], "A VPC, version 1.2.0.", "from the stored documentation");
}

#[tokio::test]
async fn a_publish_may_say_what_the_module_is_for_and_where_its_code_lives() {
    let h = TestRegistry::new().await;
    publish(&h, "acme/vpc/aws", "1.0.0", "From the README.").await;
    let uri = "/v1/modules/acme/vpc/aws/1.1.0?description=Creates%20a%20VPC&source=https://git.example.com/acme/vpc";
    let answer = h.call(Method::PUT, uri, Some(&h.master), tar_gz(&[("main.tf", "# x")])).await;
    assert_eq!(answer.status(), StatusCode::CREATED, "{:?}", answer.body());
    let published = json(&answer);
    assert_eq!(published["description"], "Creates a VPC");
    assert_eq!(published["source"], "https://git.example.com/acme/vpc");
    let entry = &json(&h.get("/v1/modules").await)["modules"][0];
    assert_eq!(entry["description"], "Creates a VPC", "the publisher's word before the README's");
    assert_eq!(entry["source"], "https://git.example.com/acme/vpc");
    let detail = json(&h.get("/v1/modules/acme/vpc/aws/1.1.0").await);
    assert_eq!(detail["source"], "https://git.example.com/acme/vpc");
    assert!(json(&h.get("/v1/modules/acme/vpc/aws/1.0.0").await).get("source").is_none());

    for bad in ["source=javascript:alert(1)", "source=file:///etc/passwd", "description=a%00b", "tag=v2"] {
        let uri = format!("/v1/modules/acme/vpc/aws/2.0.0?{bad}");
        let answer = h.call(Method::PUT, &uri, Some(&h.master), tar_gz(&[("main.tf", "# x")])).await;
        assert!(!error_message(&answer, StatusCode::BAD_REQUEST).is_empty(), "{bad}");
    }
    assert!(
        h.stored_keys("modules/acme/vpc/aws/2.0.0/").await.is_empty(),
        "a refused publish stores nothing"
    );
}

const KEY: &str = include_str!("../src/pgp/testdata/signing-key.asc");

async fn publish_provider(
    h: &TestRegistry,
    addr: &str,
    version: &str,
    query: &str,
) -> http::Response<bytes::Bytes> {
    let name = addr.rsplit('/').next().unwrap();
    let package = tfreg_testkit::zip(&[(&format!("terraform-provider-{name}_v{version}"), b"binary")]);
    let uri = format!("/v1/providers/{addr}/{version}/linux/amd64?protocols=5.0{query}");
    h.call(Method::PUT, &uri, Some(&h.master), package).await
}

fn provider_ids(list: &Value) -> Vec<&str> {
    list["providers"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn providers_are_listed_searched_and_detailed_with_their_latest_version() {
    let h = TestRegistry::builder().signing_key(KEY).build().await;
    let described = "&description=Does%20nothing%2C%20well&source=https://git.example.com/acme/null";
    for (addr, version, query) in [
        ("acme/null", "1.0.0", described),
        ("acme/null", "2.0.0-rc1", ""),
        ("acme/random", "0.1.0", ""),
        ("other/null", "1.0.0", ""),
    ] {
        let answer = publish_provider(&h, addr, version, query).await;
        assert_eq!(answer.status(), StatusCode::CREATED, "{addr} {version}: {:?}", answer.body());
    }
    let refused = publish_provider(&h, "acme/nothing", "1.0.0", "&description=a%07b").await;
    assert!(!error_message(&refused, StatusCode::BAD_REQUEST).is_empty());
    assert!(h.stored_keys("providers/_local/acme/nothing/").await.is_empty());

    let list = json(&h.get("/v1/providers").await);
    assert_eq!(provider_ids(&list), ["acme/null/1.0.0", "acme/random/0.1.0", "other/null/1.0.0"]);
    let null = &list["providers"][0];
    assert_eq!(null["version"], "1.0.0", "the newest release, not the pre-release");
    assert_eq!(null["versions"], 2);
    assert_eq!(null["description"], "Does nothing, well");
    assert_eq!(null["source"], "https://git.example.com/acme/null");
    assert_eq!(null["protocols"], serde_json::json!(["5.0"]));
    assert_eq!(null["platforms"], serde_json::json!(["linux_amd64"]));
    assert_eq!(null["pinned"], false);
    assert_eq!(json(&h.get("/v1/providers/").await), list);
    assert_eq!(
        provider_ids(&json(&h.get("/v1/providers/acme").await)),
        ["acme/null/1.0.0", "acme/random/0.1.0"]
    );
    let paged = json(&h.get("/v1/providers?limit=2").await);
    assert_eq!(paged["meta"]["next_offset"], 2);
    assert_eq!(provider_ids(&json(&h.get("/v1/providers/search?q=rand").await)), ["acme/random/0.1.0"]);
    assert_eq!(
        provider_ids(&json(&h.get("/v1/providers/search?q=null").await)),
        ["acme/null/1.0.0", "other/null/1.0.0"]
    );
    assert_eq!(
        provider_ids(&json(&h.get("/v1/providers/search?q=nothing%20well").await)),
        ["acme/null/1.0.0"]
    );
    for bad in ["/v1/providers?provider=aws", "/v1/providers/search", "/v1/providers?limit=0"] {
        assert!(!error_message(&h.get(bad).await, StatusCode::BAD_REQUEST).is_empty(), "{bad}");
    }

    let team = h
        .registry
        .tokens()
        .create(
            NewToken {
                tier: Some(Role::Downloader),
                namespaces: Some(vec!["other".into()]),
                description: None,
                expires_in_days: Some(1),
            },
            "test",
        )
        .await
        .unwrap()
        .0;
    let seen = h.call(Method::GET, "/v1/providers", Some(&team), bytes::Bytes::new()).await;
    assert_eq!(provider_ids(&json(&seen)), ["other/null/1.0.0"], "only what the token may read");
    let hidden = h.call(Method::GET, "/v1/providers/acme/null", Some(&team), bytes::Bytes::new()).await;
    assert_eq!(hidden.status(), StatusCode::FORBIDDEN);

    let detail = json(&h.get("/v1/providers/acme/null").await);
    assert_eq!(detail["id"], "acme/null");
    assert_eq!(detail["latest_version"], "1.0.0");
    assert_eq!(detail["description"], "Does nothing, well");
    let versions: Vec<&str> =
        detail["versions"].as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["2.0.0-rc1", "1.0.0"]);
    let version = json(&h.get("/v1/providers/acme/null/1.0.0").await);
    assert_eq!(version["protocols"], serde_json::json!(["5.0"]));
    assert_eq!(version["platforms"][0]["filename"], "terraform-provider-null_1.0.0_linux_amd64.zip");
    assert_eq!(version["key_id"].as_str().unwrap().len(), 16, "{version}");
    assert_eq!(version["versions"], serde_json::json!(["2.0.0-rc1", "1.0.0"]));
    assert_eq!(h.get("/v1/providers/acme/none").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(h.get("/v1/providers/acme/null/9.0.0").await.status(), StatusCode::NOT_FOUND);

    for path in ["/v1/providers", "/v1/providers/search?q=null", "/v1/providers/acme/null"] {
        let anonymous = h.call(Method::GET, path, None, bytes::Bytes::new()).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let open = TestRegistry::builder()
        .storage(h.storage.clone())
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await;
    let anonymous = json(&open.call(Method::GET, "/v1/providers", None, bytes::Bytes::new()).await);
    assert_eq!(provider_ids(&anonymous).len(), 3, "with anonymous read the catalogue is open");
    assert!(
        provider_ids(&json(&h.get("/v1/providers/nobody").await)).is_empty(),
        "an unknown namespace lists nothing"
    );
    let past = json(&h.get("/v1/providers?offset=2&limit=2").await);
    assert_eq!(provider_ids(&past), ["other/null/1.0.0"]);
    assert_eq!(past["meta"]["prev_offset"], 0);
    assert!(past["meta"].get("next_offset").is_none());

    // Yanked, a version leaves the list entry; all of a provider's versions yanked, it leaves the list.
    let yank = h
        .call(Method::PUT, "/v1/providers/acme/random/0.1.0/yank", Some(&h.master), bytes::Bytes::new())
        .await;
    assert_eq!(yank.status(), StatusCode::OK);
    assert_eq!(provider_ids(&json(&h.get("/v1/providers/acme").await)), ["acme/null/1.0.0"]);
}

#[tokio::test]
async fn providers_copied_from_another_registry_are_marked() {
    let h = TestRegistry::new().await;
    let addr =
        tfreg_core::types::ProviderAddress::on_host("registry.terraform.io", "hashicorp", "null").unwrap();
    let version = tfreg_core::types::Version::parse("3.2.1").unwrap();
    let platform = tfreg_core::types::Platform::parse("linux_amd64").unwrap();
    let package = tfreg_testkit::zip(&[("terraform-provider-null_v3.2.1", b"binary")]);
    h.registry
        .import_provider_package(None, &addr, &version, &platform, tfreg_testkit::temp_file(&package), &[])
        .await
        .unwrap();
    let list = json(&h.get("/v1/providers").await);
    assert_eq!(provider_ids(&list), ["registry.terraform.io/hashicorp/null/3.2.1"]);
    assert_eq!(list["providers"][0]["pinned"], true);
    assert_eq!(list["providers"][0]["upstream"], "registry.terraform.io");
}

#[tokio::test]
async fn reindex_reads_documentation_again_and_rebuilds_the_catalogues() {
    let h = TestRegistry::builder().signing_key(KEY).build().await;
    catalogue(&h).await;
    assert_eq!(publish_provider(&h, "acme/null", "1.0.0", "").await.status(), StatusCode::CREATED);
    // Documentation objects lost, and a module removed behind the registry's back.
    for key in h.stored_keys("modules/").await.into_iter().filter(|k| k.ends_with(".docs.json")) {
        h.storage.delete(&key).await.unwrap();
    }
    for key in h.stored_keys("modules/other/").await {
        h.storage.delete(&key).await.unwrap();
    }
    let report = h.registry.reindex().await.unwrap();
    assert_eq!(report.docs_read, 5, "{report:?}");
    assert!(report.docs_failed.is_empty(), "{report:?}");
    assert_eq!((report.modules, report.providers, report.removed), (3, 1, 1), "{report:?}");
    assert_eq!(h.stored_keys("modules/").await.iter().filter(|k| k.ends_with(".docs.json")).count(), 5);
    let fresh = TestRegistry::builder().storage(h.storage.clone()).build().await;
    assert_eq!(
        ids(&json(&fresh.get("/v1/modules").await)),
        ["acme/network/google/3.0.0", "acme/vpc/aws/1.2.0", "acme/vpc-peering/aws/0.1.0"]
    );
    assert_eq!(provider_ids(&json(&fresh.get("/v1/providers").await)), ["acme/null/1.0.0"]);
}
