//! Version lifecycle: deprecate and undeprecate, yank and unyank, delete; for modules and
//! providers, through the API (scoped to the namespace's publishers; delete for the master)
//! and through [`Registry::change_version`] (what the `tfreg` subcommands call), all audited.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{json as j, Value};
use tfreg_core::auth::{NewToken, Role};
use tfreg_core::lifecycle::{Change, Subject};
use tfreg_core::storage::Storage;
use tfreg_core::types::{ModuleAddress, ProviderAddress, Version};
use tfreg_testkit::{error_message, json, tar_gz, zip, FaultyStorage, TestRegistry};

const KEY: &str = include_str!("../src/pgp/testdata/signing-key.asc");
const MODULE: &str = "/v1/modules/acme/net/aws";

async fn modules(h: &TestRegistry) {
    for version in ["1.0.0", "1.1.0", "1.2.0"] {
        let archive = tar_gz(&[("main.tf", "variable \"x\" {}"), ("README.md", &format!("Net {version}."))]);
        assert_eq!(h.publish_module("acme/net/aws", version, archive).await.status(), StatusCode::CREATED);
    }
}

async fn uploader(h: &TestRegistry, namespace: &str) -> String {
    let spec = NewToken {
        tier: Some(Role::Uploader),
        namespaces: Some(vec![namespace.to_owned()]),
        description: None,
        expires_in_days: Some(1),
    };
    h.registry.tokens().create(spec, "test").await.unwrap().0
}

async fn send(h: &TestRegistry, method: Method, uri: &str, token: &str, body: &str) -> Response<Bytes> {
    h.call(method, uri, Some(token), body.to_owned()).await
}

fn versions(answer: &Response<Bytes>) -> Vec<String> {
    let doc = json(answer);
    let list = doc["modules"][0]["versions"].as_array().or(doc["versions"].as_array()).unwrap().clone();
    list.iter().map(|v| v["version"].as_str().unwrap().to_owned()).collect()
}

async fn audit_actions(h: &TestRegistry) -> Vec<(String, String, String)> {
    let page = json(&h.get("/v1/audit?limit=100").await);
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap().to_owned();
            (field("action"), field("target"), field("outcome"))
        })
        .collect()
}

#[tokio::test]
async fn a_deprecated_module_version_says_so_and_a_yanked_one_leaves_resolution_but_still_downloads() {
    let h = TestRegistry::new().await;
    modules(&h).await;
    let team = uploader(&h, "acme").await;
    let outsider = uploader(&h, "other").await;

    let body = r#"{"message": "1.1 leaks routes; use 1.2", "link": "https://wiki.example.com/net-1.1"}"#;
    let deprecated = send(&h, Method::PUT, &format!("{MODULE}/1.1.0/deprecation"), &team, body).await;
    assert_eq!(deprecated.status(), StatusCode::OK, "{:?}", deprecated.body());
    let view = json(&deprecated);
    assert_eq!(view["deprecation"]["message"], "1.1 leaks routes; use 1.2");
    assert_eq!(view["deprecation"]["link"], "https://wiki.example.com/net-1.1");
    let by = view["deprecation"]["by"].as_str().unwrap();
    assert!(!by.is_empty() && by != "master", "the team's token, by id: {view}");
    let detail = json(&h.get(&format!("{MODULE}/1.1.0")).await);
    assert_eq!(detail["deprecation"], view["deprecation"]);
    assert!(json(&h.get(&format!("{MODULE}/1.0.0")).await).get("deprecation").is_none());

    let refused = send(&h, Method::PUT, &format!("{MODULE}/1.2.0/yank"), &outsider, "").await;
    assert!(!error_message(&refused, StatusCode::FORBIDDEN).is_empty());
    let yanked =
        send(&h, Method::PUT, &format!("{MODULE}/1.2.0/yank"), &team, r#"{"reason": "broken"}"#).await;
    assert_eq!(json(&yanked)["yanked"]["reason"], "broken");
    assert_eq!(versions(&h.get(&format!("{MODULE}/versions")).await), ["1.1.0", "1.0.0"]);
    // Named directly, it still downloads: a lock file or a pinned version keeps working.
    let download = h.get(&format!("{MODULE}/1.2.0/download")).await;
    assert_eq!(download.status(), StatusCode::NO_CONTENT);
    let link = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    let path = link.split_once("/v1/").map(|(_, p)| format!("/v1/{p}")).unwrap();
    assert_eq!(h.call(Method::GET, &path, None, Bytes::new()).await.status(), StatusCode::OK);
    let latest = h.get(&format!("{MODULE}/download")).await;
    assert!(latest.headers()["location"].to_str().unwrap().ends_with("/acme/net/aws/1.1.0/download"));
    let listed = json(&h.get("/v1/modules/acme").await);
    assert_eq!(listed["modules"][0]["version"], "1.1.0");
    assert_eq!(listed["modules"][0]["versions"], 2);
    assert_eq!(json(&h.get(MODULE).await)["latest_version"], "1.1.0");
    assert_eq!(json(&h.get(&format!("{MODULE}/1.0.0")).await)["versions"], j!(["1.1.0", "1.0.0"]));

    // Yanking again keeps the first yank; unyank puts it back.
    let again = send(&h, Method::PUT, &format!("{MODULE}/1.2.0/yank"), &team, "").await;
    assert_eq!(json(&again)["yanked"]["reason"], "broken");
    let back = send(&h, Method::DELETE, &format!("{MODULE}/1.2.0/yank"), &team, "").await;
    assert!(json(&back).get("yanked").is_none());
    assert_eq!(versions(&h.get(&format!("{MODULE}/versions")).await), ["1.2.0", "1.1.0", "1.0.0"]);
    assert_eq!(json(&h.get("/v1/modules/acme").await)["modules"][0]["version"], "1.2.0");
    let undone = send(&h, Method::DELETE, &format!("{MODULE}/1.1.0/deprecation"), &team, "").await;
    assert!(json(&undone).get("deprecation").is_none());

    for (uri, body, status) in [
        (format!("{MODULE}/1.1.0/deprecation"), "", StatusCode::BAD_REQUEST),
        (format!("{MODULE}/1.1.0/deprecation"), r#"{"message": ""}"#, StatusCode::BAD_REQUEST),
        (
            format!("{MODULE}/1.1.0/deprecation"),
            r#"{"message": "x", "link": "ftp://x"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (format!("{MODULE}/1.1.0/yank"), "{", StatusCode::BAD_REQUEST),
        (format!("{MODULE}/7.0.0/yank"), "", StatusCode::NOT_FOUND),
        ("/v1/modules/acme/none/aws/1.0.0/yank".to_owned(), "", StatusCode::NOT_FOUND),
    ] {
        let answer = send(&h, Method::PUT, &uri, &team, body).await;
        assert!(!error_message(&answer, status).is_empty(), "{uri} {body}");
    }
    let unchanged = json(&h.get(&format!("{MODULE}/1.1.0")).await);
    assert!(unchanged.get("deprecation").is_none() && unchanged.get("yanked").is_none());

    let trail = audit_actions(&h).await;
    for action in ["module.deprecate", "module.yank", "module.unyank", "module.undeprecate"] {
        assert!(trail.iter().any(|(a, _, o)| a == action && o == "success"), "{action}: {trail:?}");
    }
    let forbidden = ("module.yank".to_owned(), "acme/net/aws/1.2.0".to_owned(), "denied".to_owned());
    assert!(trail.contains(&forbidden), "{trail:?}");
}

#[tokio::test]
async fn deleting_a_module_version_removes_it_and_its_objects_for_the_master_only() {
    let store: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let faulty = FaultyStorage::new(store);
    let h = TestRegistry::builder().storage(faulty.clone()).build().await;
    modules(&h).await;
    let team = uploader(&h, "acme").await;
    let refused = send(&h, Method::DELETE, &format!("{MODULE}/1.0.0"), &team, "").await;
    assert!(!error_message(&refused, StatusCode::FORBIDDEN).is_empty());

    let deleted = h.call(Method::DELETE, &format!("{MODULE}/1.0.0"), Some(&h.master), Bytes::new()).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "{:?}", deleted.body());
    assert!(h.stored_keys("modules/acme/net/aws/1.0.0/").await.is_empty(), "archive and docs are gone");
    assert_eq!(versions(&h.get(&format!("{MODULE}/versions")).await), ["1.2.0", "1.1.0"]);
    assert_eq!(h.get(&format!("{MODULE}/1.0.0/download")).await.status(), StatusCode::NOT_FOUND);
    let again = h.call(Method::DELETE, &format!("{MODULE}/1.0.0"), Some(&h.master), Bytes::new()).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    // A delete the store interrupts hides the version at once, refuses a publish of it until
    // it is finished, and finishes when run again.
    faulty.fail_writes_under("modules/acme/net/aws/1.1.0/");
    let interrupted = h.call(Method::DELETE, &format!("{MODULE}/1.1.0"), Some(&h.master), Bytes::new()).await;
    assert!(interrupted.status().is_server_error(), "{:?}", interrupted.status());
    assert_eq!(versions(&h.get(&format!("{MODULE}/versions")).await), ["1.2.0"]);
    assert_eq!(h.get(&format!("{MODULE}/1.1.0/download")).await.status(), StatusCode::NOT_FOUND);
    faulty.heal();
    let republish = h.publish_module("acme/net/aws", "1.1.0", tar_gz(&[("main.tf", "")])).await;
    assert!(error_message(&republish, StatusCode::CONFLICT).contains("being deleted"));
    let finished = h.call(Method::DELETE, &format!("{MODULE}/1.1.0"), Some(&h.master), Bytes::new()).await;
    assert_eq!(finished.status(), StatusCode::NO_CONTENT);
    assert!(h.stored_keys("modules/acme/net/aws/1.1.0/").await.is_empty());
    let republish = h.publish_module("acme/net/aws", "1.1.0", tar_gz(&[("main.tf", "# new")])).await;
    assert_eq!(republish.status(), StatusCode::CREATED, "a deleted version may be published afresh");

    // The last versions gone, the module is gone, from the protocol and from the catalogue.
    for version in ["1.1.0", "1.2.0"] {
        let uri = format!("{MODULE}/{version}");
        assert_eq!(
            h.call(Method::DELETE, &uri, Some(&h.master), Bytes::new()).await.status(),
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(h.get(&format!("{MODULE}/versions")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(h.get(MODULE).await.status(), StatusCode::NOT_FOUND);
    assert!(json(&h.get("/v1/modules").await)["modules"].as_array().unwrap().is_empty());
    let trail = audit_actions(&h).await;
    let deletes: Vec<_> = trail.iter().filter(|(a, _, _)| a == "module.delete").collect();
    assert_eq!(deletes.len(), 7, "every attempt, refused or not: {deletes:?}");
}

fn package(version: &str) -> Vec<u8> {
    zip(&[(&format!("terraform-provider-null_v{version}"), format!("binary {version}").as_bytes())])
}

#[tokio::test]
async fn provider_versions_deprecate_with_a_warning_yank_from_the_list_and_delete() {
    let h = TestRegistry::builder().signing_key(KEY).build().await;
    for version in ["1.0.0", "2.0.0"] {
        let uri = format!("/v1/providers/acme/null/{version}/linux/amd64?protocols=5.0");
        let answer = h.call(Method::PUT, &uri, Some(&h.master), package(version)).await;
        assert_eq!(answer.status(), StatusCode::CREATED, "{:?}", answer.body());
    }
    let team = uploader(&h, "acme").await;
    let body = r#"{"message": "use 2.x", "link": "https://example.com/null"}"#;
    let answer = send(&h, Method::PUT, "/v1/providers/acme/null/1.0.0/deprecation", &team, body).await;
    let view = json(&answer);
    assert_eq!(view["deprecation"]["message"], "use 2.x");
    assert_eq!(view["platforms"][0]["os"], "linux");
    let listed = json(&h.get("/v1/providers/acme/null/versions").await);
    assert_eq!(
        listed["warnings"],
        j!(["Version 1.0.0 of acme/null is deprecated: use 2.x More: https://example.com/null"])
    );

    send(&h, Method::PUT, "/v1/providers/acme/null/2.0.0/yank", &team, "").await;
    assert_eq!(versions(&h.get("/v1/providers/acme/null/versions").await), ["1.0.0"]);
    let download = h.get("/v1/providers/acme/null/2.0.0/download/linux/amd64").await;
    assert_eq!(download.status(), StatusCode::OK, "a yanked version still downloads by name");
    let mirror: Value = json(&h.get("/v1/mirror/127.0.0.1/acme/null/index.json").await);
    assert!(mirror["versions"].get("2.0.0").is_none(), "{mirror}");
    send(&h, Method::DELETE, "/v1/providers/acme/null/2.0.0/yank", &team, "").await;

    let refused = send(&h, Method::DELETE, "/v1/providers/acme/null/1.0.0", &team, "").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let deleted =
        h.call(Method::DELETE, "/v1/providers/acme/null/1.0.0", Some(&h.master), Bytes::new()).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "{:?}", deleted.body());
    assert!(h.stored_keys("providers/_local/acme/null/1.0.0/").await.is_empty());
    let listed = json(&h.get("/v1/providers/acme/null/versions").await);
    assert_eq!(versions(&h.get("/v1/providers/acme/null/versions").await), ["2.0.0"]);
    assert!(listed.get("warnings").is_none());
    let gone = h.get("/v1/providers/acme/null/1.0.0/download/linux/amd64").await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changes_made_outside_the_api_are_audited_in_the_name_given() {
    let h = TestRegistry::new().await;
    modules(&h).await;
    let subject = Subject::Module(ModuleAddress::parse("acme", "net", "aws").unwrap());
    let version = Version::parse("1.2.0").unwrap();
    let change = Change::Yank { reason: Some("from the command line".into()) };
    let answer = h.registry.change_version("cli:ops", &subject, &version, &change).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(versions(&h.get(&format!("{MODULE}/versions")).await), ["1.1.0", "1.0.0"]);
    let missing = Subject::Provider(ProviderAddress::local("acme", "none").unwrap());
    let err = h.registry.change_version("cli:ops", &missing, &version, &Change::Delete).await.unwrap_err();
    assert_eq!(err.status(), StatusCode::NOT_FOUND);
    let page = json(&h.get("/v1/audit?limit=2").await);
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "provider.delete");
    assert_eq!(entries[0]["outcome"], "rejected");
    assert_eq!(entries[1]["action"], "module.yank");
    assert_eq!(entries[1]["actor"], "cli:ops");
    assert_eq!(entries[1]["target"], "acme/net/aws/1.2.0");
}
