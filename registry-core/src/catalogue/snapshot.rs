//! The catalogue in memory: every entry, sorted by key, with the lower-case text search
//! matches against, loaded from the store's shards and refreshed once it is older than the TTL
//! (only the shards whose generation moved are read again).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::entry::Entry;
use super::shards::{self, Manifest};
use crate::modules::index::ModuleIndex;
use crate::protocol::ModuleDocs;
use crate::storage::{layout, Storage};
use crate::Result;

/// Every entry of the catalogue at one moment.
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    /// Sorted by namespace, name and system.
    pub entries: Vec<Indexed>,
    /// The shards it was read from, with their generation and entries, to reuse on refresh.
    shards: BTreeMap<String, (u64, Arc<Vec<Entry>>)>,
}

/// One entry with the lower-case fields search looks at.
#[derive(Debug)]
pub(super) struct Indexed {
    /// The entry.
    pub entry: Entry,
    /// Lower-case namespace.
    pub namespace: String,
    /// Lower-case name.
    pub name: String,
    /// Lower-case system.
    pub system: String,
    /// Lower-case description.
    pub description: String,
}

impl Snapshot {
    /// Reads the catalogue, reusing the shards of `previous` whose generation has not moved.
    /// A store catalogued before this registry read every module gets them all first.
    pub(super) async fn load(storage: &dyn Storage, previous: Option<&Snapshot>) -> Result<Self> {
        let manifest = match shards::manifest(storage).await? {
            Some(manifest) if manifest.complete => manifest,
            _ => {
                backfill(storage).await?;
                shards::manifest(storage).await?.unwrap_or_default()
            }
        };
        Self::read(storage, &manifest, previous).await
    }

    async fn read(storage: &dyn Storage, manifest: &Manifest, previous: Option<&Snapshot>) -> Result<Self> {
        let mut read = BTreeMap::new();
        for (shard, generation) in &manifest.shards {
            let reused = previous.and_then(|p| p.shards.get(shard)).filter(|(g, _)| g == generation);
            let entries = match reused {
                Some((_, entries)) => entries.clone(),
                None => Arc::new(shards::shard(storage, shard).await?.modules.into_values().collect()),
            };
            read.insert(shard.clone(), (*generation, entries));
        }
        let mut entries: Vec<Indexed> = read.values().flat_map(|(_, e)| e.iter()).map(Indexed::new).collect();
        entries.sort_by(|a, b| (&a.namespace, &a.name, &a.system).cmp(&(&b.namespace, &b.name, &b.system)));
        Ok(Self { entries, shards: read })
    }
}

impl Indexed {
    fn new(entry: &Entry) -> Self {
        Self {
            namespace: entry.namespace.to_ascii_lowercase(),
            name: entry.name.to_ascii_lowercase(),
            system: entry.system.to_ascii_lowercase(),
            description: entry.description.to_lowercase(),
            entry: entry.clone(),
        }
    }
}

/// Adds every module the store holds to the catalogue and marks it complete: once, for a
/// store whose modules were published before the registry kept a catalogue. Entries already
/// there are replaced by the same (or, for a module published meanwhile, newer) facts.
async fn backfill(storage: &dyn Storage) -> Result<()> {
    let mut entries = Vec::new();
    for object in storage.list(layout::MODULES_PREFIX).await? {
        if !object.key.ends_with(&format!("/{}", layout::INDEX_NAME)) {
            continue;
        }
        let Some(index) =
            crate::storage::read_json::<ModuleIndex>(storage, &object.key, "version index").await?
        else {
            continue;
        };
        let docs = match super::entry::latest(&index) {
            Some(latest) => docs_if_stored(storage, &index, latest).await,
            None => None,
        };
        entries.extend(Entry::of(&index, docs.as_ref()).map(|e| (e.key(), Some(e))));
    }
    tracing::info!(modules = entries.len(), "catalogue: added the modules published before it");
    shards::put(storage, entries, true).await
}

/// The stored documentation of `latest`, if there is some (backfill does not read archives).
pub(super) async fn docs_if_stored(
    storage: &dyn Storage,
    index: &ModuleIndex,
    latest: &crate::modules::index::ModuleVersion,
) -> Option<ModuleDocs> {
    let addr = crate::types::ModuleAddress::parse(&index.namespace, &index.name, &index.system).ok()?;
    let key = layout::module_docs(&addr, &latest.version, &latest.sha256);
    crate::storage::read_json(storage, &key, "module documentation").await.ok().flatten()
}
