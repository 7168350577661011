//! The per-module version index: one small JSON object per module that names every published
//! version. It is the commit point of a publish and the only object the hot read paths need.

use serde::{Deserialize, Serialize};

use crate::protocol::{Deprecation, Yank};
use crate::storage::layout;
use crate::storage::Storage;
use crate::types::address::ModuleAddress;
use crate::types::version::Version;
use crate::Error;
use crate::Result;

/// Every published version of one module.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ModuleIndex {
    /// The namespace as first published.
    pub namespace: String,
    /// The module name as first published.
    pub name: String,
    /// The target system.
    pub system: String,
    /// The versions, newest first.
    pub versions: Vec<ModuleVersion>,
    /// Versions being deleted: no read sees them and no publish may bring them back until their
    /// objects are gone (see [`crate::lifecycle`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleting: Vec<ModuleVersion>,
}

/// One published version of a module.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ModuleVersion {
    /// The normalised version.
    pub version: Version,
    /// Lower-case hex SHA-256 of the stored archive; also part of its key. Empty for an
    /// external version, which has no archive here.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    /// Size of the stored archive in bytes (0 for an external version).
    #[serde(default)]
    pub size: u64,
    /// When it was published (RFC 3339, UTC).
    pub published_at: String,
    /// Who published it: a principal id, never a secret.
    pub published_by: String,
    /// Whether it was copied from the upstream by a pin rather than published here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// What the module is for, as the publisher said (`?description=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its code lives, as the publisher said (`?source=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Set while the version is deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<Deprecation>,
    /// Set while the version is yanked: out of the versions document, still downloadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<Yank>,
    /// Where the code is, for a version registered from an external source (a checked
    /// [`ModuleLocation`](crate::types::ModuleLocation), kept as given): the download answers
    /// it in `X-Terraform-Get`, and there is no archive here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Where an imported version was fetched from (its archive is stored here like an upload's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<String>,
}

impl ModuleVersion {
    /// Whether the versions document lists it (it is not yanked).
    pub fn listed(&self) -> bool {
        self.yanked.is_none()
    }

    /// Whether the version is registered from an external source: no archive is stored for it.
    pub fn is_external(&self) -> bool {
        self.location.is_some()
    }
}

impl ModuleIndex {
    /// An index with no versions for `addr`, keeping the address as written.
    pub fn empty(addr: &ModuleAddress) -> Self {
        Self {
            namespace: addr.namespace.to_string(),
            name: addr.name.to_string(),
            system: addr.system.to_string(),
            versions: Vec::new(),
            deleting: Vec::new(),
        }
    }

    /// The entry for `version`, if published.
    pub fn get(&self, version: &Version) -> Option<&ModuleVersion> {
        self.versions.iter().find(|v| &v.version == version)
    }

    /// The versions the versions document lists (not yanked), newest first.
    pub fn listed(&self) -> impl Iterator<Item = &ModuleVersion> {
        self.versions.iter().filter(|v| v.listed())
    }

    /// The `namespace/name/system` as first published.
    pub fn source(&self) -> String {
        format!("{}/{}/{}", self.namespace, self.name, self.system)
    }

    pub(crate) fn insert(&mut self, entry: ModuleVersion) {
        let at = self.versions.partition_point(|v| v.version > entry.version);
        self.versions.insert(at, entry);
    }
}

/// Reads a module's index and its etag; `None` if the module has never been published.
pub async fn load(
    storage: &dyn Storage,
    addr: &ModuleAddress,
) -> Result<Option<(ModuleIndex, Option<String>)>> {
    let key = layout::module_index(addr);
    let Some(object) = storage.get(&key).await? else {
        return Ok(None);
    };
    let index = serde_json::from_slice(&object.body)
        .map_err(|err| Error::corrupt("version index", key.clone(), err))?;
    Ok(Some((index, object.info.etag)))
}

/// Adds `entry` to the module's index with compare-and-swap, so concurrent publishes of
/// different versions all land and of one version exactly one lands. Answers 409 if the
/// version is already published.
pub async fn add_version(
    storage: &dyn Storage,
    addr: &ModuleAddress,
    entry: ModuleVersion,
) -> Result<ModuleIndex> {
    let key = layout::module_index(addr);
    crate::storage::cas::update_json(
        storage,
        &key,
        || ModuleIndex::empty(addr),
        |index: &mut ModuleIndex| {
            if index.get(&entry.version).is_some() {
                return Err(Error::conflict(format!(
                    "{addr} version {} is already published; publish a new version instead",
                    entry.version
                )));
            }
            if index.deleting.iter().any(|v| v.version == entry.version) {
                return Err(Error::conflict(format!(
                    "{addr} version {} is being deleted; delete it again to finish, then publish",
                    entry.version
                )));
            }
            index.insert(entry.clone());
            Ok(())
        },
    )
    .await
}
