//! Per-repository webhooks, without an App: `POST /v1/sources` registers a repository (by
//! master or the namespace's uploader) with a secret, and it gets its own hook URL
//! `/v1/webhooks/{github|gitlab|bitbucket}/{id}`. The record at `scm/sources/{id}.json` holds
//! the secret and access token the registry needs to verify deliveries and read archives.

use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::client::{RepositoryAccess, RepositoryRef, ScmKind};
use super::mapping::{by_name, MappedModule};
use super::ScmService;
use crate::auth::Action;
use crate::http::body::Body;
use crate::http::router::AuditTarget;
use crate::http::{response, RequestContext};
use crate::protocol::{CreateSource, ModuleRule, SourceList, SourceView, SyncReport};
use crate::storage::{read_json, write_json, PutMode};
use crate::types::Name;
use crate::{Error, Result};

const PREFIX: &str = "scm/sources/";

/// A registered source, with its secrets.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SourceRecord {
    pub(crate) id: String,
    pub(crate) kind: ScmKind,
    pub(crate) namespace: String,
    pub(crate) repository: String,
    pub(crate) secret: String,
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default)]
    pub(crate) api_url: Option<String>,
    pub(crate) modules: Vec<ModuleRule>,
    pub(crate) created_by: String,
    pub(crate) created_at: String,
}

impl std::fmt::Debug for SourceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceRecord").field("id", &self.id).field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl SourceRecord {
    /// How the registry reaches the repository.
    pub(crate) fn reference(&self) -> RepositoryRef {
        RepositoryRef {
            kind: self.kind,
            api_url: self.api_url.clone(),
            full_name: self.repository.clone(),
            access: match &self.access_token {
                Some(token) => RepositoryAccess::Token(token.clone()),
                None => RepositoryAccess::Anonymous,
            },
        }
    }

    /// Its modules, checked.
    pub(crate) fn modules(&self) -> Vec<MappedModule> {
        self.modules.iter().filter_map(|r| MappedModule::from_rule(&self.namespace, r).ok()).collect()
    }
}

fn key(id: &str) -> String {
    format!("{PREFIX}{id}.json")
}

/// A source id as a path gives it: 32 lower-case hex digits.
pub(crate) fn parse_id(id: &str) -> Result<String> {
    match id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        true => Ok(id.to_owned()),
        false => Err(Error::not_found(format!("no source {:?}", crate::types::truncate(id)))),
    }
}

fn parse_kind(kind: &str) -> Result<ScmKind> {
    match kind {
        "github" => Ok(ScmKind::Github),
        "gitlab" => Ok(ScmKind::Gitlab),
        "bitbucket" => Ok(ScmKind::Bitbucket),
        "bitbucket-server" | "bitbucket-data-center" => Ok(ScmKind::BitbucketServer),
        other => Err(Error::bad_request(format!(
            "unknown source kind {:?}: use github, gitlab, bitbucket or bitbucket-server",
            crate::types::truncate(other)
        ))),
    }
}

/// A repository path: `owner/name` parts of letters, digits, `-`, `_` and `.`.
fn check_repository(kind: ScmKind, repository: &str) -> Result<()> {
    let parts: Vec<&str> = repository.split('/').collect();
    let shaped = match kind {
        ScmKind::Gitlab => parts.len() >= 2,
        _ => parts.len() == 2,
    };
    let ok = shaped
        && repository.len() <= 255
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    match ok {
        true => Ok(()),
        false => Err(Error::bad_request(format!(
            "the repository {:?} must be its full path, such as acme/terraform-aws-network",
            crate::types::truncate(repository)
        ))),
    }
}

impl ScmService {
    fn may_publish(&self, ctx: &RequestContext, namespace: &str) -> Result<()> {
        self.authorizer.authorize(ctx.principal.as_ref(), &Action::Publish { namespace })
    }

    fn view(&self, record: &SourceRecord, secret: Option<String>) -> SourceView {
        let hook = format!("/v1/webhooks/{}/{}", record.kind.hook_path(), record.id);
        SourceView {
            id: record.id.clone(),
            kind: record.kind.as_str().to_owned(),
            namespace: record.namespace.clone(),
            repository: record.repository.clone(),
            api_url: record.api_url.clone(),
            modules: record.modules.clone(),
            hook_url: self.links.to(&hook),
            has_access_token: record.access_token.is_some(),
            created_by: record.created_by.clone(),
            created_at: record.created_at.clone(),
            secret,
        }
    }

    /// `POST /v1/sources`
    pub(crate) async fn create_source(&self, ctx: &RequestContext, body: &[u8]) -> Result<Response<Body>> {
        let request: CreateSource = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_body(
                "the body must be JSON like {\"kind\": \"gitlab\", \"namespace\": \"acme\", \"repository\": \"acme/terraform-aws-network\", \"secret\": \"...\"}",
                e,
            )
        })?;
        let kind = parse_kind(&request.kind)?;
        let namespace = Name::parse(&request.namespace, "namespace")?.as_str().to_owned();
        self.may_publish(ctx, &namespace)?;
        check_repository(kind, &request.repository)?;
        self.client().map_err(|_| {
            Error::bad_request("this registry cannot read repositories, so it takes no sources")
        })?;
        let modules = match &request.modules {
            Some(rules) if rules.is_empty() => {
                return Err(Error::bad_request("\"modules\" must list at least one module"))
            }
            Some(rules) => rules
                .iter()
                .map(|r| MappedModule::from_rule(&namespace, r).map(|m| m.rule()))
                .collect::<Result<_>>()?,
            None => {
                let name = request.repository.rsplit('/').next().unwrap_or_default();
                let module = by_name("terraform-", &namespace, name).ok_or_else(|| {
                    Error::bad_request(format!(
                        "{name:?} is not named terraform-<system>-<name>: list its \"modules\""
                    ))
                })?;
                vec![module.rule()]
            }
        };
        if let Some(url) = &request.api_url {
            let parsed = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "https" | "http"));
            if parsed.is_none() {
                return Err(Error::bad_request(format!(
                    "the API URL {:?} must be an https:// URL",
                    crate::types::truncate(url)
                )));
            }
        }
        let (secret, made) = match request.secret {
            Some(secret) if secret.len() >= 16 && secret.len() <= 256 => (secret, false),
            Some(_) => return Err(Error::bad_request("the secret must have 16 to 256 characters")),
            None => (hex::encode(crate::random::bytes::<24>()?), true),
        };
        let record = SourceRecord {
            id: hex::encode(crate::random::bytes::<16>()?),
            kind,
            namespace,
            repository: request.repository,
            secret: secret.clone(),
            access_token: request.access_token.filter(|t| !t.is_empty()),
            api_url: request.api_url.map(|u| u.trim_end_matches('/').to_owned()),
            modules,
            created_by: ctx.actor().to_owned(),
            created_at: crate::clock::rfc3339(self.clock.unix_now()),
        };
        write_json(self.storage.as_ref(), &key(&record.id), &record, PutMode::Create).await?;
        tracing::info!(source = %record.id, kind = %record.kind, repository = %record.repository, "source registered");
        let mut answer = response::json(StatusCode::CREATED, &self.view(&record, made.then_some(secret)));
        answer.extensions_mut().insert(AuditTarget(format!("source/{}", record.id)));
        Ok(answer)
    }

    /// A source's record, 404 when there is none.
    pub(crate) async fn source(&self, id: &str) -> Result<SourceRecord> {
        read_json(self.storage.as_ref(), &key(id), "source record")
            .await?
            .ok_or_else(|| Error::not_found(format!("no source {id}")))
    }

    /// `GET /v1/sources`: those in namespaces the caller may publish to.
    pub(crate) async fn list_sources(&self, ctx: &RequestContext) -> Result<Response<Body>> {
        let mut sources = Vec::new();
        for object in self.storage.list(PREFIX).await? {
            let Some(record) =
                read_json::<SourceRecord>(self.storage.as_ref(), &object.key, "source record").await?
            else {
                continue;
            };
            if self.may_publish(ctx, &record.namespace).is_ok() {
                sources.push(self.view(&record, None));
            }
        }
        sources.sort_by(|a, b| (&a.namespace, &a.repository).cmp(&(&b.namespace, &b.repository)));
        Ok(response::json(StatusCode::OK, &SourceList { sources }))
    }

    /// `GET /v1/sources/{id}`
    pub(crate) async fn get_source(&self, ctx: &RequestContext, id: &str) -> Result<Response<Body>> {
        let record = self.source(id).await?;
        self.may_publish(ctx, &record.namespace)?;
        Ok(response::json(StatusCode::OK, &self.view(&record, None)))
    }

    /// `DELETE /v1/sources/{id}`: its hook stops working; what it published stays.
    pub(crate) async fn delete_source(&self, ctx: &RequestContext, id: &str) -> Result<Response<Body>> {
        let record = self.source(id).await?;
        self.may_publish(ctx, &record.namespace)?;
        self.storage.delete(&key(id)).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    /// `POST /v1/sources/{id}/sync`: publishes every version tag not published yet.
    pub(crate) async fn sync_source(&self, ctx: &RequestContext, id: &str) -> Result<Response<Body>> {
        let record = self.source(id).await?;
        self.may_publish(ctx, &record.namespace)?;
        let results = self.sync_repository(&record.reference(), &record.modules(), ctx.actor()).await;
        let report = SyncReport { repositories: vec![record.repository.clone()], results };
        Ok(response::json(StatusCode::OK, &report))
    }
}
