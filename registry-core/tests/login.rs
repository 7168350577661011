//! `terraform login`'s sign-in through the handlers, with the provider's side played by the
//! test (its discovery document, its keys, its token endpoint answering the ID token the test
//! signs): every check of the ID token (signature, issuer, audience, expiry, nonce, unknown
//! and rotated keys), the claim rules, and the PKCE and single use of the codes. Then trusted
//! publishing: CI tokens and AWS callers' signed requests (STS's answers are AWS's documented
//! examples) exchanged by the rules in the store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use jsonwebtoken::{EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::LineEnding;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tfreg_core::clock::Clock;
use tfreg_core::identity::{ClaimRules, OidcConfig, OidcHttp};
use tfreg_core::modules::external::fetch::FetchError;
use tfreg_core::Registry;
use tfreg_testkit::{error_message, json, send, ManualClock};

const ISSUER: &str = "https://idp.example.com";
const VERIFIER: &str = "terraform-pkce-verifier-0123456789-0123456789";

struct Key {
    kid: String,
    private: rsa::RsaPrivateKey,
}

impl Key {
    fn new(kid: &str) -> Self {
        Key {
            kid: kid.to_owned(),
            private: rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap(),
        }
    }

    fn jwk(&self) -> Value {
        use base64::Engine;
        let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let public = self.private.to_public_key();
        json!({"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
               "n": b64(public.n().to_bytes_be()), "e": b64(public.e().to_bytes_be())})
    }

    fn sign(&self, claims: &Value) -> String {
        let pem = self.private.to_pkcs1_pem(LineEnding::LF).unwrap();
        let mut header = Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()).unwrap()
    }
}

/// A request forwarded to STS: URL, headers, body.
type Forwarded = (String, Vec<(String, String)>, Vec<u8>);

/// A form the registry posted, with the basic credentials it sent.
type Posted = (Vec<(String, String)>, Option<(String, String)>);

/// Makes a token for a sign-in with a nonce.
type MakeToken = Box<dyn Fn(&Harness, &str) -> String>;

/// The provider's HTTP side.
#[derive(Debug, Default)]
struct Idp {
    jwks: Mutex<Value>,
    id_token: Mutex<String>,
    jwks_reads: Mutex<u32>,
    posted: Mutex<Vec<Posted>>,
    /// What AWS STS answers a forwarded request: status and body.
    sts: Mutex<(u16, String)>,
    /// The requests forwarded to STS: URL, headers, body.
    forwarded: Mutex<Vec<Forwarded>>,
}

#[async_trait]
impl OidcHttp for Idp {
    async fn get_json(&self, url: &str) -> Result<Value, FetchError> {
        match url {
            "https://idp.example.com/.well-known/openid-configuration" => Ok(json!({
                "issuer": ISSUER, "authorization_endpoint": format!("{ISSUER}/authorize"),
                "token_endpoint": format!("{ISSUER}/token"), "jwks_uri": format!("{ISSUER}/jwks"),
            })),
            "https://idp.example.com/jwks" => {
                *self.jwks_reads.lock().unwrap() += 1;
                Ok(self.jwks.lock().unwrap().clone())
            }
            other => Err(FetchError::Failed(format!("{other}: 404"))),
        }
    }

    async fn post_form(
        &self,
        _url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<(u16, Value), FetchError> {
        let form = form.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.posted.lock().unwrap().push((form, basic.map(|(a, b)| (a.to_owned(), b.to_owned()))));
        Ok((200, json!({"id_token": self.id_token.lock().unwrap().clone(), "token_type": "Bearer"})))
    }

    async fn post_signed(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), FetchError> {
        self.forwarded.lock().unwrap().push((url.to_owned(), headers.to_vec(), body));
        let (status, answer) = self.sts.lock().unwrap().clone();
        Ok((status, answer.into_bytes()))
    }
}

struct Harness {
    registry: Registry,
    idp: Arc<Idp>,
    clock: Arc<ManualClock>,
    key: Key,
}

async fn harness(rules: Value) -> Harness {
    let key = Key::new("k1");
    let idp = Arc::new(Idp::default());
    *idp.jwks.lock().unwrap() = json!({"keys": [key.jwk()]});
    let clock = ManualClock::now();
    let config = OidcConfig {
        issuer: ISSUER.to_owned(),
        client_id: "tfreg".to_owned(),
        client_secret: "client-secret".to_owned(),
        rules: serde_json::from_value::<ClaimRules>(rules).unwrap(),
        token_lifetime: Duration::from_secs(3600),
        scopes: vec!["email".to_owned(), "groups".to_owned()],
    };
    let storage: Arc<dyn tfreg_core::storage::Storage> =
        Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let registry = Registry::builder(storage)
        .clock(clock.clone())
        .master_token(tfreg_core::auth::hash_token("tfreg_master"))
        .oidc(config, idp.clone())
        .build()
        .await
        .unwrap();
    Harness { registry, idp, clock, key }
}

fn rules() -> Value {
    json!({"rules": [
        {"claim": "groups", "value": "platform-admins", "tier": "master"},
        {"claim": "groups", "value": "team-a", "tier": "uploader", "namespaces": ["Team-A"]},
        {"claim": "groups", "value": "team-b", "tier": "uploader", "namespaces": ["team-b"]}
    ]})
}

async fn get(h: &Harness, uri: &str) -> Response<Bytes> {
    send(&h.registry, Request::get(uri).header("host", "registry.example.com").body(Bytes::new()).unwrap())
        .await
}

fn challenge() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

fn query(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn param(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

const TF_REDIRECT: &str = "http%3A%2F%2Flocalhost%3A10005%2Flogin";

/// Terraform's authorization request: the provider's (state, nonce) it was sent on with.
async fn authorize(h: &Harness) -> (String, String) {
    let uri = format!(
        "/oauth/authorization?response_type=code&client_id=terraform-cli&redirect_uri={TF_REDIRECT}&state=tf-state&code_challenge={}&code_challenge_method=S256",
        challenge()
    );
    let answer = get(h, &uri).await;
    assert_eq!(answer.status(), StatusCode::FOUND, "{:?}", answer.body());
    let location = answer.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("https://idp.example.com/authorize?"), "{location}");
    let pairs = query(location);
    assert_eq!(param(&pairs, "client_id"), "tfreg");
    assert_eq!(param(&pairs, "redirect_uri"), "https://registry.example.com/oauth/callback");
    assert_eq!(param(&pairs, "scope"), "openid email groups");
    assert_eq!(param(&pairs, "code_challenge_method"), "S256");
    (param(&pairs, "state"), param(&pairs, "nonce"))
}

fn claims(h: &Harness, nonce: &str, groups: &[&str]) -> Value {
    let now = h.clock.unix_now();
    json!({"iss": ISSUER, "aud": "tfreg", "sub": "u-1", "email": "dev@acme.example", "groups": groups,
           "iat": now, "exp": now + 300, "nonce": nonce})
}

/// The provider comes back with `id_token`; the registry's answer.
async fn callback(h: &Harness, state: &str, id_token: String) -> Response<Bytes> {
    *h.idp.id_token.lock().unwrap() = id_token;
    get(h, &format!("/oauth/callback?code=idp-code&state={state}")).await
}

async fn exchange(h: &Harness, code: &str, verifier: &str) -> Response<Bytes> {
    let body = format!(
        "grant_type=authorization_code&code={code}&client_id=terraform-cli&redirect_uri={TF_REDIRECT}&code_verifier={verifier}"
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded");
    send(&h.registry, request.body(Bytes::from(body)).unwrap()).await
}

/// A whole sign-in with `groups`: the token's record as the token API shows it.
async fn sign_in(h: &Harness, groups: &[&str]) -> Value {
    let (state, nonce) = authorize(h).await;
    let back = callback(h, &state, h.key.sign(&claims(h, &nonce, groups))).await;
    assert_eq!(back.status(), StatusCode::FOUND, "{:?}", back.body());
    let pairs = query(back.headers()["location"].to_str().unwrap());
    assert_eq!(param(&pairs, "state"), "tf-state");
    let token = exchange(h, &param(&pairs, "code"), VERIFIER).await;
    assert_eq!(token.status(), StatusCode::OK, "{:?}", token.body());
    let token = json(&token)["access_token"].as_str().unwrap().to_owned();
    // The token works, and the token API shows it with its owner.
    let bearer = format!("Bearer {token}");
    let own = send(
        &h.registry,
        Request::get("/v1/modules").header("authorization", &bearer).body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(own.status(), StatusCode::OK);
    let master =
        Request::get("/v1/tokens").header("authorization", "Bearer tfreg_master").body(Bytes::new()).unwrap();
    let tokens = json(&send(&h.registry, master).await);
    let id = &hex::encode(Sha256::digest(token.as_bytes()))[..20];
    tokens["tokens"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap().clone()
}

#[tokio::test]
async fn claims_map_to_tiers_and_namespaces() {
    let h = harness(rules()).await;
    let admin = sign_in(&h, &["platform-admins", "team-a"]).await;
    assert_eq!((admin["tier"].as_str(), &admin["namespaces"]), (Some("master"), &Value::Null));
    assert_eq!(admin["owner"], json!({"issuer": ISSUER, "subject": "u-1", "email": "dev@acme.example"}));
    let both = sign_in(&h, &["team-b", "team-a"]).await;
    assert_eq!(
        (both["tier"].as_str(), &both["namespaces"]),
        (Some("uploader"), &json!(["team-a", "team-b"]))
    );
    // The registry authenticated to the provider as its client, with its PKCE verifier.
    let posted = h.idp.posted.lock().unwrap().clone();
    assert_eq!(posted[0].1, Some(("tfreg".to_owned(), "client-secret".to_owned())));
    assert!(posted[0].0.iter().any(|(k, v)| k == "code_verifier" && v.len() >= 43));

    // Nobody a rule names, and no default: refused.
    let (state, nonce) = authorize(&h).await;
    let refused = callback(&h, &state, h.key.sign(&claims(&h, &nonce, &["contractors"]))).await;
    assert!(error_message(&refused, StatusCode::FORBIDDEN).contains("no claim rule"));
}

#[tokio::test]
async fn id_tokens_are_checked() {
    let h = harness(rules()).await;
    let cases: Vec<(&str, MakeToken)> = vec![
        (
            "tampered",
            Box::new(|h, nonce| {
                let token = h.key.sign(&claims(h, nonce, &["team-a"]));
                let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
                let mut c = claims(h, nonce, &["platform-admins"]);
                c["sub"] = json!("u-1");
                use base64::Engine;
                parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.to_string());
                parts.join(".")
            }),
        ),
        (
            "another audience",
            Box::new(|h, nonce| {
                let mut c = claims(h, nonce, &["team-a"]);
                c["aud"] = json!("someone-else");
                h.key.sign(&c)
            }),
        ),
        (
            "another issuer",
            Box::new(|h, nonce| {
                let mut c = claims(h, nonce, &["team-a"]);
                c["iss"] = json!("https://evil.example.com");
                h.key.sign(&c)
            }),
        ),
        (
            "expired",
            Box::new(|h, nonce| {
                let mut c = claims(h, nonce, &["team-a"]);
                c["exp"] = json!(h.clock.unix_now() - 120);
                h.key.sign(&c)
            }),
        ),
        ("another nonce", Box::new(|h, _| h.key.sign(&claims(h, "replayed-nonce", &["team-a"])))),
        ("an unknown key", Box::new(|h, nonce| Key::new("k-unknown").sign(&claims(h, nonce, &["team-a"])))),
        (
            "no signature",
            Box::new(|h, nonce| {
                let token = h.key.sign(&claims(h, nonce, &["team-a"]));
                let cut = token.rfind('.').unwrap();
                format!("{}.", &token[..cut])
            }),
        ),
    ];
    for (what, token) in cases {
        let (state, nonce) = authorize(&h).await;
        let answer = callback(&h, &state, token(&h, &nonce)).await;
        let message = error_message(&answer, StatusCode::UNAUTHORIZED);
        assert!(message.contains("ID token is not valid"), "{what}: {message}");
    }
    // An unknown key made the registry read the keys again (once per such token).
    assert!(*h.idp.jwks_reads.lock().unwrap() >= 2);
    assert!(sign_in(&h, &["team-a"]).await["tier"] == "uploader", "a good token still works");
}

#[tokio::test]
async fn a_rotated_key_is_found_by_reading_the_keys_again() {
    let mut h = harness(rules()).await;
    sign_in(&h, &["team-a"]).await;
    let reads = *h.idp.jwks_reads.lock().unwrap();
    let rotated = Key::new("k2");
    *h.idp.jwks.lock().unwrap() = json!({"keys": [h.key.jwk(), rotated.jwk()]});
    h.key = rotated;
    assert_eq!(sign_in(&h, &["team-a"]).await["tier"], "uploader");
    assert_eq!(*h.idp.jwks_reads.lock().unwrap(), reads + 1);
}

#[tokio::test]
async fn codes_need_their_verifier_and_work_once() {
    let h = harness(rules()).await;
    let (state, nonce) = authorize(&h).await;
    let back = callback(&h, &state, h.key.sign(&claims(&h, &nonce, &["team-a"]))).await;
    let code = param(&query(back.headers()["location"].to_str().unwrap()), "code");
    // The provider's answer can be used once: the same state again is refused.
    let again = callback(&h, &state, h.key.sign(&claims(&h, &nonce, &["team-a"]))).await;
    error_message(&again, StatusCode::BAD_REQUEST);
    let wrong = exchange(&h, &code, "not-the-verifier-0123456789-0123456789-0123").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&wrong)["error"], "invalid_grant");
    // A refused exchange used the code up.
    let late = exchange(&h, &code, VERIFIER).await;
    assert_eq!(json(&late)["error"], "invalid_grant");

    // Expired codes are refused, by the registry's clock.
    let (state, nonce) = authorize(&h).await;
    let back = callback(&h, &state, h.key.sign(&claims(&h, &nonce, &["team-a"]))).await;
    let code = param(&query(back.headers()["location"].to_str().unwrap()), "code");
    h.clock.advance(Duration::from_secs(61));
    assert_eq!(json(&exchange(&h, &code, VERIFIER).await)["error"], "invalid_grant");
}

#[tokio::test]
async fn bad_authorization_requests_are_refused() {
    let h = harness(rules()).await;
    let base = format!(
        "response_type=code&client_id=terraform-cli&state=s&code_challenge={}&code_challenge_method=S256",
        challenge()
    );
    for (query, why) in [
        (format!("{base}&redirect_uri=http%3A%2F%2Fevil.example.com%3A10005%2Flogin"), "redirect_uri"),
        (format!("{base}&redirect_uri=http%3A%2F%2Flocalhost%3A9999%2Flogin"), "redirect_uri"),
        (format!("{base}&redirect_uri=https%3A%2F%2Flocalhost%3A10005%2Flogin"), "redirect_uri"),
        (base.replace("S256", "plain") + "&redirect_uri=" + TF_REDIRECT, "S256"),
        (base.replace("terraform-cli", "other") + "&redirect_uri=" + TF_REDIRECT, "client_id"),
        (
            base.replace("response_type=code", "response_type=token") + "&redirect_uri=" + TF_REDIRECT,
            "response_type",
        ),
    ] {
        let answer = get(&h, &format!("/oauth/authorization?{query}")).await;
        assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains(why), "{query}");
    }
    // Without OIDC set up, there is no sign-in and discovery does not offer one.
    let plain = tfreg_testkit::TestRegistry::new().await;
    let discovery = json(&plain.get("/.well-known/terraform.json").await);
    assert!(discovery.get("login.v1").is_none());
    error_message(&plain.get("/oauth/authorization").await, StatusCode::NOT_FOUND);
    let offered = json(&get(&h, "/.well-known/terraform.json").await);
    assert_eq!(offered["login.v1"]["ports"], json!([10000, 10010]));
}

#[tokio::test]
async fn the_web_ui_signs_in_through_the_provider() {
    let h = harness(rules()).await;
    let form = get(&h, "/ui/signin").await;
    assert!(String::from_utf8_lossy(form.body()).contains("/ui/signin/sso"), "the sign-in page offers it");
    let sent = get(&h, "/ui/signin/sso").await;
    assert_eq!(sent.status(), StatusCode::FOUND, "{:?}", sent.body());
    let pairs = query(sent.headers()["location"].to_str().unwrap());
    assert_eq!(param(&pairs, "redirect_uri"), "https://registry.example.com/oauth/callback");
    assert_eq!(param(&pairs, "code_challenge_method"), "S256");
    let (state, nonce) = (param(&pairs, "state"), param(&pairs, "nonce"));
    let landed = callback(&h, &state, h.key.sign(&claims(&h, &nonce, &["team-a"]))).await;
    // The registry's own page sets the session and moves on (a SameSite=Strict cookie is not
    // sent on a redirect chain that began at the provider).
    assert_eq!(landed.status(), StatusCode::OK, "{:?}", landed.body());
    let cookie = landed.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("tfreg_session=")
            && cookie.contains("Path=/ui; ")
            && cookie.contains("HttpOnly; SameSite=Strict"),
        "{cookie}"
    );
    let page = String::from_utf8_lossy(landed.body()).into_owned();
    assert!(page.contains("content=\"0; url=/ui/\""), "{page}");
    assert_eq!(landed.headers()["cache-control"], "no-store");
    assert!(landed.headers().contains_key("content-security-policy"));
    // The session works, as the claim rules say: team-a's uploader.
    let session = cookie.split(';').next().unwrap().to_owned();
    let home = send(
        &h.registry,
        Request::get("/ui/")
            .header("host", "registry.example.com")
            .header("cookie", &session)
            .body(Bytes::new())
            .unwrap(),
    )
    .await;
    assert!(String::from_utf8_lossy(home.body()).contains("signout"), "signed in");
    let master =
        Request::get("/v1/tokens").header("authorization", "Bearer tfreg_master").body(Bytes::new()).unwrap();
    let tokens = json(&send(&h.registry, master).await);
    let minted =
        tokens["tokens"].as_array().unwrap().iter().find(|t| t["owner"]["subject"] == "u-1").unwrap().clone();
    assert_eq!(
        (minted["tier"].as_str(), &minted["namespaces"]),
        (Some("uploader"), &json!(["team-a"])),
        "{minted}"
    );
    assert!(minted["created_by"].as_str().unwrap().starts_with("web-ui:oidc:"), "{minted}");
    // Signing out ends the session and revokes the token the sign-in made.
    let out = send(
        &h.registry,
        Request::post("/ui/signout")
            .header("host", "registry.example.com")
            .header("cookie", &session)
            .body(Bytes::new())
            .unwrap(),
    )
    .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let master =
        Request::get("/v1/tokens").header("authorization", "Bearer tfreg_master").body(Bytes::new()).unwrap();
    let tokens = json(&send(&h.registry, master).await);
    assert!(tokens["tokens"].as_array().unwrap().iter().all(|t| t["id"] != minted["id"]), "revoked");
    // The state is good once: the same callback again is refused.
    let again = callback(&h, &state, h.key.sign(&claims(&h, &nonce, &["team-a"]))).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

// Trusted publishing: a CI job's OIDC token for a short-lived token, by rules in the store.

const GITHUB_ACTIONS: &str = "https://idp.example.com";

async fn call(h: &Harness, method: Method, uri: &str, token: Option<&str>, body: Value) -> Response<Bytes> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    send(&h.registry, request.body(Bytes::from(body.to_string())).unwrap()).await
}

/// A GitHub Actions-shaped workload token for `reference` of `repository`.
fn workload(h: &Harness, repository: &str, reference: &str, audience: &str) -> String {
    let now = h.clock.unix_now();
    h.key.sign(&json!({
        "iss": GITHUB_ACTIONS, "aud": audience, "sub": format!("repo:{repository}:ref:{reference}"),
        "repository": repository, "ref": reference, "workflow": "release", "environment": "production",
        "iat": now, "exp": now + 300,
    }))
}

#[tokio::test]
async fn a_ci_job_exchanges_its_oidc_token_for_a_short_lived_token() {
    let h = harness(rules()).await;
    let rule = json!({
        "issuer": GITHUB_ACTIONS, "claims": {"repository": "acme/terraform-aws-network", "ref": "refs/tags/v*"},
        "tier": "uploader", "namespaces": ["Acme"], "lifetime_secs": 900, "description": "releases of network",
    });
    let uploader = h
        .registry
        .tokens()
        .create(
            tfreg_core::auth::NewToken { tier: Some(tfreg_core::auth::Role::Uploader), ..Default::default() },
            "t",
        )
        .await
        .unwrap()
        .0;
    let refused = call(&h, Method::POST, "/v1/auth/trust", Some(&uploader), rule.clone()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "only the master keeps the rules");
    let created = call(&h, Method::POST, "/v1/auth/trust", Some("tfreg_master"), rule).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let rule_id = json(&created)["id"].as_str().unwrap().to_owned();

    // A tag's workflow: an uploader token for acme, living 15 minutes.
    let token = workload(&h, "acme/terraform-aws-network", "refs/tags/v1.2.0", "tfreg");
    let exchanged = call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": token})).await;
    assert_eq!(exchanged.status(), StatusCode::OK, "{:?}", exchanged.body());
    let answer = json(&exchanged);
    assert_eq!(
        (answer["tier"].as_str(), &answer["namespaces"], answer["rule"].as_str()),
        (Some("uploader"), &json!(["acme"]), Some(rule_id.as_str()))
    );
    let minted = answer["token"].as_str().unwrap().to_owned();
    let publish = Request::put("/v1/modules/acme/network/aws/1.2.0")
        .header("authorization", format!("Bearer {minted}"));
    let published = send(&h.registry, publish.body(Bytes::from(tfreg_testkit::tiny_module())).unwrap()).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    let elsewhere = Request::put("/v1/modules/other/network/aws/1.2.0")
        .header("authorization", format!("Bearer {minted}"));
    let elsewhere =
        send(&h.registry, elsewhere.body(Bytes::from(tfreg_testkit::tiny_module())).unwrap()).await;
    assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN, "limited to the rule's namespaces");
    // It expires with the rule's lifetime.
    h.clock.advance(Duration::from_secs(901));
    let late = send(
        &h.registry,
        Request::get("/v1/modules/acme/network/aws/versions")
            .header("authorization", format!("Bearer {minted}"))
            .body(Bytes::new())
            .unwrap(),
    )
    .await;
    assert_eq!(late.status(), StatusCode::UNAUTHORIZED);

    // A branch's workflow, another repository: refused, saying which claim did not match.
    let branch = workload(&h, "acme/terraform-aws-network", "refs/heads/main", "tfreg");
    let answer = call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": branch})).await;
    let message = error_message(&answer, StatusCode::FORBIDDEN);
    assert!(message.contains(&format!("rule {rule_id}: claim ref is \"refs/heads/main\"")), "{message}");
    let other = workload(&h, "evil/terraform-aws-network", "refs/tags/v1.2.0", "tfreg");
    let message = error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": other})).await,
        StatusCode::FORBIDDEN,
    );
    assert!(message.contains("claim repository"), "{message}");
    // Another audience, an unknown issuer, not a token: 401 / 403, nothing minted.
    let audience = workload(&h, "acme/terraform-aws-network", "refs/tags/v1.2.0", "someone-else");
    error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": audience})).await,
        StatusCode::UNAUTHORIZED,
    );
    let stranger = Key::new("k9").sign(&json!({"iss": "https://ci.evil.example", "sub": "x", "aud": "tfreg", "exp": h.clock.unix_now() + 60}));
    let message = error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": stranger})).await,
        StatusCode::FORBIDDEN,
    );
    assert!(message.contains("no trust rule names the issuer"), "{message}");
    error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": "not.a.jwt"})).await,
        StatusCode::UNAUTHORIZED,
    );
    error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, json!({"jwt": 1})).await,
        StatusCode::BAD_REQUEST,
    );

    // Bad rules are refused; a rule deleted grants nothing more.
    for (bad, why) in [
        (
            json!({"issuer": "ftp://x", "claims": {"a": "b"}, "tier": "uploader", "namespaces": ["acme"]}),
            "https://",
        ),
        (
            json!({"issuer": GITHUB_ACTIONS, "claims": {}, "tier": "uploader", "namespaces": ["acme"]}),
            "at least one claim",
        ),
        (
            json!({"issuer": GITHUB_ACTIONS, "claims": {"a": "b"}, "tier": "master", "namespaces": ["acme"]}),
            "uploader or downloader",
        ),
        (
            json!({"issuer": GITHUB_ACTIONS, "claims": {"a": "b"}, "tier": "uploader", "namespaces": []}),
            "namespaces",
        ),
        (
            json!({"issuer": GITHUB_ACTIONS, "claims": {"a": "[z-a"}, "tier": "uploader", "namespaces": ["acme"]}),
            "glob",
        ),
        (
            json!({"issuer": GITHUB_ACTIONS, "claims": {"a": "b"}, "tier": "uploader", "namespaces": ["acme"], "lifetime_secs": 1}),
            "lifetime_secs",
        ),
    ] {
        let answer = call(&h, Method::POST, "/v1/auth/trust", Some("tfreg_master"), bad.clone()).await;
        assert!(error_message(&answer, StatusCode::BAD_REQUEST).contains(why), "{bad}");
    }
    let listed = json(&call(&h, Method::GET, "/v1/auth/trust", Some("tfreg_master"), json!(null)).await);
    assert_eq!(listed["rules"].as_array().unwrap().len(), 1);
    let deleted =
        call(&h, Method::DELETE, &format!("/v1/auth/trust/{rule_id}"), Some("tfreg_master"), json!(null))
            .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let token = workload(&h, "acme/terraform-aws-network", "refs/tags/v1.3.0", "tfreg");
    error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, json!({"token": token})).await,
        StatusCode::FORBIDDEN,
    );
    let audit = json(&call(&h, Method::GET, "/v1/audit?limit=100", Some("tfreg_master"), json!(null)).await);
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"token.exchange")
            && actions.contains(&"trust.create")
            && actions.contains(&"trust.delete"),
        "{actions:?}"
    );
}

// AWS callers: a signed GetCallerIdentity request, forwarded to STS, the ARN matched.

/// STS's answer for an assumed role, as AWS's API reference shows it.
const STS_ANSWER: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/ci-publisher/job-42</Arn>
    <UserId>AROACLKWSDQRAOEXAMPLE:job-42</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;

/// STS's answer to a request whose signature does not verify.
const STS_REFUSAL: &str = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>
  <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
</ErrorResponse>"#;

/// A Vault-shaped signed request (the signature is STS's to check, and this stand-in's STS
/// answers what the test says).
fn signed(url: &str, body: &str, headers: Value) -> Value {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    json!({
        "iam_http_request_method": "POST",
        "iam_request_url": b64(url),
        "iam_request_body": b64(body),
        "iam_request_headers": b64(&headers.to_string()),
    })
}

fn sts_headers(audience: &str, signed_headers: &str) -> Value {
    json!({
        "Authorization": [format!("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261203/us-east-1/sts/aws4_request, SignedHeaders={signed_headers}, Signature=0123abcd")],
        "Content-Type": ["application/x-www-form-urlencoded; charset=utf-8"],
        "Host": ["sts.amazonaws.com"],
        "X-Amz-Date": ["20261203T101500Z"],
        "X-Amz-Security-Token": ["FwoGZXIvYXdzEXAMPLE"],
        "X-Tfreg-Audience": [audience],
    })
}

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const SIGNED: &str = "content-type;host;x-amz-date;x-amz-security-token;x-tfreg-audience";

#[tokio::test]
async fn an_aws_caller_exchanges_a_signed_request_for_a_short_lived_token() {
    let h = harness(rules()).await;
    *h.idp.sts.lock().unwrap() = (200, STS_ANSWER.to_owned());
    let rule = json!({
        "issuer": "aws", "audience": "registry.example.com",
        "claims": {"role": "arn:aws:iam::123456789012:role/ci-*", "account": "123456789012"},
        "tier": "uploader", "namespaces": ["acme"],
    });
    let created = call(&h, Method::POST, "/v1/auth/trust", Some("tfreg_master"), rule).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{:?}", created.body());
    let rule_id = json(&created)["id"].as_str().unwrap().to_owned();

    let request = signed("https://sts.amazonaws.com/", BODY, sts_headers("registry.example.com", SIGNED));
    let exchanged = call(&h, Method::POST, "/v1/auth/exchange", None, request.clone()).await;
    assert_eq!(exchanged.status(), StatusCode::OK, "{:?}", exchanged.body());
    let answer = json(&exchanged);
    assert_eq!(
        (answer["tier"].as_str(), answer["rule"].as_str()),
        (Some("uploader"), Some(rule_id.as_str()))
    );
    // Forwarded as signed: the same URL, body and headers, without Host (the client sets it).
    let (url, headers, body) = h.idp.forwarded.lock().unwrap().last().unwrap().clone();
    assert_eq!((url.as_str(), body.as_slice()), ("https://sts.amazonaws.com/", BODY.as_bytes()));
    let names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["authorization", "content-type", "x-amz-date", "x-amz-security-token", "x-tfreg-audience"]
    );
    // The token names the caller; publishing works within the rule's namespaces.
    let tokens = json(&call(&h, Method::GET, "/v1/tokens", Some("tfreg_master"), json!(null)).await);
    let view = tokens["tokens"].as_array().unwrap().iter().find(|t| t["id"] == answer["id"]).unwrap().clone();
    assert_eq!(view["owner"]["subject"], "arn:aws:sts::123456789012:assumed-role/ci-publisher/job-42");
    assert_eq!(view["owner"]["issuer"], "aws");
    let minted = answer["token"].as_str().unwrap();
    let publish = Request::put("/v1/modules/acme/network/aws/1.0.0")
        .header("authorization", format!("Bearer {minted}"));
    let published = send(&h.registry, publish.body(Bytes::from(tfreg_testkit::tiny_module())).unwrap()).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());

    // Another role: refused, naming the claim.
    *h.idp.sts.lock().unwrap() = (200, STS_ANSWER.replace("ci-publisher", "developer"));
    let message = error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, request.clone()).await,
        StatusCode::FORBIDDEN,
    );
    assert!(
        message
            .contains(&format!("rule {rule_id}: claim role is \"arn:aws:iam::123456789012:role/developer\"")),
        "{message}"
    );
    // STS refuses the signature: 401 with STS's reason.
    *h.idp.sts.lock().unwrap() = (403, STS_REFUSAL.to_owned());
    let message = error_message(
        &call(&h, Method::POST, "/v1/auth/exchange", None, request).await,
        StatusCode::UNAUTHORIZED,
    );
    assert!(message.contains("SignatureDoesNotMatch"), "{message}");

    // Requests the registry never forwards: 400 (or 403 for an audience no rule names).
    let forwarded = h.idp.forwarded.lock().unwrap().len();
    let audience_unsigned = "content-type;host;x-amz-date;x-amz-security-token";
    for (request, status, why) in [
        (
            signed("https://sts.evil.example/", BODY, sts_headers("registry.example.com", SIGNED)),
            StatusCode::BAD_REQUEST,
            "not an AWS STS endpoint",
        ),
        (
            signed("http://sts.amazonaws.com/", BODY, sts_headers("registry.example.com", SIGNED)),
            StatusCode::BAD_REQUEST,
            "not an AWS STS endpoint",
        ),
        (
            signed(
                "https://sts.amazonaws.com/?Action=AssumeRole",
                BODY,
                sts_headers("registry.example.com", SIGNED),
            ),
            StatusCode::BAD_REQUEST,
            "not an AWS STS endpoint",
        ),
        (
            signed(
                "https://sts.amazonaws.com/",
                "Action=AssumeRole&Version=2011-06-15",
                sts_headers("registry.example.com", SIGNED),
            ),
            StatusCode::BAD_REQUEST,
            "GetCallerIdentity",
        ),
        (
            signed(
                "https://sts.amazonaws.com/",
                &format!("{BODY}&RoleArn=x"),
                sts_headers("registry.example.com", SIGNED),
            ),
            StatusCode::BAD_REQUEST,
            "GetCallerIdentity",
        ),
        (
            signed(
                "https://sts.amazonaws.com/",
                BODY,
                sts_headers("registry.example.com", audience_unsigned),
            ),
            StatusCode::BAD_REQUEST,
            "X-Tfreg-Audience",
        ),
        (
            signed("https://sts.amazonaws.com/", BODY, json!({"X-Tfreg-Audience": "registry.example.com"})),
            StatusCode::BAD_REQUEST,
            "Signature Version 4",
        ),
        (
            signed("https://sts.amazonaws.com/", BODY, json!(["not", "an", "object"])),
            StatusCode::BAD_REQUEST,
            "JSON object",
        ),
        (
            json!({"iam_request_url": "%%%", "iam_request_body": "", "iam_request_headers": ""}),
            StatusCode::BAD_REQUEST,
            "base64",
        ),
        (json!({"iam_http_request_method": "GET", "iam_request_url": ""}), StatusCode::BAD_REQUEST, "POST"),
        (json!({}), StatusCode::BAD_REQUEST, "neither a token"),
        (
            signed("https://sts.amazonaws.com/", BODY, sts_headers("another-registry", SIGNED)),
            StatusCode::FORBIDDEN,
            "audience",
        ),
    ] {
        let message =
            error_message(&call(&h, Method::POST, "/v1/auth/exchange", None, request.clone()).await, status);
        assert!(message.contains(why), "{request}: {message}");
    }
    assert_eq!(h.idp.forwarded.lock().unwrap().len(), forwarded, "nothing refused reached STS");
    // A regional endpoint is AWS's too.
    *h.idp.sts.lock().unwrap() = (200, STS_ANSWER.to_owned());
    let mut headers = sts_headers("registry.example.com", SIGNED);
    headers["Host"] = json!(["sts.eu-west-1.amazonaws.com"]);
    let regional = signed("https://sts.eu-west-1.amazonaws.com/", BODY, headers);
    assert_eq!(call(&h, Method::POST, "/v1/auth/exchange", None, regional).await.status(), StatusCode::OK);
}
