//! A catalogue in memory: every entry, sorted by key, with the lower-case text search
//! matches against, loaded from the store's shards and refreshed once it is older than the TTL
//! (only the shards whose generation moved are read again).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::listed::Listed;
use super::shards::{self, Manifest};
use crate::storage::Storage;
use crate::Result;

/// Every entry of one catalogue at one moment.
#[derive(Debug)]
pub(super) struct Snapshot<E> {
    /// Sorted by namespace, name and system.
    pub entries: Vec<Indexed<E>>,
    /// The shards it was read from, with their generation and entries, to reuse on refresh.
    shards: BTreeMap<String, (u64, Arc<Vec<E>>)>,
}

/// One entry with the lower-case fields search looks at.
#[derive(Debug)]
pub(super) struct Indexed<E> {
    /// The entry.
    pub entry: E,
    /// Lower-case namespace.
    pub namespace: String,
    /// Lower-case name.
    pub name: String,
    /// Lower-case system (empty for providers).
    pub system: String,
    /// Lower-case description.
    pub description: String,
}

impl<E: Listed> Snapshot<E> {
    /// Reads the catalogue, reusing the shards of `previous` whose generation has not moved.
    /// A store catalogued by no earlier registry gets what it holds added first.
    pub(super) async fn load(storage: &dyn Storage, previous: Option<&Snapshot<E>>) -> Result<Self> {
        let manifest = match shards::manifest::<E>(storage).await? {
            Some(manifest) if manifest.complete => manifest,
            _ => {
                let entries = E::backfill(storage).await?;
                tracing::info!(
                    entries = entries.len(),
                    prefix = E::PREFIX,
                    "catalogue: added what was published before it"
                );
                shards::put(storage, entries.into_iter().map(|e| (e.key(), Some(e))).collect(), true).await?;
                shards::manifest::<E>(storage).await?.unwrap_or_default()
            }
        };
        Self::read(storage, &manifest, previous).await
    }

    async fn read(
        storage: &dyn Storage,
        manifest: &Manifest,
        previous: Option<&Snapshot<E>>,
    ) -> Result<Self> {
        let mut read = BTreeMap::new();
        for (shard, generation) in &manifest.shards {
            let reused = previous.and_then(|p| p.shards.get(shard)).filter(|(g, _)| g == generation);
            let entries = match reused {
                Some((_, entries)) => entries.clone(),
                None => Arc::new(shards::shard::<E>(storage, shard).await?.entries.into_values().collect()),
            };
            read.insert(shard.clone(), (*generation, entries));
        }
        let mut entries: Vec<Indexed<E>> =
            read.values().flat_map(|(_, e)| e.iter()).map(Indexed::new).collect();
        entries.sort_by(|a, b| (&a.namespace, &a.name, &a.system).cmp(&(&b.namespace, &b.name, &b.system)));
        Ok(Self { entries, shards: read })
    }
}

impl<E: Listed> Indexed<E> {
    fn new(entry: &E) -> Self {
        let [namespace, name, system, description] = entry.fields();
        Self {
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
            system: system.to_ascii_lowercase(),
            description: description.to_lowercase(),
            entry: entry.clone(),
        }
    }
}
