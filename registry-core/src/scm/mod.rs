//! Publishing from source control: a GitHub App whose installations become namespaces and
//! whose tags become versions, and per-repository webhooks from GitHub, GitLab and Bitbucket
//! (Cloud and Data Center) registered through `POST /v1/sources`.
//!
//! - Every delivery is verified before it is read ([`signature`]), recorded by its delivery id
//!   ([`deliveries`]) so a redelivery publishes nothing twice, and answered with what it did;
//!   `GET /v1/webhooks/deliveries` shows the recent ones with their outcome.
//! - A tag that is a version by its module's pattern ([`mapping`]) is fetched as the host's
//!   archive through the [`ScmClient`] the host provides, with the one top folder stripped (the
//!   archive's `*`, or `*/path` for a monorepo's module), and stored through the same publish
//!   pipeline as uploads. A version published already is left alone.
//! - Uninstalling the App (or removing a repository from it) withdraws its modules at once;
//!   their objects are kept for [`ScmConfig::removal_grace`], during which a reinstall
//!   restores them (see [`crate::modules::withdraw`]).
//! - `POST /v1/github/installations/{installation}/sync` and `POST /v1/sources/{id}/sync` read the
//!   repositories again, for deliveries that were missed.

pub mod client;
pub(crate) mod deliveries;
mod installations;
pub mod mapping;
pub(crate) mod payloads;
pub mod signature;
mod sources;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

pub use client::{RepositoryAccess, RepositoryInfo, RepositoryRef, ScmClient, ScmKind};
pub use mapping::{MappedModule, RepositoryRules, TagPattern};
pub(crate) use sources::parse_id as parse_source_id;

use crate::admin::AuditLog;
use crate::auth::Authorizer;
use crate::clock::SharedClock;
use crate::http::Links;
use crate::modules::metadata::Metadata;
use crate::modules::publish::Origin;
use crate::modules::ModuleService;
use crate::protocol::DeliveryResult;
use crate::storage::Storage;
use crate::Error;

/// A GitHub App the registry publishes from.
#[derive(Clone)]
pub struct GitHubApp {
    /// The webhook secret set in the App's settings.
    pub webhook_secret: String,
    /// How repositories map to modules.
    pub rules: RepositoryRules,
    /// The API root (`https://api.github.com`, or GitHub Enterprise Server's
    /// `https://HOST/api/v3`), for the records; the [`ScmClient`] is what calls it.
    pub api_url: Option<String>,
}

impl std::fmt::Debug for GitHubApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubApp")
            .field("webhook_secret", &"<redacted>")
            .field("rules", &self.rules)
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// How the registry publishes from source control.
#[derive(Clone, Debug)]
pub struct ScmConfig {
    /// The GitHub App, when one is set up.
    pub github_app: Option<GitHubApp>,
    /// How long a withdrawn module's objects are kept for a reinstall (default 7 days).
    pub removal_grace: Duration,
}

impl Default for ScmConfig {
    fn default() -> Self {
        Self { github_app: None, removal_grace: Duration::from_secs(7 * 24 * 3600) }
    }
}

/// Publishing from source control: the webhooks, the sources API, the deliveries and syncs.
#[derive(Debug)]
pub(crate) struct ScmService {
    storage: Arc<dyn Storage>,
    modules: Arc<ModuleService>,
    client: Option<Arc<dyn ScmClient>>,
    authorizer: Arc<dyn Authorizer>,
    audit: AuditLog,
    clock: SharedClock,
    links: Arc<Links>,
    config: ScmConfig,
    deliveries: deliveries::Deliveries,
}

impl ScmService {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        modules: Arc<ModuleService>,
        client: Option<Arc<dyn ScmClient>>,
        authorizer: Arc<dyn Authorizer>,
        audit: AuditLog,
        clock: SharedClock,
        links: Arc<Links>,
        config: ScmConfig,
    ) -> Self {
        let deliveries = deliveries::Deliveries::new(storage.clone(), clock.clone());
        Self { storage, modules, client, authorizer, audit, clock, links, config, deliveries }
    }

    /// The client, or a 500 naming what is missing (the host set up no [`ScmClient`]).
    fn client(&self) -> crate::Result<&Arc<dyn ScmClient>> {
        self.client.as_ref().ok_or_else(|| {
            Error::internal("this registry has no source-control client: it cannot read repositories")
        })
    }

    /// Publishes `tag` of `repository` as a version of `module`, when the tag is one by the
    /// module's pattern (`None` otherwise), in the name of `by`; audited as a publish.
    async fn publish_tag(
        &self,
        repository: &RepositoryRef,
        module: &MappedModule,
        tag: &str,
        by: &str,
    ) -> Option<DeliveryResult> {
        let version = module.pattern.version(tag)?;
        let target = module.addr.to_string();
        let result = |outcome: &str, message: String| DeliveryResult {
            target: target.clone(),
            version: Some(version.to_string()),
            outcome: outcome.to_owned(),
            message,
        };
        match crate::modules::index::load(self.storage.as_ref(), &module.addr).await {
            Ok(Some((index, _))) if index.get(&version).is_some() => {
                return Some(result("exists", format!("tag {tag} is published already")));
            }
            Err(err) => return Some(result("failed", err.to_string())),
            _ => {}
        }
        let from = format!("{}:{}@{tag}", repository.kind, repository.full_name);
        let outcome = async {
            let client = self.client()?;
            let archive: Bytes = client.archive(repository, tag, self.modules.max_upload_bytes).await?;
            let subdir = module.archive_subdir();
            let origin = Origin::Repository { subdir: &subdir, from: &from };
            self.modules
                .store_version(&module.addr, &version, archive, by.to_owned(), origin, Metadata::default())
                .await
        }
        .await;
        let status = outcome.as_ref().map_or_else(|e| e.status(), |_| http::StatusCode::CREATED);
        self.audit.record(by, "module.publish", &format!("{}/{version}", module.addr), status).await;
        Some(match outcome {
            Ok(_) => {
                tracing::info!(module = %module.addr, %version, %from, by, "module version published from source control");
                result("published", format!("from tag {tag}"))
            }
            Err(err) if err.status() == http::StatusCode::CONFLICT => result("exists", err.to_string()),
            Err(err) => {
                tracing::warn!(module = %module.addr, %version, %from, %err, "a tag did not publish");
                result("failed", err.to_string())
            }
        })
    }

    /// Publishes every tag of `repository` that is a version of one of `modules` and is not
    /// published yet, oldest first.
    async fn sync_repository(
        &self,
        repository: &RepositoryRef,
        modules: &[MappedModule],
        by: &str,
    ) -> Vec<DeliveryResult> {
        let tags = match self.client() {
            Ok(client) => client.tags(repository).await.map_err(Error::from),
            Err(err) => Err(err),
        };
        let mut tags = match tags {
            Ok(tags) => tags,
            Err(err) => {
                return vec![DeliveryResult {
                    target: repository.full_name.clone(),
                    version: None,
                    outcome: "failed".to_owned(),
                    message: format!("cannot list its tags: {err}"),
                }]
            }
        };
        tags.sort();
        let mut results = Vec::new();
        for module in modules {
            let mut versions: Vec<_> =
                tags.iter().filter_map(|t| module.pattern.version(t).map(|v| (v, t))).collect();
            versions.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, tag) in versions {
                results.extend(self.publish_tag(repository, module, tag, by).await);
            }
        }
        results
    }

    /// Withdraws `modules` (see [`crate::modules::withdraw`]), audited.
    async fn withdraw(&self, modules: &[crate::types::ModuleAddress], by: &str) -> Vec<DeliveryResult> {
        let until = self.clock.unix_now() + self.config.removal_grace.as_secs();
        let mut results = Vec::new();
        for addr in modules {
            let outcome = self.modules.withdraw(addr, by, until).await;
            let status = outcome.as_ref().map_or_else(|e| e.status(), |_| http::StatusCode::OK);
            self.audit.record(by, "module.withdraw", &addr.to_string(), status).await;
            results.push(match outcome {
                Ok(0) => continue,
                Ok(n) => DeliveryResult {
                    target: addr.to_string(),
                    version: None,
                    outcome: "withdrawn".to_owned(),
                    message: format!(
                        "{n} version(s) withdrawn; kept until {} for a reinstall",
                        crate::clock::rfc3339(until)
                    ),
                },
                Err(err) => DeliveryResult {
                    target: addr.to_string(),
                    version: None,
                    outcome: "failed".to_owned(),
                    message: err.to_string(),
                },
            });
        }
        results
    }
}
