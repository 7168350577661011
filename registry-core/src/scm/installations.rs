//! The GitHub App: an installation on an account is the namespace named by the account's
//! login, each of its repositories named `<prefix><system>-<name>` (or listed as a monorepo)
//! a module, each tag that is a version a version. A record per installation at
//! `scm/github/installations/{id}.json` keeps its namespace and whether it is suspended.

use serde::{Deserialize, Serialize};

use super::client::{RepositoryAccess, RepositoryInfo, RepositoryRef, ScmKind};
use super::mapping::namespace_of;
use super::payloads::Event;
use super::{GitHubApp, ScmService};
use crate::modules::index::ModuleIndex;
use crate::protocol::{DeliveryResult, SyncReport};
use crate::storage::{layout, read_indexes, read_json, write_json, PutMode};
use crate::types::ModuleAddress;
use crate::{Error, Result};

/// What the registry keeps of an installation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InstallationRecord {
    id: u64,
    account: String,
    namespace: String,
    #[serde(default)]
    suspended: bool,
    installed_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed_at: Option<String>,
}

fn record_key(id: u64) -> String {
    format!("scm/github/installations/{id}.json")
}

/// Who the App's changes are recorded as.
fn actor(installation: u64) -> String {
    format!("github-app:{installation}")
}

fn note(target: &str, outcome: &str, message: String) -> DeliveryResult {
    DeliveryResult { target: target.to_owned(), version: None, outcome: outcome.to_owned(), message }
}

impl ScmService {
    pub(super) fn app(&self) -> Result<&GitHubApp> {
        self.config.github_app.as_ref().ok_or_else(|| {
            Error::not_found("this registry has no GitHub App set up (tfreg serve --github-app-id ...)")
        })
    }

    fn repository(&self, installation: u64, full_name: &str) -> RepositoryRef {
        RepositoryRef {
            kind: ScmKind::Github,
            api_url: self.config.github_app.as_ref().and_then(|a| a.api_url.clone()),
            full_name: full_name.to_owned(),
            access: RepositoryAccess::Installation(installation),
        }
    }

    async fn installation(&self, id: u64) -> Result<Option<InstallationRecord>> {
        read_json(self.storage.as_ref(), &record_key(id), "installation record").await
    }

    async fn save(&self, record: &InstallationRecord) -> Result<()> {
        write_json(self.storage.as_ref(), &record_key(record.id), record, PutMode::Overwrite)
            .await
            .map(|_| ())
    }

    /// The installation's record, made from its account when it has none (a missed install).
    async fn installed(&self, id: u64, account: &str) -> Result<InstallationRecord> {
        let namespace = namespace_of(account)?.as_str().to_owned();
        let mut record = self.installation(id).await?.unwrap_or_else(|| InstallationRecord {
            id,
            account: account.to_owned(),
            namespace,
            suspended: false,
            installed_at: crate::clock::rfc3339(self.clock.unix_now()),
            removed_at: None,
        });
        record.removed_at = None;
        self.save(&record).await?;
        Ok(record)
    }

    /// The modules of `repository` for the installation whose namespace is `namespace`.
    fn modules_of(&self, namespace: &str, repository: &RepositoryInfo) -> Vec<super::MappedModule> {
        match self.config.github_app.as_ref() {
            Some(app) => app.rules.modules(namespace, &repository.name, &repository.full_name),
            None => Vec::new(),
        }
    }

    /// Publishes every version tag of `repositories` not yet published.
    async fn sync_repositories(
        &self,
        record: &InstallationRecord,
        repositories: &[RepositoryInfo],
    ) -> Vec<DeliveryResult> {
        let by = actor(record.id);
        let mut results = Vec::new();
        for repository in repositories {
            let modules = self.modules_of(&record.namespace, repository);
            if modules.is_empty() {
                continue;
            }
            if repository.archived {
                results.push(note(
                    &repository.full_name,
                    "skipped",
                    "archived: nothing new is published from it".to_owned(),
                ));
                continue;
            }
            let reference = self.repository(record.id, &repository.full_name);
            results.extend(self.sync_repository(&reference, &modules, &by).await);
        }
        results
    }

    /// The modules in `namespace`.
    async fn namespace_modules(&self, namespace: &str) -> Result<Vec<ModuleAddress>> {
        let prefix = format!("{}{}/", layout::MODULES_PREFIX, namespace.to_ascii_lowercase());
        let indexes: Vec<ModuleIndex> = read_indexes(self.storage.as_ref(), &prefix, "version index").await?;
        Ok(indexes
            .iter()
            .filter(|i| !i.versions.is_empty())
            .filter_map(|i| ModuleAddress::parse(&i.namespace, &i.name, &i.system).ok())
            .collect())
    }

    /// What a delivery to the App's webhook asks: a summary and what was done.
    pub(crate) async fn app_event(&self, event: Event) -> Result<(String, Vec<DeliveryResult>)> {
        self.app()?;
        Ok(match event {
            Event::Ping => ("pong".to_owned(), Vec::new()),
            Event::Ignored(why) => (why, Vec::new()),
            Event::Installed { installation, account, repositories } => {
                let record = self.installed(installation, &account).await?;
                let mut results = Vec::new();
                for addr in self.modules.withdrawn_in(&record.namespace).await? {
                    let restored = self.modules.restore(&addr).await?;
                    self.audit
                        .record(
                            &actor(installation),
                            "module.restore",
                            &addr.to_string(),
                            http::StatusCode::OK,
                        )
                        .await;
                    results.push(note(
                        &addr.to_string(),
                        "restored",
                        format!("{restored} version(s) restored"),
                    ));
                }
                results.extend(self.sync_repositories(&record, &repositories).await);
                (format!("installed on {account}: namespace {}", record.namespace), results)
            }
            Event::Uninstalled { installation, account } => {
                let mut record = match self.installation(installation).await? {
                    Some(record) => record,
                    None => self.installed(installation, &account).await?,
                };
                let modules = self.namespace_modules(&record.namespace).await?;
                let results = self.withdraw(&modules, &actor(installation)).await;
                record.removed_at = Some(crate::clock::rfc3339(self.clock.unix_now()));
                self.save(&record).await?;
                (format!("uninstalled from {account}: namespace {} withdrawn", record.namespace), results)
            }
            Event::Suspended { installation, account, suspended } => {
                let mut record = self.installed(installation, &account).await?;
                record.suspended = suspended;
                self.save(&record).await?;
                if suspended {
                    (
                        format!("suspended on {account}: tags publish nothing until it is unsuspended"),
                        Vec::new(),
                    )
                } else {
                    let report = self.sync_installation(installation).await?;
                    (format!("unsuspended on {account}: tags missed meanwhile published"), report.results)
                }
            }
            Event::RepositoriesAdded { installation, account, repositories } => {
                let record = self.installed(installation, &account).await?;
                let results = self.sync_repositories(&record, &repositories).await;
                (format!("{} repositories added", repositories.len()), results)
            }
            Event::RepositoriesRemoved { installation, account, repositories } => {
                let record = self.installed(installation, &account).await?;
                let modules: Vec<ModuleAddress> = repositories
                    .iter()
                    .flat_map(|r| self.modules_of(&record.namespace, r))
                    .map(|m| m.addr)
                    .collect();
                let results = self.withdraw(&modules, &actor(installation)).await;
                (format!("{} repositories removed", repositories.len()), results)
            }
            Event::Tag { installation, repository, tag } => {
                let Some(record) = self.live_installation(installation).await? else {
                    return Ok((
                        "no live installation of the App is known for this delivery; sync it".to_owned(),
                        Vec::new(),
                    ));
                };
                if record.suspended {
                    return Ok((format!("the installation on {} is suspended", record.account), Vec::new()));
                }
                let modules = self.modules_of(&record.namespace, &repository);
                if modules.is_empty() {
                    return Ok((not_a_module(&repository), Vec::new()));
                }
                let reference = self.repository(record.id, &repository.full_name);
                let mut results = Vec::new();
                for module in &modules {
                    results.extend(self.publish_tag(&reference, module, &tag, &actor(record.id)).await);
                }
                match results.is_empty() {
                    true => (
                        format!("tag {tag} is not a version of any module of {}", repository.full_name),
                        results,
                    ),
                    false => (format!("tag {tag} of {}", repository.full_name), results),
                }
            }
            Event::TagDeleted { repository, tag } => (deleted_tag(&repository, &tag), Vec::new()),
            Event::Renamed { installation, repository, from } => {
                let Some(record) = self.live_installation(installation).await? else {
                    return Ok((
                        "no live installation of the App is known for this delivery".to_owned(),
                        Vec::new(),
                    ));
                };
                let results = self.sync_repositories(&record, std::slice::from_ref(&repository)).await;
                let message = format!(
                    "renamed from {from} to {}: its new name is synced; modules published under the old name stay",
                    repository.name
                );
                (message, results)
            }
            Event::Archived { repository, archived, .. } => match archived {
                true => (
                    format!("{} archived: nothing new is published from it", repository.full_name),
                    Vec::new(),
                ),
                false => (format!("{} unarchived", repository.full_name), Vec::new()),
            },
        })
    }

    /// The installation a delivery names, when it is known and not removed.
    async fn live_installation(&self, installation: Option<u64>) -> Result<Option<InstallationRecord>> {
        let Some(id) = installation else { return Ok(None) };
        Ok(self.installation(id).await?.filter(|r| r.removed_at.is_none()))
    }

    /// `POST /v1/github/installations/{installation}/sync`: reads the installation's repositories and
    /// tags again and publishes what is missing (for deliveries that were missed).
    pub(crate) async fn sync_installation(&self, id: u64) -> Result<SyncReport> {
        self.app()?;
        let client = self.client()?;
        let record = match self.installation(id).await? {
            Some(record) => record,
            None => {
                let account = client.installation_account(id).await?;
                self.installed(id, &account).await?
            }
        };
        if record.removed_at.is_some() {
            return Err(Error::conflict(format!("installation {id} was uninstalled; install the App again")));
        }
        let repositories = client.installation_repositories(id).await?;
        let results = self.sync_repositories(&record, &repositories).await;
        Ok(SyncReport { repositories: repositories.into_iter().map(|r| r.full_name).collect(), results })
    }
}

/// Why a repository's tag publishes nothing.
pub(crate) fn not_a_module(repository: &RepositoryInfo) -> String {
    format!(
        "{} is not a module repository: name it terraform-<system>-<name>, or list it as a monorepo",
        repository.full_name
    )
}

/// What a deleted tag does.
pub(crate) fn deleted_tag(repository: &RepositoryInfo, tag: &str) -> String {
    format!(
        "tag {tag} of {} was deleted: published versions stay; yank or delete the version through the API",
        repository.full_name
    )
}
