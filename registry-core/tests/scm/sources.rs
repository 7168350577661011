//! Per-repository webhooks registered through `POST /v1/sources`: GitHub, GitLab, Bitbucket
//! Cloud and Data Center deliveries publish the repository's tags in the source's namespace.

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{json as j, Value};
use tfreg_core::auth::NewToken;
use tfreg_core::auth::Role;
use tfreg_testkit::{error_message, json, TestRegistry};

use super::app::{acme, registry, versions};
use super::{fixture, github, post};

async fn create(h: &TestRegistry, token: &str, body: Value) -> Response<Bytes> {
    h.call(Method::POST, "/v1/sources", Some(token), body.to_string()).await
}

/// A source of `kind` in `namespace` for `repository`, with `secret`; its hook path.
async fn source(h: &TestRegistry, kind: &str, namespace: &str, repository: &str, secret: &str) -> String {
    let answer = create(
        h,
        &h.master,
        j!({"kind": kind, "namespace": namespace, "repository": repository, "secret": secret, "access_token": "tok-123"}),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::CREATED, "{:?}", answer.body());
    let view = json(&answer);
    assert!(view.get("secret").is_none(), "a secret given is never answered back");
    view["hook_url"].as_str().unwrap().to_owned()
}

const SECRET: &str = "source-secret-0123456789";

#[tokio::test]
async fn each_host_s_tag_push_publishes_through_its_source_hook() {
    let host = acme();
    host.tag("acme/terraform-aws-network", "v1.2.0", super::host::module("v1.2.0"));
    host.tag("ACME/terraform-aws-network", "v1.2.0", super::host::module("v1.2.0"));
    let h = registry(host.clone()).await;

    // GitLab: the secret token itself, in X-Gitlab-Token.
    let hook = source(&h, "gitlab", "gl", "acme/terraform-aws-network", SECRET).await;
    assert!(hook.starts_with("/v1/webhooks/gitlab/"), "{hook}");
    let headers = |token: &str, uuid: &str| {
        vec![
            ("x-gitlab-event", "Tag Push Hook".to_owned()),
            ("x-gitlab-token", token.to_owned()),
            ("x-gitlab-event-uuid", uuid.to_owned()),
        ]
    };
    let wrong = post(&h, &hook, &headers("not-the-secret", "u-1"), fixture("gitlab/tag_push.json")).await;
    error_message(&wrong, StatusCode::UNAUTHORIZED);
    let answer = post(&h, &hook, &headers(SECRET, "u-1"), fixture("gitlab/tag_push.json")).await;
    assert_eq!(answer.status(), StatusCode::OK, "{:?}", answer.body());
    assert_eq!(versions(&h, "gl/network/aws").await, ["1.2.0"]);
    let deleted = post(&h, &hook, &headers(SECRET, "u-2"), fixture("gitlab/tag_push.deleted.json")).await;
    assert!(json(&deleted)["message"].as_str().unwrap().contains("published versions stay"));
    let branch = post(
        &h,
        &hook,
        &[("x-gitlab-event", "Push Hook".to_owned()), ("x-gitlab-token", SECRET.to_owned())],
        fixture("gitlab/push.json"),
    )
    .await;
    assert_eq!(json(&branch)["status"], "ignored");
    // Fetched with the source's access token.
    assert!(host
        .fetched
        .lock()
        .unwrap()
        .iter()
        .any(|(r, t, a)| r == "acme/terraform-aws-network" && t == "v1.2.0" && a == "token tok-123"));

    // Bitbucket Cloud and Data Center: HMAC-SHA256 in X-Hub-Signature.
    for (kind, namespace, repository, event, file) in [
        ("bitbucket", "bbc", "acme/terraform-aws-network", "repo:push", "bitbucket-cloud/repo_push.tag.json"),
        (
            "bitbucket-server",
            "bbs",
            "ACME/terraform-aws-network",
            "repo:refs_changed",
            "bitbucket-dc/repo_refs_changed.tag.json",
        ),
    ] {
        let hook = source(&h, kind, namespace, repository, SECRET).await;
        assert!(hook.starts_with("/v1/webhooks/bitbucket/"), "{hook}");
        let body = fixture(file);
        let signed = |secret: &str| {
            vec![
                ("x-event-key", event.to_owned()),
                ("x-request-uuid", format!("{{{kind}-1}}")),
                ("x-hub-signature", tfreg_core::scm::signature::sign(secret.as_bytes(), &body)),
            ]
        };
        error_message(
            &post(&h, &hook, &signed("wrong-secret-0123456789"), body.clone()).await,
            StatusCode::UNAUTHORIZED,
        );
        let answer = post(&h, &hook, &signed(SECRET), body.clone()).await;
        assert_eq!(answer.status(), StatusCode::OK, "{kind}: {:?}", answer.body());
        assert_eq!(versions(&h, &format!("{namespace}/network/aws")).await, ["1.2.0"], "{kind}");
        // The same delivery again does nothing.
        let again = post(&h, &hook, &signed(SECRET), body).await;
        assert_eq!(json(&again)["attempts"], 1, "{kind}");
    }
    let branch = fixture("bitbucket-cloud/repo_push.branch.json");
    let bbc = json(&h.get("/v1/sources").await)["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["namespace"] == "bbc")
        .unwrap()["hook_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let signed = vec![
        ("x-event-key", "repo:push".to_owned()),
        ("x-hub-signature", tfreg_core::scm::signature::sign(SECRET.as_bytes(), &branch)),
    ];
    assert_eq!(json(&post(&h, &bbc, &signed, branch).await)["results"], j!([]));

    // GitHub, a repository's own hook.
    let hook = source(&h, "github", "gh", "acme/terraform-aws-network", SECRET).await;
    let answer = github(&h, &hook, SECRET, "push", "gh-1", fixture("github/push.tag.json")).await;
    assert_eq!(answer.status(), StatusCode::OK, "{:?}", answer.body());
    assert_eq!(versions(&h, "gh/network/aws").await, ["1.2.0"]);
    // A delivery for another repository is refused, and publishes nothing.
    let other = String::from_utf8(fixture("github/push.tag.json"))
        .unwrap()
        .replace("acme/terraform-aws-network", "evil/terraform-aws-network");
    let answer = github(&h, &hook, SECRET, "push", "gh-2", other.into_bytes()).await;
    assert!(error_message(&answer, StatusCode::BAD_REQUEST)
        .contains("this hook is for acme/terraform-aws-network"));
}

#[tokio::test]
async fn sources_are_managed_by_the_namespace_s_uploaders() {
    let host = acme();
    let h = registry(host.clone()).await;
    let spec = NewToken {
        tier: Some(Role::Uploader),
        namespaces: Some(vec!["team".into()]),
        description: None,
        expires_in_days: Some(1),
    };
    let team = h.registry.tokens().create(spec, "test").await.unwrap().0;
    let downloader = h.issue(Role::Downloader).await;

    let body = j!({"kind": "github", "namespace": "team", "repository": "acme/terraform-aws-network"});
    let answer = create(&h, &team, body.clone()).await;
    assert_eq!(answer.status(), StatusCode::CREATED, "{:?}", answer.body());
    let view = json(&answer);
    assert_eq!(view["secret"].as_str().unwrap().len(), 48, "a secret made by the registry is answered once");
    assert_eq!(view["modules"], j!([{"name": "network", "system": "aws"}]));
    let id = view["id"].as_str().unwrap().to_owned();
    assert!(json(&h.call(Method::GET, &format!("/v1/sources/{id}"), Some(&team), "").await)
        .get("secret")
        .is_none());

    // Another namespace, a downloader, bad bodies: refused, nothing stored.
    let other = j!({"kind": "github", "namespace": "other", "repository": "acme/terraform-aws-network"});
    error_message(&create(&h, &team, other).await, StatusCode::FORBIDDEN);
    error_message(&create(&h, &downloader, body.clone()).await, StatusCode::FORBIDDEN);
    for (bad, why) in [
        (j!({"kind": "svn", "namespace": "team", "repository": "a/b"}), "unknown source kind"),
        (j!({"kind": "github", "namespace": "team", "repository": "../etc"}), "full path"),
        (
            j!({"kind": "github", "namespace": "team", "repository": "acme/website"}),
            "terraform-<system>-<name>",
        ),
        (
            j!({"kind": "github", "namespace": "team", "repository": "acme/terraform-aws-x", "secret": "short"}),
            "16 to 256",
        ),
        (
            j!({"kind": "gitlab", "namespace": "team", "repository": "acme/terraform-aws-x", "api_url": "file:///etc"}),
            "https://",
        ),
        (
            j!({"kind": "github", "namespace": "team", "repository": "acme/mono", "modules": [{"name": "a", "system": "aws", "path": "../x"}]}),
            "relative folder",
        ),
        (
            j!({"kind": "github", "namespace": "team", "repository": "acme/mono", "modules": [{"name": "a", "system": "aws", "tag_pattern": "v1"}]}),
            "{version}",
        ),
        (j!({"kind": "github", "namespace": "team", "repository": "acme/x", "extra": 1}), "unknown field"),
    ] {
        let answer = create(&h, &team, bad.clone()).await;
        assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains(why), "{bad}");
    }
    let listed = json(&h.call(Method::GET, "/v1/sources", Some(&team), "").await);
    assert_eq!(listed["sources"].as_array().unwrap().len(), 1);

    // A sync publishes every version tag.
    let sync = h.call(Method::POST, &format!("/v1/sources/{id}/sync"), Some(&team), "").await;
    assert_eq!(sync.status(), StatusCode::OK, "{:?}", sync.body());
    assert_eq!(versions(&h, "team/network/aws").await, ["1.0.0", "1.1.0", "1.1.1"]);

    // Deleted: its hook is gone; what it published stays.
    let deleted = h.call(Method::DELETE, &format!("/v1/sources/{id}"), Some(&team), "").await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let answer = github(&h, &format!("/v1/webhooks/github/{id}"), "x", "ping", "p", b"{}".to_vec()).await;
    error_message(&answer, StatusCode::NOT_FOUND);
    assert_eq!(versions(&h, "team/network/aws").await.len(), 3);
    let audit = json(&h.get("/v1/audit?limit=100").await);
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"source.create")
            && actions.contains(&"source.delete")
            && actions.contains(&"source.sync"),
        "{actions:?}"
    );
}
