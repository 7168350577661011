//! The GitHub App, from install to uninstall, with GitHub's documented payloads.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use tfreg_core::auth::Role;
use tfreg_core::protocol::ModuleRule;
use tfreg_core::protocol::MonorepoRule;
use tfreg_core::scm::{GitHubApp, RepositoryRules, ScmConfig};
use tfreg_testkit::{json, ClockedStore, TestRegistry};

use super::host::{module, Host};
use super::{to_app, SECRET};

/// A registry with the App set up over `host`; `infra-modules` is a monorepo of two modules.
pub(crate) async fn registry(host: Arc<Host>) -> TestRegistry {
    let rules = RepositoryRules {
        prefix: "terraform-".to_owned(),
        monorepos: vec![MonorepoRule {
            repository: "infra-modules".to_owned(),
            modules: vec![
                ModuleRule {
                    name: "core".to_owned(),
                    system: "aws".to_owned(),
                    path: Some("modules/core".to_owned()),
                    tag_pattern: Some("core-v{version}".to_owned()),
                },
                ModuleRule {
                    name: "zone".to_owned(),
                    system: "google".to_owned(),
                    path: Some("modules/zone".to_owned()),
                    tag_pattern: Some("zone-v{version}".to_owned()),
                },
            ],
        }],
    };
    let app = GitHubApp { webhook_secret: SECRET.to_owned(), rules, api_url: None };
    let config = ScmConfig { github_app: Some(app), removal_grace: Duration::from_secs(72 * 3600) };
    let clock = tfreg_core::clock::ManualClock::now();
    let store = ClockedStore::new(Arc::new(tfreg_storage::from_url("memory://").unwrap()), clock.clone());
    TestRegistry::builder().storage(store).clock(clock).scm(host, config).build().await
}

/// The repositories of the fixtures, with their tags.
pub(crate) fn acme() -> Arc<Host> {
    let host = Host::new();
    for tag in ["v1.0.0", "v1.1.0", "nightly", "1.1.1"] {
        host.tag("acme/terraform-aws-network", tag, module(tag));
    }
    host.tag("acme/terraform-google-dns", "v0.3.0", module("v0.3.0"));
    host.tag("acme/website", "v9.0.0", module("v9.0.0"));
    let mono = |tag: &str| {
        vec![
            ("modules/core/main.tf".to_owned(), format!("output \"core\" {{ value = \"{tag}\" }}\n")),
            ("modules/zone/main.tf".to_owned(), format!("output \"zone\" {{ value = \"{tag}\" }}\n")),
            ("README.md".to_owned(), "# Infra\n".to_owned()),
        ]
    };
    host.tag("acme/infra-modules", "core-v2.0.0", mono("core-v2.0.0"));
    host.tag("acme/infra-modules", "zone-v0.1.0", mono("zone-v0.1.0"));
    for repo in
        ["acme/terraform-aws-network", "acme/terraform-google-dns", "acme/website", "acme/infra-modules"]
    {
        host.install(repo);
    }
    host
}

/// The versions of `addr`, newest first; none when the module is gone.
pub(crate) async fn versions(h: &TestRegistry, addr: &str) -> Vec<String> {
    let answer = h.get(&format!("/v1/modules/{addr}/versions")).await;
    if answer.status() == StatusCode::NOT_FOUND {
        return Vec::new();
    }
    assert_eq!(answer.status(), StatusCode::OK, "{addr}: {:?}", answer.body());
    let mut found: Vec<String> = json(&answer)["modules"][0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found
}

/// The files of the archive Terraform downloads for `addr` `version`, with their contents.
pub(crate) async fn files(h: &TestRegistry, addr: &str, version: &str) -> Vec<(String, String)> {
    let answer = h.get(&format!("/v1/modules/{addr}/{version}/download")).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let link = answer.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    let archive = h.get(&link).await;
    assert_eq!(archive.status(), StatusCode::OK, "{link}");
    let mut out = Vec::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&archive.body()[..]));
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        out.push((entry.path().unwrap().display().to_string(), text));
    }
    out
}

#[tokio::test]
async fn an_installation_publishes_every_version_tag_of_its_module_repositories() {
    let host = acme();
    let h = registry(host.clone()).await;
    let answer = to_app(&h, "installation", "installation.created", "d-install").await;
    assert_eq!(answer.status(), StatusCode::OK, "{:?}", answer.body());
    let record = json(&answer);
    assert_eq!(record["status"], "done");
    assert_eq!(record["event"], "installation.created");

    // Versions are the tags Terraform accepts, with or without `v`; `nightly` is not one.
    assert_eq!(versions(&h, "acme/network/aws").await, ["1.0.0", "1.1.0", "1.1.1"]);
    assert_eq!(versions(&h, "acme/dns/google").await, ["0.3.0"]);
    // The monorepo's modules, each from its own folder and tags.
    assert_eq!(versions(&h, "acme/core/aws").await, ["2.0.0"]);
    assert_eq!(versions(&h, "acme/zone/google").await, ["0.1.0"]);
    // `website` is not named terraform-<system>-<name>: nothing from it.
    assert!(h.get("/v1/modules/acme").await.body().windows(7).all(|w| w != b"website"));

    // The top folder of the tarball is gone: the module is at the archive's root.
    let network = files(&h, "acme/network/aws", "1.1.0").await;
    assert!(network.iter().any(|(p, c)| p == "main.tf" && c.contains("v1.1.0")), "{network:?}");
    let core = files(&h, "acme/core/aws", "2.0.0").await;
    assert_eq!(core.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(), ["main.tf"], "only modules/core");
    assert!(core[0].1.contains("core"));
    // Fetched with the installation's token.
    assert!(host.fetched.lock().unwrap().iter().all(|(_, _, access)| access == "installation 4242"));

    // Each publish is in the audit trail, as the App.
    let audit = json(&h.get("/v1/audit?limit=100").await);
    let publishes = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "module.publish" && e["actor"] == "github-app:4242")
        .count();
    assert_eq!(publishes, 6);
}

#[tokio::test]
async fn a_pushed_tag_publishes_once_however_often_it_is_delivered() {
    let host = acme();
    let h = registry(host.clone()).await;
    to_app(&h, "installation", "installation.created", "d-1").await;
    host.tag("acme/terraform-aws-network", "v1.2.0", module("v1.2.0"));

    let pushed = to_app(&h, "push", "push.tag", "d-push").await;
    assert_eq!(pushed.status(), StatusCode::OK, "{:?}", pushed.body());
    let record = json(&pushed);
    assert_eq!(record["results"][0]["outcome"], "published", "{record}");
    assert_eq!(record["results"][0]["version"], "1.2.0");
    assert!(versions(&h, "acme/network/aws").await.contains(&"1.2.0".to_owned()));
    let fetched = host.fetched.lock().unwrap().len();

    // GitHub's "Redeliver" sends the same delivery id: nothing is done again.
    let again = to_app(&h, "push", "push.tag", "d-push").await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json(&again)["attempts"], 1);
    assert_eq!(host.fetched.lock().unwrap().len(), fetched, "no second fetch");

    // The same tag announced again by `create` and `release` (other deliveries): there already.
    for (event, file, id) in [("create", "create.tag", "d-create"), ("release", "release.published", "d-rel")]
    {
        let answer = to_app(&h, event, file, id).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(json(&answer)["results"][0]["outcome"], "exists", "{event}");
    }
    assert_eq!(host.fetched.lock().unwrap().len(), fetched, "a version published is not fetched again");

    // Branches, deleted tags, renames and archiving publish nothing, and say why.
    for (event, file, id, why) in [
        ("push", "push.branch", "d-b", "not a tag"),
        ("create", "create.branch", "d-cb", "not a tag"),
        ("push", "push.tag-deleted", "d-del", "published versions stay"),
        ("repository", "repository.archived", "d-arch", "archived"),
        ("ping", "ping", "d-ping", "pong"),
    ] {
        let answer = to_app(&h, event, file, id).await;
        assert_eq!(answer.status(), StatusCode::OK, "{event}");
        let record = json(&answer);
        assert!(record["message"].as_str().unwrap().contains(why), "{event}: {record}");
        assert_eq!(record["results"], serde_json::json!([]), "{event}");
    }
    assert_eq!(versions(&h, "acme/network/aws").await, ["1.0.0", "1.1.0", "1.1.1", "1.2.0"]);
    let renamed = json(&to_app(&h, "repository", "repository.renamed", "d-ren").await);
    assert!(renamed["message"].as_str().unwrap().contains("renamed from terraform-aws-net"), "{renamed}");

    // The record of deliveries shows each with its outcome, to the master only.
    let deliveries = json(&h.get("/v1/webhooks/deliveries").await);
    let ids: Vec<&str> =
        deliveries["deliveries"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    for id in ["d-1", "d-push", "d-create", "d-del", "d-ping"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let uploader = h.issue(Role::Uploader).await;
    let refused = h.call(http::Method::GET, "/v1/webhooks/deliveries", Some(&uploader), "").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_failed_fetch_is_reported_and_a_redelivery_tries_again() {
    let host = acme();
    let h = registry(host.clone()).await;
    to_app(&h, "installation", "installation.created", "d-1").await;
    host.tag("acme/terraform-aws-network", "v1.2.0", module("v1.2.0"));
    host.fail_next_archive();
    let failed = to_app(&h, "push", "push.tag", "d-push").await;
    assert_eq!(failed.status(), StatusCode::BAD_GATEWAY);
    let message = tfreg_testkit::error_message(&failed, StatusCode::BAD_GATEWAY);
    assert!(message.contains("502 Bad Gateway"), "{message}");
    let listed = json(&h.get("/v1/webhooks/deliveries").await);
    let record =
        listed["deliveries"].as_array().unwrap().iter().find(|d| d["id"] == "d-push").unwrap().clone();
    assert_eq!(record["status"], "failed");
    assert_eq!(record["results"][0]["outcome"], "failed");
    assert!(!versions(&h, "acme/network/aws").await.contains(&"1.2.0".to_owned()));

    let retried = to_app(&h, "push", "push.tag", "d-push").await;
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(json(&retried)["attempts"], 2);
    assert!(versions(&h, "acme/network/aws").await.contains(&"1.2.0".to_owned()));
}

#[tokio::test]
async fn repositories_come_and_go_and_suspension_holds_tags_until_a_sync() {
    let host = acme();
    let h = registry(host.clone()).await;
    to_app(&h, "installation", "installation.created", "d-1").await;

    host.tag("acme/terraform-aws-vpc", "v0.1.0", module("v0.1.0"));
    host.install("acme/terraform-aws-vpc");
    let added = to_app(&h, "installation_repositories", "installation_repositories.added", "d-add").await;
    assert_eq!(added.status(), StatusCode::OK);
    assert_eq!(versions(&h, "acme/vpc/aws").await, ["0.1.0"]);

    let removed = to_app(&h, "installation_repositories", "installation_repositories.removed", "d-rm").await;
    assert_eq!(json(&removed)["results"][0]["outcome"], "withdrawn");
    assert!(versions(&h, "acme/dns/google").await.is_empty(), "the removed repository's module is gone");

    // Suspended: a pushed tag publishes nothing...
    to_app(&h, "installation", "installation.suspend", "d-sus").await;
    host.tag("acme/terraform-aws-network", "v1.2.0", module("v1.2.0"));
    let held = json(&to_app(&h, "push", "push.tag", "d-push").await);
    assert!(held["message"].as_str().unwrap().contains("suspended"), "{held}");
    assert!(!versions(&h, "acme/network/aws").await.contains(&"1.2.0".to_owned()));
    // ...until unsuspended, which reads the repositories again.
    let resumed = to_app(&h, "installation", "installation.unsuspend", "d-uns").await;
    assert_eq!(resumed.status(), StatusCode::OK, "{:?}", resumed.body());
    assert!(versions(&h, "acme/network/aws").await.contains(&"1.2.0".to_owned()));

    // A missed delivery: the manual sync finds the tag.
    host.tag("acme/terraform-aws-network", "v1.3.0", module("v1.3.0"));
    let sync = h.call(http::Method::POST, "/v1/github/installations/4242/sync", Some(&h.master), "").await;
    assert_eq!(sync.status(), StatusCode::OK, "{:?}", sync.body());
    let report = json(&sync);
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["version"] == "1.3.0" && r["outcome"] == "published"));
    let uploader = h.issue(Role::Uploader).await;
    let refused = h.call(http::Method::POST, "/v1/github/installations/4242/sync", Some(&uploader), "").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_uninstall_withdraws_the_namespace_until_a_reinstall_or_the_grace_period_ends() {
    let host = acme();
    let h = registry(host.clone()).await;
    to_app(&h, "installation", "installation.created", "d-1").await;
    let gone = to_app(&h, "installation", "installation.deleted", "d-2").await;
    assert_eq!(gone.status(), StatusCode::OK);
    for addr in ["acme/network/aws", "acme/dns/google", "acme/core/aws"] {
        assert!(versions(&h, addr).await.is_empty(), "{addr} is gone");
    }
    let audit = json(&h.get("/v1/audit?limit=100").await);
    assert!(audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "module.withdraw" && e["target"] == "acme/network/aws"));
    // Within the grace period the garbage collection keeps the archives, and a reinstall
    // brings everything back without fetching it again.
    h.clock.advance(Duration::from_secs(48 * 3600));
    h.registry.collect_garbage().await.unwrap();
    let fetched = host.fetched.lock().unwrap().len();
    let back = to_app(&h, "installation", "installation.created", "d-3").await;
    assert!(json(&back)["results"].as_array().unwrap().iter().any(|r| r["outcome"] == "restored"));
    assert_eq!(versions(&h, "acme/network/aws").await, ["1.0.0", "1.1.0", "1.1.1"]);
    assert_eq!(host.fetched.lock().unwrap().len(), fetched, "restored, not fetched again");
    assert!(files(&h, "acme/network/aws", "1.0.0").await.iter().any(|(p, _)| p == "main.tf"));

    // Uninstalled again and left past the grace period: the objects go.
    to_app(&h, "installation", "installation.deleted", "d-4").await;
    h.clock.advance(Duration::from_secs(48 * 3600));
    h.registry.collect_garbage().await.unwrap();
    assert!(!h.stored_keys("scm/withdrawn/").await.is_empty(), "held within the grace period");
    h.clock.advance(Duration::from_secs(25 * 3600));
    h.registry.collect_garbage().await.unwrap();
    let left = h.stored_keys("modules/acme/").await;
    assert!(left.iter().all(|k| !k.ends_with(".tar.gz")), "{left:?}");
    assert!(h.stored_keys("scm/withdrawn/").await.is_empty());
}
