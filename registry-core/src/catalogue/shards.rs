//! The catalogue in the store: entries spread over 256 small objects by the first byte of a
//! hash of their key, so a publish rewrites about 1/256 of it, and a manifest naming each shard's generation,
//! so a replica rereads only the shards that changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entry::Entry;
use crate::storage::{cas, Storage};
use crate::Result;

const PREFIX: &str = "catalogue/modules/";
const MANIFEST: &str = "catalogue/modules/manifest.json";

/// One shard: the entries whose key hashes to it, by key.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(super) struct Shard {
    /// The entries by [`Entry::key`].
    pub modules: BTreeMap<String, Entry>,
}

/// Each shard's generation, bumped after each change of the shard.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(super) struct Manifest {
    /// Shard name -> generation.
    pub shards: BTreeMap<String, u64>,
    /// Whether the modules published before the catalogue existed were added.
    #[serde(default)]
    pub complete: bool,
}

/// The shard `key` belongs to: two hex digits of its SHA-256.
pub(super) fn shard_of(key: &str) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..1])
}

fn shard_key(shard: &str) -> String {
    format!("{PREFIX}{shard}.json")
}

/// The manifest, `None` before anything was catalogued.
pub(super) async fn manifest(storage: &dyn Storage) -> Result<Option<Manifest>> {
    crate::storage::read_json(storage, MANIFEST, "catalogue manifest").await
}

/// One shard (empty when it was never written).
pub(super) async fn shard(storage: &dyn Storage, shard: &str) -> Result<Shard> {
    Ok(crate::storage::read_json(storage, &shard_key(shard), "catalogue shard").await?.unwrap_or_default())
}

/// Puts each entry of `changes` (replacing the one with the same key; `None` removes it) into
/// its shard with compare-and-swap, then bumps those shards' generations; `complete` marks the
/// catalogue as holding every module.
pub(super) async fn put(
    storage: &dyn Storage,
    changes: Vec<(String, Option<Entry>)>,
    complete: bool,
) -> Result<()> {
    let mut by_shard: BTreeMap<String, Vec<(String, Option<Entry>)>> = BTreeMap::new();
    for (key, entry) in changes {
        by_shard.entry(shard_of(&key)).or_default().push((key, entry));
    }
    for (shard, changes) in &by_shard {
        cas::update_json(storage, &shard_key(shard), Shard::default, |current: &mut Shard| {
            for (key, entry) in changes {
                let Some(entry) = entry else {
                    current.modules.remove(key);
                    continue;
                };
                let mut entry = entry.clone();
                // An entry made without the latest version's documentation keeps its description.
                if let Some(old) = current.modules.get(key).filter(|_| entry.description.is_empty()) {
                    entry.description.clone_from(&old.description);
                }
                current.modules.insert(key.clone(), entry);
            }
            Ok(())
        })
        .await?;
    }
    cas::update_json(storage, MANIFEST, Manifest::default, |manifest: &mut Manifest| {
        for shard in by_shard.keys() {
            *manifest.shards.entry(shard.clone()).or_default() += 1;
        }
        manifest.complete |= complete;
        Ok(())
    })
    .await?;
    Ok(())
}
