//! The module registry protocol's documents, and the module views of the registry's own API.

use serde::{Deserialize, Serialize};

/// `GET {modules.v1}{ns}/{name}/{system}/versions`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleVersions {
    /// Always one entry: the module asked for.
    pub modules: Vec<ModuleVersionsEntry>,
}

/// The module of a [`ModuleVersions`] answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleVersionsEntry {
    /// `namespace/name/system` as first published (Renovate reads it as the source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Every version, newest first.
    #[serde(default)]
    pub versions: Vec<VersionEntry>,
}

/// One version in a list.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct VersionEntry {
    /// The version as the registry normalised it (upstreams may send other forms).
    pub version: String,
}

/// The body of a module download answer for clients that ask for JSON (OpenTofu reads it;
/// Terraform reads only the `X-Terraform-Get` header that carries the same location).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DownloadLocation {
    /// Where the archive is.
    pub location: String,
}

/// One published module version, as publishing and the detail endpoints show it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleVersionView {
    /// `namespace/name/system/version`.
    pub id: String,
    /// The namespace as first published.
    pub namespace: String,
    /// The module name as first published.
    pub name: String,
    /// The target system (the public registry calls it `provider`).
    pub provider: String,
    /// The version.
    pub version: String,
    /// The SHA-256 of the stored archive (empty for an external version).
    pub sha256: String,
    /// The stored archive's size in bytes (0 for an external version).
    pub size: u64,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// Who published it (a principal id).
    pub published_by: String,
    /// The version's download endpoint.
    pub download_url: String,
    /// What the module is for, as the publisher said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its code lives, as the publisher said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Set while the version is deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<super::Deprecation>,
    /// Set while the version is yanked (out of the versions document, still downloadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<super::Yank>,
    /// Set for a version registered from an external source: where Terraform fetches it (the
    /// download answers it in `X-Terraform-Get`); such a version has no archive here, so
    /// `sha256` is empty and `size` 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Set for an imported version: the location it was fetched from once (its archive is
    /// stored here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<String>,
    /// Downloads of this version as last written (counts lag; see `tfreg_core::downloads`).
    #[serde(default)]
    pub downloads: u64,
}

/// `GET /v1/modules/{ns}/{name}/{system}/{version}`: one version with what its code documents
/// (`root`, `submodules`, `examples`, `providers`, as the public registry answers) and the
/// module's versions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleVersionDetail {
    /// The version as publishing shows it.
    #[serde(flatten)]
    pub version: ModuleVersionView,
    /// What its code documents.
    #[serde(flatten)]
    pub docs: super::ModuleDocs,
    /// Every version of the module the versions document lists (not yanked), newest first.
    pub versions: Vec<String>,
}

/// `GET /v1/modules/{ns}/{name}/{system}`: the latest version as the public registry answers
/// it (its documentation and the listed versions), with every version's view beside it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleDetail {
    /// The latest version (the newest release not yanked, else the newest pre-release, else
    /// the newest version when every one is yanked).
    #[serde(flatten)]
    pub latest: ModuleVersionDetail,
    /// The newest release that is not yanked, when there is one.
    pub latest_version: Option<String>,
    /// Every version (yanked ones too, marked), newest first.
    pub version_details: Vec<ModuleVersionView>,
}
