//! Webhook payloads, read into one [`Event`] whatever the host. Each host's documents are
//! typed with only the fields the registry reads; anything else in them is ignored. A body
//! that is not the JSON its event promises is refused with 400.

pub(crate) mod bitbucket;
pub(crate) mod github;
pub(crate) mod gitlab;

use super::client::RepositoryInfo;
use crate::{Error, Result};

/// What a delivery asks of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// The host checks the hook (GitHub's `ping`, Bitbucket's test connection).
    Ping,
    /// A GitHub App was installed on an account, for these repositories.
    Installed { installation: u64, account: String, repositories: Vec<RepositoryInfo> },
    /// The App was uninstalled.
    Uninstalled { installation: u64, account: String },
    /// The installation was suspended (`true`) or unsuspended (`false`).
    Suspended { installation: u64, account: String, suspended: bool },
    /// Repositories were added to the installation.
    RepositoriesAdded { installation: u64, account: String, repositories: Vec<RepositoryInfo> },
    /// Repositories were removed from it.
    RepositoriesRemoved { installation: u64, account: String, repositories: Vec<RepositoryInfo> },
    /// A tag was created (or pushed, or released).
    Tag { installation: Option<u64>, repository: RepositoryInfo, tag: String },
    /// A tag was deleted.
    TagDeleted { repository: RepositoryInfo, tag: String },
    /// A repository was renamed from `from`.
    Renamed { installation: Option<u64>, repository: RepositoryInfo, from: String },
    /// A repository was archived (`true`) or unarchived.
    Archived { installation: Option<u64>, repository: RepositoryInfo, archived: bool },
    /// Nothing the registry acts on, with why.
    Ignored(String),
}

/// Reads `body` as `T`, naming the event in the 400 when it is not.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &[u8], event: &str) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        Error::invalid_body(
            format!("the body must be the JSON of a {:?} event", crate::types::truncate(event)),
            e,
        )
    })
}

/// The tag a `refs/tags/...` reference names.
pub(crate) fn tag_of(reference: &str) -> Option<&str> {
    reference.strip_prefix("refs/tags/").filter(|t| !t.is_empty())
}
