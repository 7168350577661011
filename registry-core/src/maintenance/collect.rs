//! The garbage collection: removes what nothing needs once it is older than the grace period.
//!
//! - An orphan (an archive or package its folder's index does not name) is removed only after
//!   its index is read once more, right before: a publish writes its archive first and commits
//!   the index after, so young orphans may be publishes in flight, and the grace period covers
//!   them. The index is read again after the removal, so the one race left (a publish that
//!   finds an identical old orphan in place, reuses it, and commits the index in the instant
//!   between that read and the removal) is reported in [`GarbageReport::lost`] rather than
//!   silent. Publishes narrow it further: one that reused an object in place checks after its
//!   commit that the object is still there, and writes it again if not.
//! - What an interrupted write left is removed by its own age.
//! - An upload session's folder (expired, or without a record) goes whole, once everything in it
//!   is older than the grace period, its record last.
//!
//! Nothing in a folder whose index cannot be read is touched.

use std::collections::HashSet;

use super::inventory::{derived_from, older_than, session_collectable, Folder, Inventory};
use super::report::GarbageReport;
use crate::storage::Storage;
use crate::uploads::folders;
use crate::Result;

/// Collects the garbage of `storage` older than `grace_secs` at `now` (seconds since the epoch).
pub(crate) async fn collect(storage: &dyn Storage, now: u64, grace_secs: u64) -> Result<GarbageReport> {
    // What withdrawn modules keep for a reinstall is not garbage until their hold ends.
    let held = crate::modules::withdraw::held(storage, now).await?;
    let held: HashSet<&str> = held.iter().map(String::as_str).collect();
    crate::scm::deliveries::Deliveries::prune(storage, now).await?;
    let inventory = Inventory::take(storage, now).await?;
    let garbage = inventory.garbage(now, grace_secs);
    let mut removed: HashSet<String> = HashSet::new();
    let mut lost = Vec::new();
    for folder in &inventory.folders {
        let due: Vec<&str> = folder
            .orphans
            .iter()
            .filter(|o| older_than(o, now, grace_secs))
            .filter(|o| !held.contains(o.key.as_str()) && !derived_from(&o.key, &held))
            .map(|o| o.key.as_str())
            .collect();
        if due.is_empty() {
            continue;
        }
        let Some(named) = named_now(storage, folder).await? else { continue };
        let mut gone = Vec::new();
        for key in due.into_iter().filter(|key| !named.contains(*key)) {
            storage.delete(key).await?;
            gone.push(key);
        }
        if let Some(named) = named_now(storage, folder).await? {
            for key in gone.iter().filter(|key| named.contains(**key)) {
                tracing::error!(%key, index = %folder.index, "removed an orphan a publish reused meanwhile; publish that version again");
                lost.push((*key).to_owned());
            }
        }
        removed.extend(gone.into_iter().map(str::to_owned));
    }
    for leftover in inventory.unfinished.iter().filter(|o| older_than(o, now, grace_secs)) {
        storage.delete_unfinished(&leftover.key).await?;
        removed.insert(leftover.key.clone());
    }
    for session in inventory.sessions.iter().filter(|s| session_collectable(s, now, grace_secs)) {
        folders::remove(storage, &session.contents).await?;
        removed.extend(session.contents.entries().map(|o| o.key.clone()));
    }
    let (removed, kept): (Vec<_>, Vec<_>) = garbage.into_iter().partition(|g| removed.contains(&g.key));
    let removed_bytes = removed.iter().map(|g| g.size).sum();
    if !removed.is_empty() {
        tracing::info!(removed = removed.len(), removed_bytes, kept = kept.len(), "collected garbage");
    }
    Ok(GarbageReport {
        collected_at: crate::clock::rfc3339(now),
        grace_secs,
        removed,
        removed_bytes,
        kept: kept.len(),
        lost,
    })
}

/// The keys the folder's index names now; `None` when it can no longer be read.
async fn named_now(storage: &dyn Storage, folder: &Folder) -> Result<Option<HashSet<String>>> {
    Ok(match folder.catalogue.references(storage, &folder.index).await? {
        None => Some(HashSet::new()),
        Some(Ok(references)) => Some(references.into_iter().map(|r| r.key).collect()),
        Some(Err(_)) => None,
    })
}
