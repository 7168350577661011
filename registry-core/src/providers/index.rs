//! The per-provider version index in the store: every version, its platforms, and the signed
//! SHA256SUMS that covers them.

use serde::{Deserialize, Serialize};

use crate::protocol::{Deprecation, DocsRef, Yank};
use crate::storage::Storage;
use crate::types::{ProviderAddress, Version};
use crate::Result;

/// Every version of one provider.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ProviderIndex {
    /// [`LOCAL_HOST`](crate::types::LOCAL_HOST) or the original host name.
    pub host: String,
    /// The namespace as first published.
    pub namespace: String,
    /// The provider type.
    pub r#type: String,
    /// The versions, newest first.
    pub versions: Vec<ProviderVersion>,
    /// Versions being deleted: no read sees them and no publish may bring them back until their
    /// packages are gone (see [`crate::lifecycle`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleting: Vec<ProviderVersion>,
}

/// One version of a provider.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ProviderVersion {
    /// The normalised version.
    pub version: Version,
    /// Plugin protocol versions (`5.0`, `6.0`).
    pub protocols: Vec<String>,
    /// The published platforms.
    pub platforms: Vec<ProviderPlatform>,
    /// The SHA256SUMS text that covers the platforms (exactly the signed bytes).
    pub shasums: Option<String>,
    /// Base64 of the binary detached OpenPGP signature over `shasums`.
    pub signature: Option<String>,
    /// The id of the key that made `signature`.
    pub key_id: Option<String>,
    /// Whether the publisher uploaded SHA256SUMS and its signature themselves.
    #[serde(default)]
    pub custom_signature: bool,
    /// What the provider is for, as the publisher said (`?description=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its code lives, as the publisher said (`?source=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The documentation uploaded for the version (`PUT .../{version}/docs`), when there is some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<DocsRef>,
    /// Set while the version is deprecated (shown as a warning of the versions document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<Deprecation>,
    /// Set while the version is yanked: out of the versions document, still downloadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<Yank>,
    /// The OCI documents the version was pushed with, while they still describe it (a package
    /// published after the push drops them, and the documents are derived again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed: Option<PushedRelease>,
}

/// The OCI documents a provider version was pushed with, byte for byte, so the registry serves
/// back exactly what was pushed (see [`crate::oci`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PushedRelease {
    /// The image index its tag names.
    pub index: String,
    /// Its platform manifests, in the index's order.
    pub manifests: Vec<String>,
}

/// One platform's package.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderPlatform {
    /// Operating system (`linux`).
    pub os: String,
    /// Architecture (`amd64`).
    pub arch: String,
    /// `terraform-provider-{type}_{version}_{os}_{arch}.zip`
    pub filename: String,
    /// Lower-case hex SHA-256 of the zip; also part of its key.
    pub sha256: String,
    /// The `h1:` hash of the zip's contents (what lock files record).
    pub h1: String,
    /// Size of the zip in bytes.
    pub size: u64,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// Who published it.
    pub published_by: String,
}

impl ProviderIndex {
    /// An index with no versions.
    pub fn empty(addr: &ProviderAddress) -> Self {
        Self {
            host: addr.host.clone(),
            namespace: addr.namespace.to_string(),
            r#type: addr.r#type.clone(),
            versions: Vec::new(),
            deleting: Vec::new(),
        }
    }

    /// The entry for `version`.
    pub fn get(&self, version: &Version) -> Option<&ProviderVersion> {
        self.versions.iter().find(|v| &v.version == version)
    }

    /// The entry for `version`, created (with `protocols`) if missing, keeping newest first.
    pub fn get_or_insert(&mut self, version: &Version, protocols: &[String]) -> &mut ProviderVersion {
        let at = match self.versions.iter().position(|v| &v.version == version) {
            Some(at) => at,
            None => {
                let at = self.versions.partition_point(|v| v.version > *version);
                let entry = ProviderVersion {
                    version: version.clone(),
                    protocols: protocols.to_vec(),
                    platforms: Vec::new(),
                    shasums: None,
                    signature: None,
                    key_id: None,
                    custom_signature: false,
                    description: None,
                    source: None,
                    docs: None,
                    deprecation: None,
                    yanked: None,
                    pushed: None,
                };
                self.versions.insert(at, entry);
                at
            }
        };
        &mut self.versions[at]
    }
}

impl ProviderVersion {
    /// Whether the versions document lists it: signed, with a platform, not yanked.
    pub fn listed(&self) -> bool {
        self.signature.is_some() && self.available()
    }

    /// Whether it can be installed from here by a new resolution: it has a platform and is not
    /// yanked (the network mirror serves imported packages, which carry no signature).
    pub fn available(&self) -> bool {
        !self.platforms.is_empty() && self.yanked.is_none()
    }

    /// The platform `os_arch`, if published.
    pub fn platform(&self, os: &str, arch: &str) -> Option<&ProviderPlatform> {
        self.platforms.iter().find(|p| p.os == os && p.arch == arch)
    }
}

/// Reads a provider's index; `None` if it has never been published.
pub async fn load(storage: &dyn Storage, addr: &ProviderAddress) -> Result<Option<ProviderIndex>> {
    crate::storage::read_json(storage, &crate::storage::layout::provider_index(addr), "provider index").await
}
