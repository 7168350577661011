//! One provider as the catalogue lists it, derived from its version index.

use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::listed::Listed;
use crate::http::body::Body;
use crate::http::response;
use crate::protocol::{ListMeta, ProviderList, ProviderSummary};
use crate::providers::index::{ProviderIndex, ProviderVersion};
use crate::storage::{layout, Storage};
use crate::types::{Constraints, LOCAL_HOST};
use crate::Result;

/// The catalogue's record of one provider.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderEntry {
    /// [`LOCAL_HOST`] for this registry's own; the original host of one pinned from the
    /// upstream or imported into the mirror.
    pub host: String,
    /// The namespace as first published.
    pub namespace: String,
    /// The provider type.
    pub r#type: String,
    /// The latest listed version: the newest release, else the newest pre-release.
    pub latest: String,
    /// How many versions are listed.
    pub versions: usize,
    /// The latest version's plugin protocols.
    pub protocols: Vec<String>,
    /// The latest version's platforms, `os_arch`.
    pub platforms: Vec<String>,
    /// When the latest version's first package was published.
    pub published_at: String,
    /// Who published it.
    pub published_by: String,
    /// The latest version's description as published (kept from an earlier one when not said).
    #[serde(default)]
    pub description: String,
    /// Where the code lives, when known.
    #[serde(default)]
    pub source: String,
    /// Downloads of every version, as last written (see [`crate::downloads`]).
    #[serde(default)]
    pub downloads: u64,
}

/// The version a provider's list entry shows (yanked versions and those without a package are
/// passed over).
pub fn latest_provider(index: &ProviderIndex) -> Option<&ProviderVersion> {
    let listed = || index.versions.iter().filter(|v| v.available());
    match Constraints::any().select_newest(listed().map(|v| &v.version)) {
        Some(version) => index.get(version),
        None => listed().next(),
    }
}

impl ProviderEntry {
    /// The entry for a provider's `index`; `None` when it lists no version.
    pub fn of(index: &ProviderIndex) -> Option<Self> {
        let latest = latest_provider(index)?;
        let first = latest.platforms.iter().min_by(|a, b| a.published_at.cmp(&b.published_at))?;
        Some(Self {
            host: index.host.clone(),
            namespace: index.namespace.clone(),
            r#type: index.r#type.clone(),
            latest: latest.version.to_string(),
            versions: index.versions.iter().filter(|v| v.available()).count(),
            protocols: latest.protocols.clone(),
            platforms: latest.platforms.iter().map(|p| format!("{}_{}", p.os, p.arch)).collect(),
            published_at: first.published_at.clone(),
            published_by: first.published_by.clone(),
            description: latest.description.clone().unwrap_or_default(),
            source: latest.source.clone().unwrap_or_default(),
            downloads: 0,
        })
    }

    /// The key of the entry of the provider `host/namespace/type`.
    pub fn key_of(host: &str, namespace: &str, r#type: &str) -> String {
        let key = if host == LOCAL_HOST {
            format!("{namespace}/{type}")
        } else {
            format!("{host}/{namespace}/{type}")
        };
        key.to_ascii_lowercase()
    }

    /// The entry as a list answer shows it.
    pub fn summary(&self) -> ProviderSummary {
        let copied = self.host != LOCAL_HOST;
        let address = if copied {
            format!("{}/{}/{}", self.host, self.namespace, self.r#type)
        } else {
            format!("{}/{}", self.namespace, self.r#type)
        };
        ProviderSummary {
            id: format!("{address}/{}", self.latest),
            owner: self.published_by.clone(),
            namespace: self.namespace.clone(),
            name: self.r#type.clone(),
            version: self.latest.clone(),
            description: self.description.clone(),
            source: self.source.clone(),
            published_at: self.published_at.clone(),
            versions: self.versions,
            protocols: self.protocols.clone(),
            platforms: self.platforms.clone(),
            pinned: copied,
            upstream: copied.then(|| self.host.clone()),
            downloads: self.downloads,
        }
    }
}

impl Listed for ProviderEntry {
    const PREFIX: &'static str = "catalogue/providers/";
    const FILTERS: &'static [&'static str] = &[];

    fn key(&self) -> String {
        Self::key_of(&self.host, &self.namespace, &self.r#type)
    }

    fn fields(&self) -> [&str; 4] {
        [&self.namespace, &self.r#type, "", &self.description]
    }

    fn description_mut(&mut self) -> &mut String {
        &mut self.description
    }

    fn published_at(&self) -> &str {
        &self.published_at
    }

    fn downloads_mut(&mut self) -> &mut u64 {
        &mut self.downloads
    }

    fn page(meta: ListMeta, entries: Vec<&Self>) -> Response<Body> {
        let providers = entries.into_iter().map(ProviderEntry::summary).collect();
        response::json(StatusCode::OK, &ProviderList { meta, providers })
    }

    async fn backfill(storage: &dyn Storage) -> Result<Vec<Self>> {
        let indexes = crate::storage::read_indexes::<ProviderIndex>(
            storage,
            layout::PROVIDERS_PREFIX,
            "provider index",
        )
        .await?;
        Ok(indexes.iter().filter_map(ProviderEntry::of).collect())
    }
}
