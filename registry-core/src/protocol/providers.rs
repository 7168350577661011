//! The provider registry protocol's documents, and the publishing answers.

use serde::{Deserialize, Serialize};

/// `GET {providers.v1}{ns}/{type}/versions`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderVersions {
    /// Every installable version.
    #[serde(default)]
    pub versions: Vec<ProviderVersionEntry>,
    /// Warnings Terraform shows to whoever installs the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
}

/// One version of a [`ProviderVersions`] answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderVersionEntry {
    /// The version, without a leading `v` (Terraform skips such versions).
    pub version: String,
    /// The plugin protocol versions it speaks (`5.0`, `6.0`).
    #[serde(default)]
    pub protocols: Vec<String>,
    /// The platforms it has packages for.
    #[serde(default)]
    pub platforms: Vec<PlatformEntry>,
}

/// A platform in the provider protocol's shape.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PlatformEntry {
    /// The operating system.
    pub os: String,
    /// The architecture.
    pub arch: String,
}

/// `GET {providers.v1}{ns}/{type}/{version}/download/{os}/{arch}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderDownload {
    /// The plugin protocol versions.
    #[serde(default)]
    pub protocols: Vec<String>,
    /// The operating system.
    pub os: String,
    /// The architecture.
    pub arch: String,
    /// The package's file name, as named in SHA256SUMS.
    pub filename: String,
    /// Where the zip is (fetched without credentials).
    pub download_url: String,
    /// Where SHA256SUMS is.
    pub shasums_url: String,
    /// Where the binary signature over SHA256SUMS is.
    pub shasums_signature_url: String,
    /// The zip's SHA-256, lower-case hex.
    pub shasum: String,
    /// The keys SHA256SUMS may be signed with.
    pub signing_keys: SigningKeys,
}

/// The `signing_keys` of a [`ProviderDownload`].
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct SigningKeys {
    /// OpenPGP public keys.
    #[serde(default)]
    pub gpg_public_keys: Vec<GpgPublicKey>,
}

/// One OpenPGP key of [`SigningKeys`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct GpgPublicKey {
    /// 16 upper-case hex digits.
    pub key_id: String,
    /// The ASCII-armored public key.
    pub ascii_armor: String,
    /// A signature of a trusted partner's key; empty for the registry's own.
    #[serde(default)]
    pub trust_signature: String,
    /// Who the key belongs to.
    #[serde(default)]
    pub source: String,
    /// Where to read about it.
    #[serde(default)]
    pub source_url: Option<String>,
}

/// The answer to publishing one platform package.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderPublished {
    /// `namespace/type/version/os_arch`.
    pub id: String,
    /// The namespace.
    pub namespace: String,
    /// The provider type.
    #[serde(rename = "type")]
    pub r#type: String,
    /// The version.
    pub version: String,
    /// The operating system.
    pub os: String,
    /// The architecture.
    pub arch: String,
    /// The package's file name.
    pub filename: String,
    /// The zip's SHA-256.
    pub shasum: String,
    /// The lock-file hashes: `h1:` and `zh:`.
    pub hashes: Vec<String>,
    /// The plugin protocol versions.
    pub protocols: Vec<String>,
}

/// The answer to uploading a team's own SHA256SUMS and signature.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ShaSumsPublished {
    /// `namespace/type/version`.
    pub id: String,
    /// The key that verified the signature.
    pub key_id: String,
    /// How many files SHA256SUMS lists.
    pub files: usize,
}

/// One provider version, as the detail endpoints and lifecycle changes show it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderVersionView {
    /// `namespace/type/version`.
    pub id: String,
    /// The namespace as first published.
    pub namespace: String,
    /// The provider type.
    #[serde(rename = "type")]
    pub r#type: String,
    /// The version.
    pub version: String,
    /// The plugin protocol versions.
    pub protocols: Vec<String>,
    /// The published packages.
    pub platforms: Vec<ProviderPlatformView>,
    /// The id of the key SHA256SUMS is signed with, once signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Whether the publisher uploaded SHA256SUMS and its signature themselves.
    pub custom_signature: bool,
    /// Whether it is a copy from another registry (a pin or a mirror import).
    pub pinned: bool,
    /// What the provider is for, as the publisher said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its code lives, as the publisher said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its documentation, when uploaded (pages at `.../{version}/docs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<super::DocsRef>,
    /// Set while the version is deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<super::Deprecation>,
    /// Set while the version is yanked (out of the versions document, still downloadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<super::Yank>,
    /// Downloads of this version as last written (counts lag; see `tfreg_core::downloads`).
    #[serde(default)]
    pub downloads: u64,
}

/// One package of a [`ProviderVersionView`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderPlatformView {
    /// The operating system.
    pub os: String,
    /// The architecture.
    pub arch: String,
    /// The package's file name.
    pub filename: String,
    /// The zip's SHA-256.
    pub shasum: String,
    /// The zip's size in bytes.
    pub size: u64,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// Who published it.
    pub published_by: String,
}

/// `GET /v1/providers/{ns}/{type}`: the provider and every version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderDetail {
    /// `namespace/type`, with the original host first for a copy from another registry.
    pub id: String,
    /// The namespace.
    pub namespace: String,
    /// The provider type.
    pub name: String,
    /// The latest listed version (the newest release, else the newest pre-release).
    pub latest_version: Option<String>,
    /// What it is for, as published with the latest version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its code lives, as published with the latest version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whether it is a copy from another registry (a pin or a mirror import).
    pub pinned: bool,
    /// Every version (yanked ones too, marked), newest first.
    pub versions: Vec<ProviderVersionView>,
}

/// `GET /v1/providers/{ns}/{type}/{version}`: one version, and the versions the versions
/// document lists.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderVersionDetail {
    /// The version.
    #[serde(flatten)]
    pub version: ProviderVersionView,
    /// Every listed version of the provider, newest first.
    pub versions: Vec<String>,
}
