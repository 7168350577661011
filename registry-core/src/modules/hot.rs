//! What the hot paths (versions, download) need of a module, kept in memory for the cache TTL:
//! a few hundred bytes a module, so a catalogue of 10,000 fits in a few megabytes.

use std::sync::OnceLock;

use bytes::Bytes;
use http::HeaderValue;

use crate::modules::index::ModuleIndex;
use crate::protocol::{ModuleVersions, ModuleVersionsEntry, VersionEntry};
use crate::types::Version;
use crate::{Error, Result};

/// A module's cache entry.
#[derive(Debug)]
pub(crate) struct CachedModule {
    /// `None` when the module does not exist.
    pub(crate) found: Option<HotModule>,
}

/// One version of a [`HotModule`].
#[derive(Debug)]
pub(crate) struct HotVersion {
    /// The version.
    pub(crate) version: Version,
    /// Its archive's SHA-256 (zeros for an external version).
    pub(crate) sha256: [u8; 32],
    /// An external version's location, answered as it is in `X-Terraform-Get`.
    pub(crate) location: Option<HeaderValue>,
    /// Whether the versions document lists it (it is not yanked).
    pub(crate) listed: bool,
}

/// A module that exists, in the form the hot paths read.
#[derive(Debug)]
pub(crate) struct HotModule {
    /// `namespace/name/system` as first published.
    pub(crate) source: Box<str>,
    /// The rendered answer of the versions endpoint.
    pub(crate) versions_json: Bytes,
    /// Every version (yanked ones too: they stay downloadable), newest first.
    pub(crate) versions: Box<[HotVersion]>,
    /// Each version's signed archive link, made on its first download while this entry lives;
    /// the slots themselves only once the module is downloaded, so modules that are only listed
    /// cost nothing more.
    links: OnceLock<Box<[OnceLock<HeaderValue>]>>,
    /// Whether every version was pinned from the upstream (so the upstream's other versions
    /// are still offered).
    pub(crate) all_pinned: bool,
}

impl HotModule {
    pub(crate) fn from_index(index: &ModuleIndex) -> Result<Self> {
        let versions_json = Bytes::from(
            serde_json::to_vec(&versions_document(
                index.source(),
                index.listed().map(|v| v.version.to_string()),
            ))
            .map_err(|e| Error::internal_with("cannot render a versions document", e))?,
        );
        let versions = index
            .versions
            .iter()
            .map(|v| {
                let mut sha = [0u8; 32];
                let location = match &v.location {
                    Some(location) => Some(HeaderValue::try_from(location.as_str()).map_err(|e| {
                        Error::internal_with(
                            format!("the index of {} has a bad location for {}", index.source(), v.version),
                            e,
                        )
                    })?),
                    None => {
                        hex::decode_to_slice(&v.sha256, &mut sha).map_err(|e| {
                            Error::internal_with(
                                format!("the index of {} has a bad sha256 for {}", index.source(), v.version),
                                e,
                            )
                        })?;
                        None
                    }
                };
                Ok(HotVersion { version: v.version.clone(), sha256: sha, location, listed: v.listed() })
            })
            .collect::<Result<Box<[_]>>>()?;
        let all_pinned = index.versions.iter().all(|v| v.pinned);
        Ok(Self {
            source: index.source().into(),
            versions_json,
            versions,
            links: OnceLock::new(),
            all_pinned,
        })
    }

    /// The position of `version`, if published.
    pub(crate) fn position(&self, version: &Version) -> Option<usize> {
        self.versions.iter().position(|v| &v.version == version)
    }

    /// The archive link cached for the `at`-th version, if one was made.
    pub(crate) fn link(&self, at: usize) -> Option<HeaderValue> {
        // A header value shares its bytes: this clone copies no link.
        self.slots()[at].get().cloned()
    }

    /// Keeps the archive link of the `at`-th version; another request may have set it first,
    /// and either link is as good.
    pub(crate) fn keep_link(&self, at: usize, link: HeaderValue) {
        let _ = self.slots()[at].set(link);
    }

    fn slots(&self) -> &[OnceLock<HeaderValue>] {
        self.links.get_or_init(|| self.versions.iter().map(|_| OnceLock::new()).collect())
    }
}

/// The versions document for `source` with `versions` (newest first).
pub(crate) fn versions_document(source: String, versions: impl Iterator<Item = String>) -> ModuleVersions {
    let versions = versions.map(|version| VersionEntry { version }).collect();
    ModuleVersions { modules: vec![ModuleVersionsEntry { source: Some(source), versions }] }
}
