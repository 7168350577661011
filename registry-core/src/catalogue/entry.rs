//! One module as the catalogue lists it, derived from its version index.

use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::listed::Listed;
use crate::http::body::Body;
use crate::http::response;
use crate::modules::index::{ModuleIndex, ModuleVersion};
use crate::protocol::{ListMeta, ModuleDocs, ModuleList, ModuleSummary};
use crate::storage::{layout, Storage};
use crate::types::Constraints;
use crate::Result;

/// The catalogue's record of one module.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The namespace as first published.
    pub namespace: String,
    /// The name as first published.
    pub name: String,
    /// The target system.
    pub system: String,
    /// The latest version (see [`ModuleSummary::version`]).
    pub latest: String,
    /// How many versions are published.
    pub versions: usize,
    /// When the latest version was published.
    pub published_at: String,
    /// Who published it.
    pub published_by: String,
    /// Whether it was pinned from the upstream.
    #[serde(default)]
    pub pinned: bool,
    /// The latest version's description as published, else the first paragraph of its README.
    #[serde(default)]
    pub description: String,
    /// Where the code lives, when known.
    #[serde(default)]
    pub source: String,
    /// Whether the latest version is registered from an external source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// Downloads of every version, as last written (see [`crate::downloads`]).
    #[serde(default)]
    pub downloads: u64,
}

/// The version a module's list entry shows: its newest release, or its newest pre-release when
/// it has no release; yanked versions are passed over (a module with only yanked versions is
/// not listed).
pub fn latest(index: &ModuleIndex) -> Option<&ModuleVersion> {
    match Constraints::any().select_newest(index.listed().map(|v| &v.version)) {
        Some(version) => index.get(version),
        None => index.listed().next(),
    }
}

/// The key of the entry of a module (see [`Entry::key`]).
pub(super) fn key_of(namespace: &str, name: &str, system: &str) -> String {
    format!("{namespace}/{name}/{system}").to_ascii_lowercase()
}

/// At most this many characters of a README paragraph make a description.
const DESCRIPTION_CHARS: usize = 300;

impl Entry {
    /// The entry for a module's `index` (with at least one version); `docs` of its latest version
    /// give the description.
    pub fn of(index: &ModuleIndex, docs: Option<&ModuleDocs>) -> Option<Self> {
        let latest = latest(index)?;
        Some(Self {
            namespace: index.namespace.clone(),
            name: index.name.clone(),
            system: index.system.clone(),
            latest: latest.version.to_string(),
            versions: index.listed().count(),
            published_at: latest.published_at.clone(),
            published_by: latest.published_by.clone(),
            pinned: latest.pinned,
            description: latest
                .description
                .clone()
                .unwrap_or_else(|| docs.map(|d| description(&d.root.readme)).unwrap_or_default()),
            // An external version's location says where its code is when the publisher did not.
            source: latest.source.clone().or_else(|| latest.location.clone()).unwrap_or_default(),
            external: latest.is_external(),
            downloads: 0,
        })
    }

    /// The lower-case `namespace/name/system`, which orders and identifies entries.
    pub fn key(&self) -> String {
        key_of(&self.namespace, &self.name, &self.system)
    }

    /// The entry as a list answer shows it.
    pub fn summary(&self) -> ModuleSummary {
        ModuleSummary {
            id: format!("{}/{}/{}/{}", self.namespace, self.name, self.system, self.latest),
            owner: self.published_by.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            version: self.latest.clone(),
            provider: self.system.clone(),
            description: self.description.clone(),
            source: self.source.clone(),
            published_at: self.published_at.clone(),
            versions: self.versions,
            pinned: self.pinned,
            external: self.external,
            downloads: self.downloads,
        }
    }
}

impl Listed for Entry {
    const PREFIX: &'static str = "catalogue/modules/";
    const FILTERS: &'static [&'static str] = &["provider"];

    fn key(&self) -> String {
        Entry::key(self)
    }

    fn fields(&self) -> [&str; 4] {
        [&self.namespace, &self.name, &self.system, &self.description]
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
        let modules = entries.into_iter().map(Entry::summary).collect();
        response::json(StatusCode::OK, &ModuleList { meta, modules })
    }

    async fn backfill(storage: &dyn Storage) -> Result<Vec<Self>> {
        let mut entries = Vec::new();
        for index in
            crate::storage::read_indexes::<ModuleIndex>(storage, layout::MODULES_PREFIX, "version index")
                .await?
        {
            let docs = match latest(&index) {
                Some(latest) => docs_if_stored(storage, &index, latest).await,
                None => None,
            };
            entries.extend(Entry::of(&index, docs.as_ref()));
        }
        Ok(entries)
    }
}

/// The stored documentation of `latest`, if there is some (the catalogue does not read
/// archives).
pub(super) async fn docs_if_stored(
    storage: &dyn Storage,
    index: &ModuleIndex,
    latest: &ModuleVersion,
) -> Option<ModuleDocs> {
    let addr = crate::types::ModuleAddress::parse(&index.namespace, &index.name, &index.system).ok()?;
    let key = layout::module_docs(&addr, &latest.version, &latest.sha256);
    crate::storage::read_json(storage, &key, "module documentation").await.ok().flatten()
}

/// The first paragraph of a README that is not a heading, badge line or HTML, as plain text.
pub(crate) fn description(readme: &str) -> String {
    let paragraph: Vec<&str> = readme
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with(['#', '<', '[', '!', '|', '`', '-', '*', '>', '=']))
        .map(|p| p.lines().map(str::trim).collect())
        .unwrap_or_default();
    let text = paragraph.join(" ");
    match text.char_indices().nth(DESCRIPTION_CHARS) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::description;

    #[test]
    fn a_description_is_the_first_paragraph_of_prose() {
        let readme = "# Net\n\n[![badge](x)](y)\n\nCreates a VPC\nwith subnets.\n\nMore.";
        assert_eq!(description(readme), "Creates a VPC with subnets.");
        assert_eq!(description(""), "");
        assert_eq!(description(&"a".repeat(400)).chars().count(), 301);
    }
}
