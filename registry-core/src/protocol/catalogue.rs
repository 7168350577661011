//! The browse and search answers, in the public registry's shapes (`GET /v1/modules`,
//! `/v1/modules/{ns}`, `/v1/modules/search?q=`, `/v1/modules/{ns}/{name}`).

use serde::{Deserialize, Serialize};

/// One page of modules.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleList {
    /// Where this page lies and how to get the next one.
    pub meta: ListMeta,
    /// One entry per module, carrying its latest version.
    pub modules: Vec<ModuleSummary>,
}

/// Paging of a list answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ListMeta {
    /// The page size asked for (or the default).
    pub limit: usize,
    /// The offset of this page's first entry.
    pub current_offset: usize,
    /// The offset of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// The offset of the previous page, when this is not the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_offset: Option<usize>,
    /// The next page's URL, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_url: Option<String>,
    /// How many entries match in all (this registry's addition to the public shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
}

/// One module in a list: its latest version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleSummary {
    /// `namespace/name/system/version`.
    pub id: String,
    /// Who published the latest version (a principal id).
    pub owner: String,
    /// The namespace as first published.
    pub namespace: String,
    /// The module name as first published.
    pub name: String,
    /// The latest version: the newest release, or the newest pre-release when there is none.
    pub version: String,
    /// The target system.
    pub provider: String,
    /// What the module is for: the description published with the latest version, else the
    /// first paragraph of its README.
    pub description: String,
    /// Where its code lives, as published with the latest version (empty when not said).
    pub source: String,
    /// When the latest version was published (RFC 3339).
    pub published_at: String,
    /// How many versions are published.
    pub versions: usize,
    /// Whether the latest version was copied from the upstream by a pin.
    pub pinned: bool,
    /// Whether the latest version is registered from an external source (Terraform fetches it
    /// from its location, not from this registry).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// Downloads of every version (counts lag by up to a minute; see `tfreg_core::downloads`).
    pub downloads: u64,
}

/// One page of providers (`GET /v1/providers`, `/v1/providers/{ns}`, `/v1/providers/search`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderList {
    /// Where this page lies and how to get the next one.
    pub meta: ListMeta,
    /// One entry per provider, carrying its latest version.
    pub providers: Vec<ProviderSummary>,
}

/// One provider in a list: its latest version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderSummary {
    /// `namespace/type/version`, with the original host first for a copy from another registry.
    pub id: String,
    /// Who published the latest version (a principal id).
    pub owner: String,
    /// The namespace.
    pub namespace: String,
    /// The provider type.
    pub name: String,
    /// The latest version: the newest release, or the newest pre-release when there is none.
    pub version: String,
    /// What the provider is for, as published with its latest version.
    pub description: String,
    /// Where its code lives, as published (empty when not said).
    pub source: String,
    /// When the latest version was published (RFC 3339).
    pub published_at: String,
    /// How many versions are listed.
    pub versions: usize,
    /// The latest version's plugin protocols.
    pub protocols: Vec<String>,
    /// The latest version's platforms, `os_arch`.
    pub platforms: Vec<String>,
    /// Whether it is a copy from another registry (pinned from the upstream, or imported into
    /// the mirror) rather than published here.
    pub pinned: bool,
    /// The registry it was copied from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// Downloads of every version (counts lag; see `tfreg_core::downloads`).
    pub downloads: u64,
}

/// `GET /v1/namespaces`: the namespaces the caller may read that hold modules or providers.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct NamespaceList {
    /// By name.
    pub namespaces: Vec<NamespaceSummary>,
}

/// One namespace of a [`NamespaceList`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct NamespaceSummary {
    /// The namespace, lower case.
    pub name: String,
    /// How many modules it holds.
    pub modules: usize,
    /// How many providers it holds (copies from other registries not counted).
    pub providers: usize,
}
