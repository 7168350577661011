//! Trusted publishing: a CI job presents its platform's OIDC token (GitHub Actions, GitLab CI,
//! any issuer a rule names), or an AWS caller its signed `GetCallerIdentity` request
//! ([`super::aws`]), to `POST /v1/auth/exchange` and gets a short-lived tfreg token, by
//! rules kept in the store (`identity/trust/{id}.json`, managed by the master through
//! `/v1/auth/trust`), as crates.io and PyPI do: the token is checked against its issuer's keys
//! (issuer, audience, expiry), then every claim the rule names must match its glob. Only
//! issuers some rule names are ever contacted; a refusal says which claim of which rule did not
//! match.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::Value;

use super::http::OidcHttp;
use super::verify::Verifier;
use crate::admin::AuditLog;
use crate::auth::{NewToken, Role, TokenOwner, TokenStore};
use crate::clock::SharedClock;
use crate::http::body::Body;
use crate::http::router::AuditTarget;
use crate::http::{response, RequestContext};
use crate::protocol::{CreateTrust, ExchangeRequest, Exchanged, TrustList, TrustView};
use crate::storage::{read_json, write_json, PutMode, Storage};
use crate::types::Name;
use crate::{Error, Result};

const PREFIX: &str = "identity/trust/";
const DEFAULT_LIFETIME: u64 = 900;
const MAX_LIFETIME: u64 = 12 * 3600;

/// Trusted publishing.
#[derive(Debug)]
pub(crate) struct TrustService {
    storage: Arc<dyn Storage>,
    tokens: Arc<TokenStore>,
    audit: AuditLog,
    clock: SharedClock,
    http: Option<Arc<dyn OidcHttp>>,
    sts_url: Option<String>,
    verifiers: tokio::sync::Mutex<HashMap<(String, String), Arc<Verifier>>>,
}

fn tier(name: &str) -> Result<Role> {
    match Role::named(name) {
        Some(role) if role != Role::Master => Ok(role),
        _ => Err(Error::bad_request(format!("a trust rule grants uploader or downloader, not {name:?}"))),
    }
}

/// The claim's values as text (a list gives each of its items).
fn values(claim: &Value) -> Vec<String> {
    match claim {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(values).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// Why `claims` do not meet `rule`, or `None` when they do.
fn mismatch(rule: &TrustView, claims: &Value) -> Option<String> {
    for (name, pattern) in &rule.claims {
        let glob = globset::Glob::new(pattern).ok()?.compile_matcher();
        let found = claims.get(name).map(values).unwrap_or_default();
        if !found.iter().any(|v| glob.is_match(v)) {
            let shown = match found.as_slice() {
                [] => "missing".to_owned(),
                [one] => format!("{one:?}"),
                many => format!("{many:?}"),
            };
            return Some(format!(
                "rule {}: claim {name} is {shown}, which does not match {pattern:?}",
                rule.id
            ));
        }
    }
    None
}

/// Who the audit names for verified `claims` of `issuer`.
fn actor(issuer: &str, claims: &Value) -> String {
    let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    format!("{}:{subject}", if issuer == super::aws::ISSUER { "aws" } else { "oidc" })
}

/// The `iss` a JWT names, read before it is verified (to know which keys verify it).
pub(crate) fn issuer_of(token: &str) -> Result<String> {
    let payload =
        token.split('.').nth(1).ok_or_else(|| Error::unauthorized("the token is not a JSON Web Token"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| Error::unauthorized("the token is not a JSON Web Token"))?;
    let claims: Value = serde_json::from_slice(&bytes)
        .map_err(|_| Error::unauthorized("the token is not a JSON Web Token"))?;
    claims
        .get("iss")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Error::unauthorized("the token names no issuer"))
}

impl TrustService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        tokens: Arc<TokenStore>,
        audit: AuditLog,
        clock: SharedClock,
        http: Option<Arc<dyn OidcHttp>>,
        sts_url: Option<String>,
    ) -> Self {
        let verifiers = tokio::sync::Mutex::new(HashMap::new());
        Self { storage, tokens, audit, clock, http, sts_url, verifiers }
    }

    async fn rules(&self) -> Result<Vec<TrustView>> {
        let mut rules = Vec::new();
        for object in self.storage.list(PREFIX).await? {
            rules.extend(read_json::<TrustView>(self.storage.as_ref(), &object.key, "trust rule").await?);
        }
        rules.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(rules)
    }

    /// `POST /v1/auth/trust`
    pub(crate) async fn create(&self, ctx: &RequestContext, body: &[u8]) -> Result<Response<Body>> {
        let request: CreateTrust = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_body(
                "the body must be JSON like {\"issuer\": \"https://token.actions.githubusercontent.com\", \"claims\": {\"repository\": \"acme/terraform-aws-network\", \"ref\": \"refs/tags/v*\"}, \"tier\": \"uploader\", \"namespaces\": [\"acme\"]}",
                e,
            )
        })?;
        let issuer = match request.issuer.as_str() {
            super::aws::ISSUER => super::aws::ISSUER.to_owned(),
            other => url::Url::parse(other)
                .ok()
                .filter(|u| {
                    u.scheme() == "https"
                        || (u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost")))
                })
                .ok_or_else(|| Error::bad_request("the issuer must be an https:// URL, or aws"))?
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        };
        tier(&request.tier)?;
        if request.claims.is_empty() {
            return Err(Error::bad_request(
                "a trust rule must name at least one claim (repository, ref, ...)",
            ));
        }
        for (name, pattern) in &request.claims {
            globset::Glob::new(pattern)
                .map_err(|e| Error::bad_request(format!("the pattern of claim {name} is not a glob: {e}")))?;
        }
        if request.namespaces.is_empty() {
            return Err(Error::bad_request("a trust rule must name the namespaces it grants"));
        }
        let namespaces = request
            .namespaces
            .iter()
            .map(|n| Name::parse(n, "namespace").map(|n| n.key().to_owned()))
            .collect::<Result<Vec<_>>>()?;
        let lifetime = request.lifetime_secs.unwrap_or(DEFAULT_LIFETIME);
        if !(60..=MAX_LIFETIME).contains(&lifetime) {
            return Err(Error::bad_request(format!("lifetime_secs must be from 60 to {MAX_LIFETIME}")));
        }
        let rule = TrustView {
            id: hex::encode(crate::random::bytes::<16>()?),
            issuer,
            audience: request.audience.unwrap_or_else(|| "tfreg".to_owned()),
            claims: request.claims,
            tier: request.tier,
            namespaces,
            lifetime_secs: lifetime,
            description: request.description,
            created_by: ctx.actor().to_owned(),
            created_at: crate::clock::rfc3339(self.clock.unix_now()),
        };
        write_json(self.storage.as_ref(), &format!("{PREFIX}{}.json", rule.id), &rule, PutMode::Create)
            .await?;
        let mut answer = response::json(StatusCode::CREATED, &rule);
        answer.extensions_mut().insert(AuditTarget(format!("trust/{}", rule.id)));
        Ok(answer)
    }

    /// `GET /v1/auth/trust`
    pub(crate) async fn list(&self) -> Result<Response<Body>> {
        Ok(response::json(StatusCode::OK, &TrustList { rules: self.rules().await? }))
    }

    /// `DELETE /v1/auth/trust/{id}`
    pub(crate) async fn delete(&self, id: &str) -> Result<Response<Body>> {
        let key = format!("{PREFIX}{id}.json");
        if self.storage.head(&key).await?.is_none() {
            return Err(Error::not_found(format!("no trust rule {id}")));
        }
        self.storage.delete(&key).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    fn http(&self) -> Result<Arc<dyn OidcHttp>> {
        self.http
            .clone()
            .ok_or_else(|| Error::internal("this registry has no HTTP client for identity providers"))
    }

    async fn verifier(&self, issuer: &str, audience: &str) -> Result<Arc<Verifier>> {
        let http = self.http()?;
        let mut verifiers = self.verifiers.lock().await;
        let key = (issuer.to_owned(), audience.to_owned());
        Ok(verifiers
            .entry(key)
            .or_insert_with(|| Arc::new(Verifier::new(http, issuer, audience, self.clock.clone())))
            .clone())
    }

    /// `POST /v1/auth/exchange`: a workload's OIDC token, or an AWS caller's signed
    /// `GetCallerIdentity` request, for a short-lived tfreg token.
    pub(crate) async fn exchange(&self, body: &Bytes) -> Result<Response<Body>> {
        let request: ExchangeRequest = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_body(
                "the body must be JSON like {\"token\": \"<the CI platform's OIDC token>\"} or an AWS caller's signed request {\"iam_request_url\", \"iam_request_body\", \"iam_request_headers\"}",
                e,
            )
        })?;
        match &request.token {
            Some(_) if request.iam_request_url.is_some() => {
                Err(Error::bad_request("send either a token or a signed AWS request, not both"))
            }
            Some(token) => self.exchange_oidc(token).await,
            None if request.iam_request_url.is_none() => Err(Error::bad_request(
                "the body has neither a token (the CI platform's OIDC token) nor a signed AWS request",
            )),
            None => self.exchange_aws(&request).await,
        }
    }

    async fn exchange_oidc(&self, token: &str) -> Result<Response<Body>> {
        let issuer = issuer_of(token)?;
        let issuer = issuer.trim_end_matches('/');
        let rules = self.rules_of(issuer).await?;
        let (mut why, mut mismatched) = (Vec::new(), Vec::new());
        let mut verified_as = None;
        let mut audiences: Vec<&str> = rules.iter().map(|r| r.audience.as_str()).collect();
        audiences.sort_unstable();
        audiences.dedup();
        for audience in audiences {
            match self.verifier(issuer, audience).await?.verify(token, None).await {
                Ok(claims) => {
                    if let Some(answer) =
                        self.grant(issuer, audience, &rules, &claims, &mut mismatched).await?
                    {
                        return Ok(answer);
                    }
                    verified_as = Some(actor(issuer, &claims));
                }
                Err(err) => why.push(format!("for audience {audience}: {err}")),
            }
        }
        match verified_as {
            Some(actor) => self.refuse(&actor, issuer, &mismatched).await,
            None => {
                self.audit.record("anonymous", "token.exchange", issuer, StatusCode::UNAUTHORIZED).await;
                Err(Error::unauthorized(why.join("; ")))
            }
        }
    }

    async fn exchange_aws(&self, request: &ExchangeRequest) -> Result<Response<Body>> {
        let signed = super::aws::signed_request(request, self.sts_url.as_deref())?;
        let rules = self.rules_of(super::aws::ISSUER).await?;
        if !rules.iter().any(|r| r.audience == signed.audience) {
            self.audit.record("anonymous", "token.exchange", "aws", StatusCode::FORBIDDEN).await;
            return Err(Error::forbidden(format!(
                "no trust rule for AWS callers has the audience {:?}",
                crate::types::truncate(&signed.audience)
            )));
        }
        let (status, answer) = self.http()?.post_signed(&signed.url, &signed.headers, signed.body).await?;
        let claims = match super::aws::claims(status, &answer) {
            Ok(claims) => claims,
            Err(err) => {
                self.audit.record("anonymous", "token.exchange", "aws", err.status()).await;
                return Err(err);
            }
        };
        let mut mismatched = Vec::new();
        match self.grant(super::aws::ISSUER, &signed.audience, &rules, &claims, &mut mismatched).await? {
            Some(answer) => Ok(answer),
            None => self.refuse(&actor(super::aws::ISSUER, &claims), super::aws::ISSUER, &mismatched).await,
        }
    }

    async fn refuse(&self, actor: &str, issuer: &str, why: &[String]) -> Result<Response<Body>> {
        self.audit.record(actor, "token.exchange", issuer, StatusCode::FORBIDDEN).await;
        Err(Error::forbidden(format!("no trust rule matches this identity: {}", why.join("; "))))
    }

    /// The rules naming `issuer` (403 when there are none).
    async fn rules_of(&self, issuer: &str) -> Result<Vec<TrustView>> {
        let rules: Vec<TrustView> = self.rules().await?.into_iter().filter(|r| r.issuer == issuer).collect();
        if rules.is_empty() {
            self.audit.record("anonymous", "token.exchange", issuer, StatusCode::FORBIDDEN).await;
            return Err(Error::forbidden(format!(
                "no trust rule names the issuer {}",
                crate::types::truncate(issuer)
            )));
        }
        Ok(rules)
    }

    /// A token by the first of `rules` for `audience` the verified `claims` meet; `None`,
    /// with why each rule did not match added to `why`, when none does.
    async fn grant(
        &self,
        issuer: &str,
        audience: &str,
        rules: &[TrustView],
        claims: &Value,
        why: &mut Vec<String>,
    ) -> Result<Option<Response<Body>>> {
        let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_owned();
        let actor = actor(issuer, claims);
        for rule in rules.iter().filter(|r| r.audience == audience) {
            if let Some(reason) = mismatch(rule, claims) {
                why.push(reason);
                continue;
            }
            let spec = NewToken {
                tier: Some(tier(&rule.tier)?),
                namespaces: Some(rule.namespaces.clone()),
                description: Some(format!("trusted publishing: {subject}")),
                expires_in_days: None,
            };
            let owner = TokenOwner { issuer: issuer.to_owned(), subject: subject.clone(), email: None };
            let by = format!("trust:{}", rule.id);
            let (token, record) =
                self.tokens.create_for(spec, &by, Some(rule.lifetime_secs), Some(owner)).await?;
            self.audit.record(&actor, "token.exchange", &record.id, StatusCode::OK).await;
            tracing::info!(subject, rule = %rule.id, token = %record.id, "workload token exchanged");
            let answer = Exchanged {
                token,
                id: record.id,
                expires_at: record.expires_at.unwrap_or_default(),
                tier: rule.tier.clone(),
                namespaces: rule.namespaces.clone(),
                rule: rule.id.clone(),
            };
            return Ok(Some(response::json(StatusCode::OK, &answer)));
        }
        Ok(None)
    }
}

/// A trust rule's id as a path names it.
pub(crate) fn parse_id(id: &str) -> Result<String> {
    match id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        true => Ok(id.to_owned()),
        false => Err(Error::not_found(format!("no trust rule {:?}", crate::types::truncate(id)))),
    }
}
