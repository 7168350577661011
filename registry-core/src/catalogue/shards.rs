//! A catalogue in the store: entries spread over 256 small objects by the first byte of a hash
//! of their key, so a change rewrites about 1/256 of it, and a manifest naming each shard's
//! generation, so a replica rereads only the shards that changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::listed::Listed;
use crate::storage::{cas, Storage};
use crate::Result;

/// One shard: the entries whose key hashes to it, by key.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(super) struct Shard<E> {
    /// The entries by key (`modules` in stores written before providers were catalogued).
    #[serde(alias = "modules")]
    pub entries: BTreeMap<String, E>,
}

impl<E> Default for Shard<E> {
    fn default() -> Self {
        Self { entries: BTreeMap::new() }
    }
}

/// Each shard's generation, bumped after each change of the shard.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(super) struct Manifest {
    /// Shard name -> generation.
    pub shards: BTreeMap<String, u64>,
    /// Whether what was published before the catalogue existed was added.
    #[serde(default)]
    pub complete: bool,
}

/// The shard `key` belongs to: two hex digits of its SHA-256.
pub(super) fn shard_of(key: &str) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..1])
}

fn shard_key<E: Listed>(shard: &str) -> String {
    format!("{}{shard}.json", E::PREFIX)
}

fn manifest_key<E: Listed>() -> String {
    format!("{}manifest.json", E::PREFIX)
}

/// The manifest, `None` before anything was catalogued.
pub(super) async fn manifest<E: Listed>(storage: &dyn Storage) -> Result<Option<Manifest>> {
    crate::storage::read_json(storage, &manifest_key::<E>(), "catalogue manifest").await
}

/// One shard (empty when it was never written).
pub(super) async fn shard<E: Listed>(storage: &dyn Storage, shard: &str) -> Result<Shard<E>> {
    Ok(crate::storage::read_json(storage, &shard_key::<E>(shard), "catalogue shard")
        .await?
        .unwrap_or_default())
}

/// Sets the download totals of the entries named in `totals` (those not catalogued are
/// skipped), one compare-and-swap per shard touched.
pub(super) async fn set_downloads<E: Listed>(
    storage: &dyn Storage,
    totals: Vec<(String, u64)>,
) -> Result<()> {
    let mut by_shard: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for (key, total) in totals {
        by_shard.entry(shard_of(&key)).or_default().push((key, total));
    }
    for (shard, totals) in &by_shard {
        cas::update_json(storage, &shard_key::<E>(shard), Shard::default, |current: &mut Shard<E>| {
            for (key, total) in totals {
                if let Some(entry) = current.entries.get_mut(key) {
                    *entry.downloads_mut() = (*entry.downloads_mut()).max(*total);
                }
            }
            Ok(())
        })
        .await?;
    }
    bump::<E>(storage, by_shard.keys(), false).await
}

async fn bump<'a, E: Listed>(
    storage: &dyn Storage,
    shards: impl Iterator<Item = &'a String> + Clone,
    complete: bool,
) -> Result<()> {
    cas::update_json(storage, &manifest_key::<E>(), Manifest::default, |manifest: &mut Manifest| {
        for shard in shards.clone() {
            *manifest.shards.entry(shard.clone()).or_default() += 1;
        }
        manifest.complete |= complete;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Puts each entry of `changes` (replacing the one with the same key; `None` removes it) into
/// its shard with compare-and-swap, then bumps those shards' generations; `complete` marks the
/// catalogue as holding everything published.
pub(super) async fn put<E: Listed>(
    storage: &dyn Storage,
    changes: Vec<(String, Option<E>)>,
    complete: bool,
) -> Result<()> {
    let mut by_shard: BTreeMap<String, Vec<(String, Option<E>)>> = BTreeMap::new();
    for (key, entry) in changes {
        by_shard.entry(shard_of(&key)).or_default().push((key, entry));
    }
    for (shard, changes) in &by_shard {
        cas::update_json(storage, &shard_key::<E>(shard), Shard::default, |current: &mut Shard<E>| {
            for (key, entry) in changes {
                let Some(entry) = entry else {
                    current.entries.remove(key);
                    continue;
                };
                let mut entry = entry.clone();
                if let Some(old) = current.entries.get_mut(key) {
                    *entry.downloads_mut() = *old.downloads_mut();
                    // An entry recorded without a description keeps the one it had.
                    if entry.description_mut().is_empty() {
                        std::mem::swap(entry.description_mut(), old.description_mut());
                    }
                }
                current.entries.insert(key.clone(), entry);
            }
            Ok(())
        })
        .await?;
    }
    bump::<E>(storage, by_shard.keys(), complete).await
}
