//! The documents of publishing from source control: repository sources and their webhooks,
//! the module rules that map a repository's tags to versions, and the record of deliveries.

use serde::{Deserialize, Serialize};

/// One module published from a repository: a subdirectory (the whole repository by default)
/// and the tags that are its versions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleRule {
    /// The module's name.
    pub name: String,
    /// Its system (provider) name.
    pub system: String,
    /// The subdirectory that holds it, relative to the repository's root (`modules/network`);
    /// absent for the repository's root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The tags that are versions, with `{version}` standing for the version
    /// (`network-v{version}`); absent: `{version}` or `v{version}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_pattern: Option<String>,
}

/// A repository that holds several modules (a monorepo), for a GitHub App's rules file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonorepoRule {
    /// The repository's name (`infra-modules`) or full name (`acme/infra-modules`).
    pub repository: String,
    /// The modules in it.
    pub modules: Vec<ModuleRule>,
}

/// `POST /v1/sources`: a repository whose tags publish module versions through its own webhook.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSource {
    /// `github`, `gitlab`, `bitbucket` (Cloud) or `bitbucket-server` (Data Center).
    pub kind: String,
    /// The registry namespace its modules are published in.
    pub namespace: String,
    /// The repository's full path: `owner/name`, GitLab's `group/subgroup/project`,
    /// Bitbucket Data Center's `PROJECT/slug`.
    pub repository: String,
    /// The webhook secret (at least 16 characters) the host signs deliveries with (GitLab sends
    /// it as `X-Gitlab-Token`); absent: the registry makes one and answers it once.
    #[serde(default)]
    pub secret: Option<String>,
    /// The access token the registry reads tags and archives with; absent for a public
    /// repository.
    #[serde(default)]
    pub access_token: Option<String>,
    /// The host's API root, for GitHub Enterprise Server, self-managed GitLab and Bitbucket Data
    /// Center; absent: the public service's.
    #[serde(default)]
    pub api_url: Option<String>,
    /// The modules it holds; absent: one, named from a `terraform-<system>-<name>` repository.
    #[serde(default)]
    pub modules: Option<Vec<ModuleRule>>,
}

/// A registered source, as the API shows it (never its secret or access token).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct SourceView {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// The namespace it publishes in.
    pub namespace: String,
    /// The repository.
    pub repository: String,
    /// The host's API root, when not the public service's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// The modules it publishes.
    pub modules: Vec<ModuleRule>,
    /// The URL to give the host as the webhook's payload URL.
    pub hook_url: String,
    /// Whether the registry holds an access token for it.
    pub has_access_token: bool,
    /// Who registered it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// The webhook secret, only in the answer to a create that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `GET /v1/sources`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct SourceList {
    /// The sources in namespaces the caller may publish to.
    pub sources: Vec<SourceView>,
}

/// What one delivery (or one sync) did to one version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DeliveryResult {
    /// The module (`acme/network/aws`), or the repository when no module was concerned.
    pub target: String,
    /// The version, when one was concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `published`, `exists` (published before), `restored`, `withdrawn`, `skipped` or `failed`.
    pub outcome: String,
    /// Why, for a person to read.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// One webhook delivery and what came of it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DeliveryView {
    /// The host's delivery id (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`, `X-Request-UUID`),
    /// or the body's SHA-256 when the host sends none.
    pub id: String,
    /// `github-app`, or the kind of the source it came for.
    pub via: String,
    /// The source's id, for a source's webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The event, with its action (`push`, `installation.created`, `Tag Push Hook`).
    pub event: String,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// `processing`, `done` (everything it asked for happened or was there already),
    /// `ignored` (nothing to do, see `message`) or `failed` (see `results`; a redelivery
    /// tries again).
    pub status: String,
    /// A summary, for a person to read.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// What it did, version by version.
    #[serde(default)]
    pub results: Vec<DeliveryResult>,
    /// How many times it was delivered.
    pub attempts: u32,
}

/// `GET /v1/webhooks/deliveries`: the most recent deliveries, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DeliveryList {
    /// The deliveries.
    pub deliveries: Vec<DeliveryView>,
}

/// The answer to a sync: what it found and did.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct SyncReport {
    /// The repositories read.
    pub repositories: Vec<String>,
    /// What happened, version by version.
    pub results: Vec<DeliveryResult>,
}
