//! Access control, table-driven: every route x every tier x inside/outside the token's
//! namespaces x missing/expired/revoked/garbage tokens, each with its exact status.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use tfreg_core::auth::{hash_token, NewToken, Role, RoleAuthorizer};
use tfreg_core::storage::layout;
use tfreg_core::storage::{PutMode, Storage};
use tfreg_core::Registry;
use tfreg_testkit::tiny_module as module;

const MASTER: &str = "tfreg_access-master-token";

async fn call(
    registry: &Registry,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> StatusCode {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    tfreg_testkit::send(registry, request.body(Bytes::from(body)).unwrap()).await.status()
}

async fn issue(registry: &Registry, tier: Role, namespaces: Option<&[&str]>) -> String {
    let spec = NewToken {
        tier: Some(tier),
        namespaces: namespaces.map(|n| n.iter().map(|s| s.to_string()).collect()),
        description: Some("access test".into()),
        expires_in_days: Some(30),
    };
    registry.tokens().create(spec, "test").await.unwrap().0
}

/// A token whose record says it expired an hour ago.
async fn expired(registry: &Registry, storage: &dyn Storage) -> String {
    let (token, record) = registry
        .tokens()
        .create(
            NewToken { tier: Some(Role::Uploader), expires_in_days: Some(1), ..Default::default() },
            "test",
        )
        .await
        .unwrap();
    let key = layout::token(&record.id);
    let mut json: serde_json::Value =
        serde_json::from_slice(&storage.get(&key).await.unwrap().unwrap().body).unwrap();
    json["expires_at_unix"] = serde_json::json!(tfreg_core::clock::unix_now() - 3600);
    storage.put(&key, Bytes::from(json.to_string()), PutMode::Overwrite).await.unwrap();
    token
}

#[derive(Clone, Copy, Debug)]
enum Need {
    Public,
    Read,
    Publish,
    /// An uploader in any namespace (upload sessions name no namespace).
    Upload,
    Admin,
}

struct Case {
    method: Method,
    /// `{ns}` is replaced by the namespace under test; `{n}` by a counter.
    uri: &'static str,
    need: Need,
    ok: StatusCode,
}

fn cases() -> Vec<Case> {
    let case = |method, uri, need, ok| Case { method, uri, need, ok };
    vec![
        case(Method::GET, "/.well-known/terraform.json", Need::Public, StatusCode::OK),
        case(Method::GET, "/v1/modules/{ns}/vpc/aws/versions", Need::Read, StatusCode::OK),
        case(Method::HEAD, "/v1/modules/{ns}/vpc/aws/versions", Need::Read, StatusCode::OK),
        case(Method::GET, "/v1/modules/{ns}/vpc/aws/1.0.0/download", Need::Read, StatusCode::NO_CONTENT),
        case(Method::GET, "/v1/modules/{ns}/vpc/aws/download", Need::Read, StatusCode::FOUND),
        case(Method::GET, "/v1/modules/{ns}/vpc/aws", Need::Read, StatusCode::OK),
        case(Method::GET, "/v1/modules/{ns}/vpc/aws/1.0.0", Need::Read, StatusCode::OK),
        case(Method::PUT, "/v1/modules/{ns}/vpc/aws/2.0.{n}", Need::Publish, StatusCode::CREATED),
        case(Method::PUT, "/v1/modules/{ns}/vpc/aws/1.0.0/yank", Need::Publish, StatusCode::OK),
        case(Method::DELETE, "/v1/modules/{ns}/vpc/aws/1.0.0/yank", Need::Publish, StatusCode::OK),
        case(Method::DELETE, "/v1/modules/{ns}/vpc/aws/1.0.0/deprecation", Need::Publish, StatusCode::OK),
        case(Method::DELETE, "/v1/modules/{ns}/vpc/aws/9.9.9", Need::Admin, StatusCode::NOT_FOUND),
        case(Method::POST, "/v1/tokens", Need::Admin, StatusCode::CREATED),
        case(Method::GET, "/v1/tokens", Need::Admin, StatusCode::OK),
        case(Method::DELETE, "/v1/tokens/00000000000000000000", Need::Admin, StatusCode::NOT_FOUND),
        case(Method::GET, "/v1/audit", Need::Admin, StatusCode::OK),
        case(Method::POST, "/v1/uploads", Need::Upload, StatusCode::CREATED),
    ]
}

#[derive(Debug)]
enum Caller {
    Valid { role: Role, namespaces: Option<&'static [&'static str]> },
    Missing,
    Garbage,
    Expired,
    Revoked,
}

#[tokio::test]
async fn every_route_every_tier_every_token_state() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = Registry::builder(storage.clone()).master_token(hash_token(MASTER)).build().await.unwrap();
    for ns in ["acme", "other"] {
        let status =
            call(&registry, Method::PUT, &format!("/v1/modules/{ns}/vpc/aws/1.0.0"), Some(MASTER), module())
                .await;
        assert_eq!(status, StatusCode::CREATED);
    }

    let callers: Vec<(Caller, Option<String>)> = vec![
        (Caller::Valid { role: Role::Master, namespaces: None }, Some(MASTER.to_owned())),
        (
            Caller::Valid { role: Role::Uploader, namespaces: None },
            Some(issue(&registry, Role::Uploader, None).await),
        ),
        (
            Caller::Valid { role: Role::Uploader, namespaces: Some(&["acme"]) },
            Some(issue(&registry, Role::Uploader, Some(&["ACME"])).await),
        ),
        (
            Caller::Valid { role: Role::Downloader, namespaces: None },
            Some(issue(&registry, Role::Downloader, None).await),
        ),
        (
            Caller::Valid { role: Role::Downloader, namespaces: Some(&["acme"]) },
            Some(issue(&registry, Role::Downloader, Some(&["acme"])).await),
        ),
        (Caller::Missing, None),
        (Caller::Garbage, Some("tfreg_this-is-not-a-token".to_owned())),
        (Caller::Garbage, Some("x".repeat(5000))),
        (Caller::Expired, Some(expired(&registry, storage.as_ref()).await)),
        (Caller::Revoked, {
            let token = issue(&registry, Role::Uploader, None).await;
            // Use it once so it is cached, then revoke it: it must stop working at once.
            assert_eq!(
                call(&registry, Method::GET, "/v1/modules/acme/vpc/aws/versions", Some(&token), vec![]).await,
                200
            );
            let id = hex_id(&token);
            assert_eq!(
                call(&registry, Method::DELETE, &format!("/v1/tokens/{id}"), Some(MASTER), vec![]).await,
                204
            );
            Some(token)
        }),
    ];

    let mut counter = 0;
    let mut checked = 0;
    for (caller, token) in &callers {
        for case in cases() {
            for ns in ["acme", "other"] {
                counter += 1;
                let uri = case.uri.replace("{ns}", ns).replace("{n}", &counter.to_string());
                let body = match case.method {
                    Method::PUT if uri.ends_with("/yank") => vec![],
                    Method::PUT => module(),
                    Method::POST if uri == "/v1/uploads" => b"{}".to_vec(),
                    Method::POST => br#"{"tier": "downloader"}"#.to_vec(),
                    _ => vec![],
                };
                let expected = match (caller, case.need) {
                    (_, Need::Public) => case.ok,
                    (Caller::Missing | Caller::Garbage | Caller::Expired | Caller::Revoked, _) => {
                        StatusCode::UNAUTHORIZED
                    }
                    (Caller::Valid { role, namespaces }, need) => {
                        let required = match need {
                            Need::Read => Role::Downloader,
                            Need::Publish | Need::Upload => Role::Uploader,
                            _ => Role::Master,
                        };
                        let namespaced = matches!(need, Need::Read | Need::Publish);
                        let outside = namespaced && namespaces.is_some_and(|list| !list.contains(&ns));
                        if *role < required || outside {
                            StatusCode::FORBIDDEN
                        } else {
                            case.ok
                        }
                    }
                };
                let status = call(&registry, case.method.clone(), &uri, token.as_deref(), body).await;
                assert_eq!(status, expected, "{caller:?} {} {uri}", case.method);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, callers.len() * cases().len() * 2);
}

#[tokio::test]
async fn anonymous_reads_open_reads_only() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = Registry::builder(storage)
        .master_token(hash_token(MASTER))
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await
        .unwrap();
    call(&registry, Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", Some(MASTER), module()).await;
    for case in cases() {
        let uri = case.uri.replace("{ns}", "acme").replace("{n}", "9");
        let expected = match case.need {
            Need::Public | Need::Read => case.ok,
            Need::Publish | Need::Upload | Need::Admin => StatusCode::UNAUTHORIZED,
        };
        assert_eq!(call(&registry, case.method.clone(), &uri, None, b"{}".to_vec()).await, expected, "{uri}");
        // A bad token is still refused, even where no token is needed.
        if !matches!(case.need, Need::Public) {
            let garbage = call(&registry, case.method.clone(), &uri, Some("tfreg_garbage"), vec![]).await;
            assert_eq!(garbage, StatusCode::UNAUTHORIZED, "{uri}");
        }
    }
}

#[tokio::test]
async fn the_token_api_validates_and_never_shows_secrets_twice() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = Registry::builder(storage.clone()).master_token(hash_token(MASTER)).build().await.unwrap();
    let post = |body: &'static str| {
        let registry = registry.clone();
        async move {
            let request = Request::post("/v1/tokens")
                .header("authorization", format!("Bearer {MASTER}"))
                .body(Bytes::from_static(body.as_bytes()))
                .unwrap();
            tfreg_testkit::send(&registry, request).await
        }
    };
    for (body, needle) in [
        ("", "must be JSON"),
        ("{", "must be JSON"),
        (r#"{"tier": "master"}"#, "unknown tier"),
        (r#"{"tier": "admin"}"#, "unknown tier"),
        (r#"{"namespaces": ["acme"]}"#, "tier"),
        (r#"{"tier": "uploader", "namespaces": []}"#, "must not be empty"),
        (r#"{"tier": "uploader", "namespaces": ["ac me"]}"#, "invalid namespace"),
        (r#"{"tier": "uploader", "expires_in_days": 0}"#, "expires_in_days"),
        (r#"{"tier": "uploader", "expires_in_days": -1}"#, "must be JSON"),
        (r#"{"tier": "uploader", "colour": "red"}"#, "unknown field"),
    ] {
        let response = post(body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert!(json["errors"][0].as_str().unwrap().contains(needle), "{body}: {json}");
    }
    assert!(storage.list("tokens/").await.unwrap().is_empty(), "nothing stored for bad bodies");

    let created = post(r#"{"tier": "uploader", "namespaces": ["Acme"], "description": "ci for acme", "expires_in_days": 90}"#).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: serde_json::Value = serde_json::from_slice(created.body()).unwrap();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("tfreg_"));
    assert_eq!(created["tier"], "uploader");
    assert_eq!(created["namespaces"], serde_json::json!(["acme"]));
    assert_eq!(created["description"], "ci for acme");
    assert!(created["expires_at"].as_str().unwrap().ends_with('Z'));

    let stored = storage.get(&layout::token(created["id"].as_str().unwrap())).await.unwrap().unwrap();
    assert!(!String::from_utf8_lossy(&stored.body).contains(token), "only the digest is stored");
    let listed = tfreg_testkit::send(
        &registry,
        Request::get("/v1/tokens")
            .header("authorization", format!("Bearer {MASTER}"))
            .body(Bytes::new())
            .unwrap(),
    )
    .await;
    let text = String::from_utf8(listed.body().to_vec()).unwrap();
    assert!(
        text.contains(created["id"].as_str().unwrap()) && !text.contains(token) && !text.contains("sha256"),
        "{text}"
    );

    let audit = tfreg_testkit::send(
        &registry,
        Request::get("/v1/audit?limit=5")
            .header("authorization", format!("Bearer {MASTER}"))
            .body(Bytes::new())
            .unwrap(),
    )
    .await;
    let audit: serde_json::Value = serde_json::from_slice(audit.body()).unwrap();
    let first = &audit["entries"][0];
    assert_eq!(first["action"], "token.create");
    assert_eq!(first["actor"], "master");
    assert_eq!(first["outcome"], "success");
    assert_eq!(first["target"], created["id"]);
    assert!(!audit.to_string().contains(token), "no secret in the audit trail");
    assert_eq!(audit["entries"][1]["outcome"], "rejected", "failed attempts are recorded too");
}

#[tokio::test]
async fn the_audit_trail_pages_newest_first_and_survives_a_restart() {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = Registry::builder(storage.clone()).master_token(hash_token(MASTER)).build().await.unwrap();
    for i in 0..7 {
        call(&registry, Method::PUT, &format!("/v1/modules/acme/vpc/aws/1.0.{i}"), Some(MASTER), module())
            .await;
    }
    call(&registry, Method::PUT, "/v1/modules/acme/vpc/aws/1.0.0", Some("tfreg_nope"), module()).await;
    // A new registry over the same store: the trail is in the store, not in memory.
    let again = Registry::builder(storage).master_token(hash_token(MASTER)).build().await.unwrap();
    let mut seen = Vec::new();
    let mut uri = "/v1/audit?limit=3".to_owned();
    loop {
        let response = tfreg_testkit::send(
            &again,
            Request::get(&uri)
                .header("authorization", format!("Bearer {MASTER}"))
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
        assert_eq!(response.status(), 200);
        let page: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        for entry in page["entries"].as_array().unwrap() {
            seen.push((
                entry["target"].as_str().unwrap().to_owned(),
                entry["outcome"].as_str().unwrap().to_owned(),
                entry["actor"].as_str().unwrap().to_owned(),
            ));
        }
        match page["next"].as_str() {
            Some(next) => uri = format!("/v1/audit?limit=3&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    assert_eq!(seen[0], ("acme/vpc/aws/1.0.0".into(), "denied".into(), "invalid-token".into()));
    assert_eq!(seen[1].0, "acme/vpc/aws/1.0.6");
    assert_eq!(seen[7].0, "acme/vpc/aws/1.0.0");
    assert!(seen[1..].iter().all(|(_, outcome, actor)| outcome == "success" && actor == "master"));
    let bad = tfreg_testkit::send(
        &again,
        Request::get("/v1/audit?after=../../x")
            .header("authorization", format!("Bearer {MASTER}"))
            .body(Bytes::new())
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status(), 400);
}

/// A token's id: the first 20 hex digits of its SHA-256.
fn hex_id(token: &str) -> String {
    hash_token(token).iter().map(|b| format!("{b:02x}")).collect::<String>()[..20].to_owned()
}
