//! The webhook endpoints: `POST /v1/webhooks/github` for the App, and
//! `POST /v1/webhooks/{github|gitlab|bitbucket}/{id}` for a registered source. A delivery is
//! verified, read, and claimed by its id before anything is done; the answer is its record
//! (200), or a 502 with `{"errors": [...]}` when some of it failed (the host then shows it
//! failed, and a redelivery tries again).

use bytes::Bytes;
use http::{Response, StatusCode};

use super::deliveries::{delivery_id, Claim};
use super::installations::{deleted_tag, not_a_module};
use super::payloads::{self, Event};
use super::sources::SourceRecord;
use super::{signature, ScmKind, ScmService};
use crate::http::body::Body;
use crate::http::{response, RequestContext};
use crate::protocol::{DeliveryList, DeliveryResult};
use crate::{Error, Result};

/// The most deliveries `GET /v1/webhooks/deliveries` answers.
const MAX_LISTED: usize = 500;

/// The header a host names its event in, and a 400 when it is missing.
fn event_header<'a>(ctx: &'a RequestContext, name: &str) -> Result<&'a str> {
    ctx.header(name).ok_or_else(|| Error::bad_request(format!("the delivery has no {name} header")))
}

/// `X-GitHub-Event` with the payload's `action`, for the records: `installation.created`.
fn label(event: &str, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Action {
        action: Option<String>,
    }
    match serde_json::from_slice::<Action>(body).ok().and_then(|a| a.action) {
        Some(action) => format!("{event}.{}", crate::types::truncate(&action)),
        None => crate::types::truncate(event).to_owned(),
    }
}

impl ScmService {
    /// `POST /v1/webhooks/github`: a delivery to the GitHub App.
    pub(crate) async fn app_hook(&self, ctx: &RequestContext, body: &Bytes) -> Result<Response<Body>> {
        let app = self.app()?;
        let secret = app.webhook_secret.as_bytes();
        signature::check_hmac(secret, body, ctx.header("x-hub-signature-256"), "X-Hub-Signature-256")?;
        let name = event_header(ctx, "x-github-event")?;
        let event = payloads::github::event(name, body)?;
        let id = delivery_id(ctx.header("x-github-delivery"), body);
        let claim = self.deliveries.claim("github-app", None, &id, &label(name, body)).await?;
        self.deliver(claim, self.app_event(event)).await
    }

    /// `POST /v1/webhooks/{kind}/{id}`: a delivery to a registered source's own hook.
    pub(crate) async fn source_hook(
        &self,
        ctx: &RequestContext,
        kind: &str,
        id: &str,
        body: &Bytes,
    ) -> Result<Response<Body>> {
        let record = self.source(id).await?;
        if record.kind.hook_path() != kind {
            return Err(Error::not_found(format!("no {kind} source {id}")));
        }
        let secret = record.secret.as_bytes();
        let (name, sent_id, events) = match record.kind {
            ScmKind::Github => {
                signature::check_hmac(
                    secret,
                    body,
                    ctx.header("x-hub-signature-256"),
                    "X-Hub-Signature-256",
                )?;
                let name = event_header(ctx, "x-github-event")?;
                (
                    label(name, body),
                    ctx.header("x-github-delivery"),
                    vec![payloads::github::event(name, body)?],
                )
            }
            ScmKind::Gitlab => {
                signature::check_token(secret, ctx.header("x-gitlab-token"), "X-Gitlab-Token")?;
                let name = event_header(ctx, "x-gitlab-event")?;
                // Idempotency-Key (GitLab 17.4+) stays the same across retries.
                let sent = ctx.header("idempotency-key").or_else(|| ctx.header("x-gitlab-event-uuid"));
                (name.to_owned(), sent, vec![payloads::gitlab::event(name, body)?])
            }
            ScmKind::Bitbucket | ScmKind::BitbucketServer => {
                signature::check_hmac(secret, body, ctx.header("x-hub-signature"), "X-Hub-Signature")?;
                let name = event_header(ctx, "x-event-key")?;
                let sent = ctx.header("x-request-uuid").or_else(|| ctx.header("x-request-id"));
                (name.to_owned(), sent, payloads::bitbucket::events(name, body)?)
            }
        };
        for event in &events {
            if let Event::Tag { repository, .. } | Event::TagDeleted { repository, .. } = event {
                if !repository.full_name.eq_ignore_ascii_case(&record.repository) {
                    return Err(Error::bad_request(format!(
                        "the delivery is for {}, and this hook is for {}",
                        crate::types::truncate(&repository.full_name),
                        record.repository
                    )));
                }
            }
        }
        let delivery = delivery_id(sent_id, body);
        let claim = self.deliveries.claim(record.kind.as_str(), Some(&record.id), &delivery, &name).await?;
        self.deliver(claim, self.source_events(&record, events)).await
    }

    /// Does what a claimed delivery asks, and answers its record.
    async fn deliver(
        &self,
        claim: Claim,
        work: impl std::future::Future<Output = Result<(String, Vec<DeliveryResult>)>>,
    ) -> Result<Response<Body>> {
        let record = match claim {
            Claim::Duplicate(record) => {
                tracing::info!(delivery = %record.id, "a delivery handled already arrived again; nothing done");
                return Ok(response::json(StatusCode::OK, &record));
            }
            Claim::Handle(record) => record,
        };
        let (message, results) = match work.await {
            Ok(done) => done,
            Err(err) => (
                err.to_string(),
                vec![DeliveryResult {
                    target: String::new(),
                    version: None,
                    outcome: "failed".to_owned(),
                    message: err.to_string(),
                }],
            ),
        };
        let record = self.deliveries.finish(record, message, results).await;
        if record.status == "failed" {
            let failed: Vec<&str> =
                record.results.iter().filter(|r| r.outcome == "failed").map(|r| r.message.as_str()).collect();
            return Err(Error::Upstream {
                message: format!(
                    "delivery {} did not do everything it asked: {}; see GET /v1/webhooks/deliveries",
                    record.id,
                    failed.join("; ")
                ),
                timeout: false,
                source: None,
            });
        }
        Ok(response::json(StatusCode::OK, &record))
    }

    /// What deliveries to a source's hook ask: tags of its repository become versions.
    async fn source_events(
        &self,
        record: &SourceRecord,
        events: Vec<Event>,
    ) -> Result<(String, Vec<DeliveryResult>)> {
        let (reference, modules) = (record.reference(), record.modules());
        let by = format!("source:{}", record.id);
        let mut messages = Vec::new();
        let mut results = Vec::new();
        for event in events {
            match event {
                Event::Ping => messages.push("pong".to_owned()),
                Event::Ignored(why) => messages.push(why),
                Event::TagDeleted { repository, tag } => messages.push(deleted_tag(&repository, &tag)),
                Event::Tag { repository, tag, .. } => {
                    if modules.is_empty() {
                        messages.push(not_a_module(&repository));
                    }
                    let before = results.len();
                    for module in &modules {
                        results.extend(self.publish_tag(&reference, module, &tag, &by).await);
                    }
                    if results.len() == before {
                        messages.push(format!("tag {tag} is not a version of any of this source's modules"));
                    }
                }
                _ => {
                    messages.push("a GitHub App event, sent to a repository's hook: nothing to do".to_owned())
                }
            }
        }
        Ok((messages.join("; "), results))
    }

    /// `GET /v1/webhooks/deliveries?limit=`: the most recent deliveries, newest first.
    pub(crate) async fn deliveries(&self, ctx: &RequestContext) -> Result<Response<Body>> {
        let limit = match ctx.query.get("limit") {
            None => 50,
            Some(raw) => {
                raw.parse::<usize>().ok().filter(|n| (1..=MAX_LISTED).contains(n)).ok_or_else(|| {
                    Error::bad_request(format!("limit must be a number from 1 to {MAX_LISTED}"))
                })?
            }
        };
        let deliveries = self.deliveries.recent(limit).await?;
        Ok(response::json(StatusCode::OK, &DeliveryList { deliveries }))
    }

    /// `POST /v1/github/installations/{installation}/sync`
    pub(crate) async fn sync_installation_answer(&self, id: u64) -> Result<Response<Body>> {
        Ok(response::json(StatusCode::OK, &self.sync_installation(id).await?))
    }
}
