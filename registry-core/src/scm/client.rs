//! What reaches the source-control hosts. The core carries no HTTP client, so the host
//! implements [`ScmClient`] (the `tfreg` server does, with `reqwest`, for GitHub and GitHub
//! Enterprise Server through a GitHub App, and for GitLab and Bitbucket with access tokens).

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::modules::external::fetch::FetchError;

/// The kinds of source-control host the registry publishes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScmKind {
    /// GitHub or GitHub Enterprise Server.
    Github,
    /// GitLab (gitlab.com or self-managed).
    Gitlab,
    /// Bitbucket Cloud.
    Bitbucket,
    /// Bitbucket Data Center (formerly Server).
    BitbucketServer,
}

impl ScmKind {
    /// Its name in paths and records: `github`, `gitlab`, `bitbucket`, `bitbucket-server`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScmKind::Github => "github",
            ScmKind::Gitlab => "gitlab",
            ScmKind::Bitbucket => "bitbucket",
            ScmKind::BitbucketServer => "bitbucket-server",
        }
    }

    /// The kind a hook URL's `{github|gitlab|bitbucket}` part names (`bitbucket` covers both
    /// Bitbucket Cloud and Data Center).
    pub(crate) fn hook_path(self) -> &'static str {
        match self {
            ScmKind::BitbucketServer => "bitbucket",
            other => other.as_str(),
        }
    }
}

impl std::fmt::Display for ScmKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the registry authenticates to a host for one repository.
#[derive(Clone, PartialEq, Eq)]
pub enum RepositoryAccess {
    /// With an installation token of the GitHub App installation with this id.
    Installation(u64),
    /// With this access token (a GitHub fine-grained token, a GitLab project access token sent
    /// as `PRIVATE-TOKEN`, a Bitbucket repository access token sent as a bearer token).
    Token(String),
    /// Without credentials (public repositories).
    Anonymous,
}

impl std::fmt::Debug for RepositoryAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepositoryAccess::Installation(id) => write!(f, "Installation({id})"),
            RepositoryAccess::Token(_) => f.write_str("Token(<redacted>)"),
            RepositoryAccess::Anonymous => f.write_str("Anonymous"),
        }
    }
}

/// One repository on one host, and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryRef {
    /// The kind of host.
    pub kind: ScmKind,
    /// The host's API root (`https://api.github.com`, `https://gitlab.example.com/api/v4`,
    /// `https://bitbucket.example.com`); `None`: the client's default for the kind.
    pub api_url: Option<String>,
    /// The repository's full path: `owner/name` (GitHub, Bitbucket Cloud), the project's
    /// `path_with_namespace` (GitLab), `PROJECT/slug` (Bitbucket Data Center).
    pub full_name: String,
    /// The credentials to send.
    pub access: RepositoryAccess,
}

/// A repository as a host lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryInfo {
    /// Its name (`terraform-aws-network`).
    pub name: String,
    /// Its full path (`acme/terraform-aws-network`).
    pub full_name: String,
    /// Whether it is archived (read-only): nothing new is published from it.
    #[serde(default)]
    pub archived: bool,
}

/// Reads repositories on the source-control hosts for the registry's publishing.
#[async_trait]
pub trait ScmClient: Send + Sync + std::fmt::Debug + 'static {
    /// The login of the account a GitHub App installation is on (for an installation whose
    /// `installation` delivery was missed).
    async fn installation_account(&self, installation: u64) -> Result<String, FetchError>;

    /// The repositories a GitHub App installation may read.
    async fn installation_repositories(&self, installation: u64) -> Result<Vec<RepositoryInfo>, FetchError>;

    /// The repository's tag names, all of them (every page).
    async fn tags(&self, repository: &RepositoryRef) -> Result<Vec<String>, FetchError>;

    /// The repository's tree at `tag` as a `.tar.gz` of at most `limit` bytes with every file
    /// inside one top folder, as GitHub's tarball API, GitLab's and Bitbucket Cloud's archives
    /// make them (a Bitbucket Data Center client asks for a `prefix`).
    async fn archive(&self, repository: &RepositoryRef, tag: &str, limit: u64) -> Result<Bytes, FetchError>;
}
