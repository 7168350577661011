//! GitHub's webhook payloads (the App's and a repository's own hooks), named by
//! `X-GitHub-Event`: `ping`, `installation`, `installation_repositories`, `create`, `push`,
//! `release` and `repository`. Shaped from "Webhook events and payloads" in GitHub's docs.

use serde::Deserialize;

use super::{parse, tag_of, Event};
use crate::scm::client::RepositoryInfo;
use crate::Result;

#[derive(Deserialize)]
struct Installation {
    id: u64,
    #[serde(default)]
    account: Option<Account>,
}

#[derive(Deserialize)]
struct Account {
    login: String,
}

#[derive(Deserialize)]
struct Repository {
    name: String,
    full_name: String,
    #[serde(default)]
    archived: bool,
}

impl From<Repository> for RepositoryInfo {
    fn from(r: Repository) -> Self {
        RepositoryInfo { name: r.name, full_name: r.full_name, archived: r.archived }
    }
}

#[derive(Deserialize)]
struct InstallationEvent {
    action: String,
    installation: Installation,
    #[serde(default)]
    repositories: Vec<Repository>,
}

#[derive(Deserialize)]
struct RepositoriesEvent {
    action: String,
    installation: Installation,
    #[serde(default)]
    repositories_added: Vec<Repository>,
    #[serde(default)]
    repositories_removed: Vec<Repository>,
}

#[derive(Deserialize)]
struct CreateEvent {
    #[serde(rename = "ref")]
    reference: String,
    ref_type: String,
    repository: Repository,
    #[serde(default)]
    installation: Option<Installation>,
}

#[derive(Deserialize)]
struct PushEvent {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    created: bool,
    #[serde(default)]
    deleted: bool,
    repository: Repository,
    #[serde(default)]
    installation: Option<Installation>,
}

#[derive(Deserialize)]
struct Release {
    tag_name: String,
    #[serde(default)]
    draft: bool,
}

#[derive(Deserialize)]
struct ReleaseEvent {
    action: String,
    release: Release,
    repository: Repository,
    #[serde(default)]
    installation: Option<Installation>,
}

#[derive(Deserialize)]
struct RepositoryEvent {
    action: String,
    repository: Repository,
    #[serde(default)]
    changes: Option<Changes>,
    #[serde(default)]
    installation: Option<Installation>,
}

#[derive(Deserialize)]
struct Changes {
    repository: Option<NameChange>,
}

#[derive(Deserialize)]
struct NameChange {
    name: Option<Previous>,
}

#[derive(Deserialize)]
struct Previous {
    from: String,
}

fn account(installation: &Installation) -> String {
    installation.account.as_ref().map(|a| a.login.clone()).unwrap_or_default()
}

/// The event a GitHub delivery of `event` (`X-GitHub-Event`) with `body` asks for.
pub(crate) fn event(event: &str, body: &[u8]) -> Result<Event> {
    let installation_id = |i: &Option<Installation>| i.as_ref().map(|i| i.id);
    Ok(match event {
        "ping" => Event::Ping,
        "installation" => {
            let e: InstallationEvent = parse(body, event)?;
            let (installation, account) = (e.installation.id, account(&e.installation));
            match e.action.as_str() {
                "created" => Event::Installed {
                    installation,
                    account,
                    repositories: e.repositories.into_iter().map(Into::into).collect(),
                },
                "deleted" => Event::Uninstalled { installation, account },
                "suspend" => Event::Suspended { installation, account, suspended: true },
                "unsuspend" => Event::Suspended { installation, account, suspended: false },
                other => Event::Ignored(format!("installation {other}: nothing to do")),
            }
        }
        "installation_repositories" => {
            let e: RepositoriesEvent = parse(body, event)?;
            let (installation, account) = (e.installation.id, account(&e.installation));
            match e.action.as_str() {
                "added" => Event::RepositoriesAdded {
                    installation,
                    account,
                    repositories: e.repositories_added.into_iter().map(Into::into).collect(),
                },
                "removed" => Event::RepositoriesRemoved {
                    installation,
                    account,
                    repositories: e.repositories_removed.into_iter().map(Into::into).collect(),
                },
                other => Event::Ignored(format!("installation_repositories {other}: nothing to do")),
            }
        }
        "create" => {
            let e: CreateEvent = parse(body, event)?;
            match e.ref_type.as_str() {
                "tag" => Event::Tag {
                    installation: installation_id(&e.installation),
                    repository: e.repository.into(),
                    tag: e.reference,
                },
                other => Event::Ignored(format!("a {other} was created, not a tag")),
            }
        }
        "push" => {
            let e: PushEvent = parse(body, event)?;
            match tag_of(&e.reference) {
                None => {
                    Event::Ignored(format!("a push to {}, not a tag", crate::types::truncate(&e.reference)))
                }
                Some(tag) if e.deleted => {
                    Event::TagDeleted { repository: e.repository.into(), tag: tag.to_owned() }
                }
                Some(tag) if e.created => Event::Tag {
                    installation: installation_id(&e.installation),
                    repository: e.repository.into(),
                    tag: tag.to_owned(),
                },
                Some(tag) => Event::Ignored(format!(
                    "tag {} was moved: a published version never changes",
                    crate::types::truncate(tag)
                )),
            }
        }
        "release" => {
            let e: ReleaseEvent = parse(body, event)?;
            match (e.action.as_str(), e.release.draft) {
                ("published" | "released" | "created", false) => Event::Tag {
                    installation: installation_id(&e.installation),
                    repository: e.repository.into(),
                    tag: e.release.tag_name,
                },
                (action, _) => Event::Ignored(format!("release {action}: nothing to publish")),
            }
        }
        "repository" => {
            let e: RepositoryEvent = parse(body, event)?;
            let installation = installation_id(&e.installation);
            match e.action.as_str() {
                "renamed" => Event::Renamed {
                    installation,
                    from: e
                        .changes
                        .and_then(|c| c.repository)
                        .and_then(|r| r.name)
                        .map(|n| n.from)
                        .unwrap_or_default(),
                    repository: e.repository.into(),
                },
                "archived" => {
                    Event::Archived { installation, repository: e.repository.into(), archived: true }
                }
                "unarchived" => {
                    Event::Archived { installation, repository: e.repository.into(), archived: false }
                }
                other => Event::Ignored(format!("repository {other}: nothing to do")),
            }
        }
        other => Event::Ignored(format!(
            "GitHub event {:?} is not one the registry acts on",
            crate::types::truncate(other)
        )),
    })
}
