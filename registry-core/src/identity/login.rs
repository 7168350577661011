//! The three steps of a sign-in: `GET /oauth/authorization` (from Terraform, sent on to the
//! provider), `GET /oauth/callback` (back from the provider: the ID token checked, the grant
//! decided, a one-time code for Terraform), `POST /oauth/token` (Terraform trades the code and
//! its PKCE verifier for a tfreg token). Pending sign-ins (10 minutes) and codes (1 minute) are
//! single-use records under `identity/`.

use base64::Engine;
use bytes::Bytes;
use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{IdentityService, TERRAFORM_CLIENT_ID, TERRAFORM_PORTS};
use crate::auth::{NewToken, Role, TokenOwner};
use crate::http::body::Body;
use crate::http::{response, RequestContext};
use crate::storage::{read_json, write_json, PutMode};
use crate::{Error, Result};

const PENDING_SECS: u64 = 600;
const CODE_SECS: u64 = 60;

/// A sign-in sent to the provider, waiting for it to come back.
#[derive(Serialize, Deserialize)]
struct Pending {
    /// Terraform's: its redirect, its state and its PKCE challenge (empty for the web UI's).
    redirect_uri: String,
    state: String,
    challenge: String,
    nonce: String,
    verifier: String,
    callback: String,
    created_at: u64,
    /// The web UI's sign-in: where the session starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ui: Option<UiReturn>,
}

/// Where a web UI sign-in goes back to: the UI's root and the session cookie's path.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct UiReturn {
    pub(crate) home: String,
    pub(crate) cookie_path: String,
}

/// A code handed to Terraform, waiting to be traded for a token.
#[derive(Serialize, Deserialize)]
struct Code {
    redirect_uri: String,
    challenge: String,
    tier: Role,
    namespaces: Option<Vec<String>>,
    owner: TokenOwner,
    created_at: u64,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn random() -> Result<String> {
    Ok(b64(&crate::random::bytes::<32>()?))
}

fn challenge_of(verifier: &str) -> String {
    b64(&Sha256::digest(verifier.as_bytes()))
}

/// Terraform's redirect: `http://localhost:PORT/login` (or 127.0.0.1), a port in its range.
fn check_redirect(raw: &str) -> Result<()> {
    let url = url::Url::parse(raw).map_err(|_| Error::bad_request("redirect_uri is not a URL"))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let port = url.port().is_some_and(|p| (TERRAFORM_PORTS.0..=TERRAFORM_PORTS.1).contains(&p));
    match url.scheme() == "http" && loopback && port && url.path() == "/login" {
        true => Ok(()),
        false => Err(Error::bad_request(format!(
            "redirect_uri must be Terraform's http://localhost:PORT/login with a port from {} to {}",
            TERRAFORM_PORTS.0, TERRAFORM_PORTS.1
        ))),
    }
}

fn required<'a>(ctx: &'a RequestContext, name: &str) -> Result<&'a str> {
    ctx.query
        .get(name)
        .filter(|v| !v.is_empty() && v.len() <= 2048)
        .ok_or_else(|| Error::bad_request(format!("{name} is missing")))
}

/// Reads and removes a single-use record: `None` when there is none (used, or never made).
async fn take<T: serde::de::DeserializeOwned>(service: &IdentityService, key: &str) -> Result<Option<T>> {
    let found = read_json(service.storage.as_ref(), key, "sign-in record").await?;
    if found.is_some() {
        service.storage.delete(key).await?;
    }
    Ok(found)
}

/// An answer of the token endpoint: OAuth's `error` fields beside the registry's `errors`.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response<Body> {
    let body = serde_json::json!({"error": error, "error_description": description, "errors": [description]});
    let mut answer = response::json(status, &body);
    answer.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    answer
}

impl IdentityService {
    /// Where the provider sends the person back: the public URL's, else the request's origin.
    fn callback(&self, ctx: &RequestContext, links: &crate::http::Links) -> Result<String> {
        let path = links.to("/oauth/callback");
        if path.starts_with("https://") || path.starts_with("http://") {
            return Ok(path);
        }
        let origin = ctx.origin().ok_or_else(|| Error::bad_request("the request names no host"))?;
        Ok(format!("{origin}{path}"))
    }

    /// `GET /oauth/authorization`: Terraform's authorization request, sent on to the provider.
    pub(crate) async fn authorization(
        &self,
        ctx: &RequestContext,
        links: &crate::http::Links,
    ) -> Result<Response<Body>> {
        if required(ctx, "response_type")? != "code" {
            return Err(Error::bad_request("response_type must be code"));
        }
        if required(ctx, "client_id")? != TERRAFORM_CLIENT_ID {
            return Err(Error::bad_request(format!("client_id must be {TERRAFORM_CLIENT_ID}")));
        }
        let redirect_uri = required(ctx, "redirect_uri")?;
        check_redirect(redirect_uri)?;
        if required(ctx, "code_challenge_method")? != "S256" {
            return Err(Error::bad_request("code_challenge_method must be S256"));
        }
        let challenge = required(ctx, "code_challenge")?;
        if challenge.len() != 43 {
            return Err(Error::bad_request("code_challenge must be a base64url SHA-256"));
        }
        let state = required(ctx, "state")?;
        let terraform = Pending {
            redirect_uri: redirect_uri.to_owned(),
            state: state.to_owned(),
            challenge: challenge.to_owned(),
            ui: None,
            ..self.pending(ctx, links)?
        };
        self.send_to_provider(terraform).await
    }

    /// `GET {ui}/signin/sso`: the web UI's sign-in, sent to the provider; back at the callback it
    /// opens a UI session instead of answering Terraform.
    pub(crate) async fn ui_sign_in(
        &self,
        ctx: &RequestContext,
        links: &crate::http::Links,
        back: UiReturn,
    ) -> Result<Response<Body>> {
        let pending = Pending { ui: Some(back), ..self.pending(ctx, links)? };
        self.send_to_provider(pending).await
    }

    /// A sign-in's own secrets (nonce, PKCE verifier) and callback, for nobody yet.
    fn pending(&self, ctx: &RequestContext, links: &crate::http::Links) -> Result<Pending> {
        Ok(Pending {
            redirect_uri: String::new(),
            state: String::new(),
            challenge: String::new(),
            nonce: random()?,
            verifier: random()?,
            callback: self.callback(ctx, links)?,
            created_at: self.clock.unix_now(),
            ui: None,
        })
    }

    /// Records `pending` and sends the person to the provider's authorization endpoint.
    async fn send_to_provider(&self, pending: Pending) -> Result<Response<Body>> {
        let metadata = self.verifier.metadata().await?;
        let id = random()?;
        let key = format!("identity/logins/{}.json", hex::encode(Sha256::digest(id.as_bytes())));
        write_json(self.storage.as_ref(), &key, &pending, PutMode::Create).await?;
        let mut scopes = vec!["openid".to_owned()];
        scopes.extend(self.config.scopes.iter().filter(|s| *s != "openid").cloned());
        let mut url = url::Url::parse(&metadata.authorization_endpoint).map_err(|e| {
            Error::upstream(format!("the provider's authorization endpoint is not a URL: {e}"))
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &pending.callback)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", &id)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &challenge_of(&pending.verifier))
            .append_pair("code_challenge_method", "S256");
        response::redirect(StatusCode::FOUND, url.as_str())
    }

    /// `GET /oauth/callback`: back from the provider.
    pub(crate) async fn callback_answer(
        &self,
        ctx: &RequestContext,
        links: &crate::http::Links,
    ) -> Result<Response<Body>> {
        let state = required(ctx, "state")?;
        let key = format!("identity/logins/{}.json", hex::encode(Sha256::digest(state.as_bytes())));
        let pending: Pending = take(self, &key).await?.ok_or_else(|| {
            Error::bad_request("this sign-in is unknown or was used; run terraform login again")
        })?;
        let now = self.clock.unix_now();
        if now.saturating_sub(pending.created_at) > PENDING_SECS {
            return Err(Error::bad_request("this sign-in took too long; run terraform login again"));
        }
        if let Some(error) = ctx.query.get("error") {
            let description = ctx.query.get("error_description").unwrap_or("");
            self.audit.record("anonymous", "login.signin", error, StatusCode::FORBIDDEN).await;
            return Err(Error::forbidden(format!("the identity provider said {error}: {description}")));
        }
        let code = required(ctx, "code")?;
        let metadata = self.verifier.metadata().await?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", pending.callback.as_str()),
            ("code_verifier", pending.verifier.as_str()),
        ];
        let basic = Some((self.config.client_id.as_str(), self.config.client_secret.as_str()));
        let (status, answer) = self.http.post_form(&metadata.token_endpoint, &form, basic).await?;
        let id_token =
            answer.get("id_token").and_then(|t| t.as_str()).filter(|_| status == 200).ok_or_else(|| {
                let error = answer.get("error").and_then(|e| e.as_str()).unwrap_or("no ID token");
                Error::unauthorized(format!(
                    "the identity provider did not accept the sign-in ({status}: {error})"
                ))
            })?;
        let claims = match self.verifier.verify(id_token, Some(&pending.nonce)).await {
            Ok(claims) => claims,
            Err(err) => {
                self.audit.record("anonymous", "login.signin", "invalid ID token", err.status()).await;
                return Err(err);
            }
        };
        let subject = claims.get("sub").and_then(|s| s.as_str()).unwrap_or_default().to_owned();
        let email = claims.get("email").and_then(|s| s.as_str()).map(str::to_owned);
        let actor = format!("oidc:{subject}");
        let who = email.clone().unwrap_or_else(|| subject.clone());
        let (tier, namespaces, why) = match self.config.rules.grant(&claims) {
            Ok(grant) => grant,
            Err(err) => {
                self.audit.record(&actor, "login.signin", &who, err.status()).await;
                return Err(err);
            }
        };
        tracing::info!(subject = %subject, email = ?email, ?tier, ?namespaces, rules = ?why, "signed in");
        self.audit.record(&actor, "login.signin", &who, StatusCode::OK).await;
        let owner = TokenOwner { issuer: self.config.issuer.clone(), subject, email };
        if let Some(back) = &pending.ui {
            return self.ui_session(ctx, links, back, tier, namespaces, owner).await;
        }
        let code = random()?;
        let record = Code {
            redirect_uri: pending.redirect_uri.clone(),
            challenge: pending.challenge.clone(),
            tier,
            namespaces,
            owner,
            created_at: now,
        };
        let key = format!("identity/codes/{}.json", hex::encode(Sha256::digest(code.as_bytes())));
        write_json(self.storage.as_ref(), &key, &record, PutMode::Create).await?;
        let mut back =
            url::Url::parse(&pending.redirect_uri).map_err(|_| Error::internal("a stored redirect_uri"))?;
        back.query_pairs_mut().append_pair("code", &code).append_pair("state", &pending.state);
        response::redirect(StatusCode::FOUND, back.as_str())
    }

    /// The end of a web UI sign-in: a token for the person living as long as a UI session
    /// (or the configured lifetime, when shorter), kept in the session cookie. The answer is a
    /// page of the registry's own that moves on to the UI, so the `SameSite=Strict` cookie is
    /// sent (a redirect chain that began at the provider would not send it).
    async fn ui_session(
        &self,
        ctx: &RequestContext,
        links: &crate::http::Links,
        back: &UiReturn,
        tier: Role,
        namespaces: Option<Vec<String>>,
        owner: TokenOwner,
    ) -> Result<Response<Body>> {
        let lifetime = self.config.token_lifetime.as_secs().min(crate::ui::session::SESSION_SECS);
        let by = crate::ui::session::SSO_CREATOR;
        let token = self.mint("web UI sign-in", by, tier, namespaces, owner, lifetime).await?;
        let value = crate::ui::session::value(links.signer(), &token, self.clock.unix_now() + lifetime);
        let cookie = crate::ui::session::set_cookie(Some(&value), &back.cookie_path, ctx.scheme == "https");
        Ok(crate::ui::landing(&back.home, &cookie))
    }

    /// The signed-in person's token, living `lifetime` seconds: its description names the
    /// sign-in (`what`), its record says it was made by `by` then `oidc:{subject}`; audited as
    /// `token.login`.
    async fn mint(
        &self,
        what: &str,
        by: &str,
        tier: Role,
        namespaces: Option<Vec<String>>,
        owner: TokenOwner,
        lifetime: u64,
    ) -> Result<String> {
        let who = owner.email.clone().unwrap_or_else(|| owner.subject.clone());
        let actor = format!("oidc:{}", owner.subject);
        let spec = NewToken {
            tier: Some(tier),
            namespaces,
            description: Some(format!("{what}: {who}")),
            expires_in_days: None,
        };
        let by = format!("{by}{actor}");
        let (token, record) = self.tokens.create_for(spec, &by, Some(lifetime), Some(owner)).await?;
        self.audit.record(&actor, "token.login", &record.id, StatusCode::OK).await;
        Ok(token)
    }

    /// `POST /oauth/token`: Terraform trades the code for a token.
    pub(crate) async fn token(&self, body: &Bytes) -> Result<Response<Body>> {
        let form: std::collections::HashMap<String, String> =
            form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        if field("grant_type") != "authorization_code" {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code",
            ));
        }
        if field("client_id") != TERRAFORM_CLIENT_ID {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                "client_id must be terraform-cli",
            ));
        }
        let key = format!("identity/codes/{}.json", hex::encode(Sha256::digest(field("code").as_bytes())));
        let Some(code) = take::<Code>(self, &key).await? else {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the code is unknown or was used",
            ));
        };
        let now = self.clock.unix_now();
        let fresh = now.saturating_sub(code.created_at) <= CODE_SECS;
        let verifier_ok =
            bool::from(challenge_of(field("code_verifier")).as_bytes().ct_eq(code.challenge.as_bytes()));
        if !fresh || field("redirect_uri") != code.redirect_uri || !verifier_ok {
            let actor = format!("oidc:{}", code.owner.subject);
            self.audit.record(&actor, "token.login", "refused code", StatusCode::BAD_REQUEST).await;
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the code expired, or the redirect_uri or code_verifier does not match",
            ));
        }
        let lifetime = self.config.token_lifetime.as_secs();
        let token =
            self.mint("terraform login", "", code.tier, code.namespaces, code.owner, lifetime).await?;
        let body = serde_json::json!({"access_token": token, "token_type": "bearer", "expires_in": lifetime});
        let mut answer = response::json(StatusCode::OK, &body);
        answer.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
        Ok(answer)
    }
}
