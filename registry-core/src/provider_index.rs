//! Providers in the store: addresses, and the per-provider version index that names every
//! version, its platforms, and the signed SHA256SUMS that covers them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::address::Name;
use crate::provider::validate_type;
use crate::storage::Storage;
use crate::version::Version;
use crate::{Error, Result};

/// The host segment under which this registry's own providers are stored. Providers imported
/// from a mirror directory keep their original host name instead.
pub const LOCAL_HOST: &str = "_local";

/// A provider: `[host/]namespace/type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderAddress {
    /// [`LOCAL_HOST`] for this registry's providers, or the host name of imported ones.
    pub host: String,
    /// The namespace.
    pub namespace: Name,
    /// The provider type (`null`, `aws`).
    pub r#type: String,
}

impl ProviderAddress {
    /// A provider of this registry.
    pub fn local(namespace: &str, r#type: &str) -> Result<Self> {
        Self::on_host(LOCAL_HOST, namespace, r#type)
    }

    /// A provider whose source address names `host` (`registry.terraform.io`), or
    /// [`LOCAL_HOST`].
    pub fn on_host(host: &str, namespace: &str, r#type: &str) -> Result<Self> {
        if host != LOCAL_HOST {
            validate_host(host)?;
        }
        validate_type(r#type).map_err(|e| Error::bad_request(e.to_string()))?;
        Ok(Self {
            host: host.to_ascii_lowercase(),
            namespace: Name::parse(namespace, "namespace")?,
            r#type: r#type.to_owned(),
        })
    }

    /// The case-folded `host/namespace/type` used for storage keys and caching.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.host, self.namespace.key(), self.r#type)
    }
}

impl fmt::Display for ProviderAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host != LOCAL_HOST {
            write!(f, "{}/", self.host)?;
        }
        write!(f, "{}/{}", self.namespace, self.r#type)
    }
}

/// Checks a host name as it appears in provider source addresses: lower-case letters, digits,
/// `-` and `.`, an optional `:port`, at most 253 characters.
pub fn validate_host(host: &str) -> Result<()> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if name_ok && port_ok {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "invalid host name {:?}: use a lower-case DNS name such as registry.example.com",
            crate::address::truncate(host)
        )))
    }
}

/// Every version of one provider.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ProviderIndex {
    /// [`LOCAL_HOST`] or the original host name.
    pub host: String,
    /// The namespace as first published.
    pub namespace: String,
    /// The provider type.
    pub r#type: String,
    /// The versions, newest first.
    pub versions: Vec<ProviderVersion>,
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
                };
                self.versions.insert(at, entry);
                at
            }
        };
        &mut self.versions[at]
    }
}

impl ProviderVersion {
    /// The platform `os_arch`, if published.
    pub fn platform(&self, os: &str, arch: &str) -> Option<&ProviderPlatform> {
        self.platforms.iter().find(|p| p.os == os && p.arch == arch)
    }
}

/// Reads a provider's index; `None` if it has never been published.
pub async fn load(storage: &dyn Storage, addr: &ProviderAddress) -> Result<Option<ProviderIndex>> {
    let key = crate::layout::provider_index(addr);
    let Some(object) = storage.get(&key).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&object.body)
        .map(Some)
        .map_err(|err| Error::internal(format!("the provider index {key} is corrupt: {err}")))
}
