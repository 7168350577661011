//! One pass over the store: every module and provider folder with what its index references and
//! what it holds besides, what interrupted writes left, and the upload sessions' folders. Both
//! the check and the garbage collection start from it.
//!
//! Objects are listed before indexes are read, so an object committed to an index before the
//! read is seen as referenced; a reference to an object the listing missed (published after
//! the listing) is confirmed with a `HEAD` before it is called missing.

use std::collections::{BTreeMap, HashSet};

use super::references::{Catalogue, Reference};
use super::report::{Damage, Garbage, GarbageKind};
use crate::storage::{layout, ObjectInfo, Storage};
use crate::uploads::folders::{self, SessionFolder, SessionState};
use crate::Result;

/// A module's or provider's folder.
#[derive(Debug)]
pub(crate) struct Folder {
    pub(crate) catalogue: Catalogue,
    /// The key of its index.
    pub(crate) index: String,
    /// What the index references, each with the object listed at its key (if any).
    pub(crate) referenced: Vec<(Reference, Option<ObjectInfo>)>,
    /// The objects in it that its index does not reference.
    pub(crate) orphans: Vec<ObjectInfo>,
}

/// What the store holds, as the registry sees it.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// Folders whose index could be read, or that have none.
    pub(crate) folders: Vec<Folder>,
    /// How many indexes were read.
    pub(crate) indexes: usize,
    /// Indexes and session records that cannot be read.
    pub(crate) unreadable: Vec<Damage>,
    /// What interrupted writes left outside the upload sessions.
    pub(crate) unfinished: Vec<ObjectInfo>,
    /// The folders of sessions that can no longer be used.
    pub(crate) sessions: Vec<SessionFolder>,
}

impl Inventory {
    /// Takes stock of `storage` at `now` (seconds since the epoch).
    pub(crate) async fn take(storage: &dyn Storage, now: u64) -> Result<Self> {
        let mut inventory = Inventory::default();
        for catalogue in Catalogue::ALL {
            inventory.add_catalogue(storage, catalogue).await?;
        }
        let unfinished = storage.list_unfinished("").await?;
        inventory.unfinished =
            unfinished.into_iter().filter(|o| !o.key.starts_with(layout::UPLOADS_PREFIX)).collect();
        for folder in folders::scan(storage, layout::UPLOADS_PREFIX, now).await? {
            match &folder.state {
                SessionState::Unreadable(err) => inventory.unreadable.push(Damage::Unreadable {
                    key: layout::upload_session(&folder.contents.id),
                    what: "upload session".into(),
                    error: err.to_string(),
                }),
                _ if folder.is_leftover() => inventory.sessions.push(folder),
                _ => {}
            }
        }
        Ok(inventory)
    }

    async fn add_catalogue(&mut self, storage: &dyn Storage, catalogue: Catalogue) -> Result<()> {
        // index key -> objects in its folder, the index excluded
        let mut grouped: BTreeMap<String, Vec<ObjectInfo>> = BTreeMap::new();
        let mut indexes = HashSet::new();
        for object in storage.list(catalogue.prefix()).await? {
            let index = index_of(&object.key);
            if object.key == index {
                indexes.insert(index.clone());
                grouped.entry(index).or_default();
            } else {
                grouped.entry(index).or_default().push(object);
            }
        }
        for (index, objects) in grouped {
            let found =
                if indexes.contains(&index) { catalogue.references(storage, &index).await? } else { None };
            let references = match found {
                None => Vec::new(),
                Some(Ok(references)) => {
                    self.indexes += 1;
                    references
                }
                Some(Err(error)) => {
                    // Nothing in the folder is judged while its index cannot be read.
                    let what = catalogue.what().to_owned();
                    self.unreadable.push(Damage::Unreadable { key: index, what, error });
                    continue;
                }
            };
            let named: HashSet<&str> = references.iter().map(|r| r.key.as_str()).collect();
            let (kept, orphans): (Vec<ObjectInfo>, Vec<ObjectInfo>) = objects
                .into_iter()
                .partition(|o| named.contains(o.key.as_str()) || derived_from(&o.key, &named));
            let mut listed: BTreeMap<String, ObjectInfo> =
                kept.into_iter().map(|o| (o.key.clone(), o)).collect();
            let mut referenced = Vec::with_capacity(references.len());
            for reference in references {
                let info = match listed.remove(&reference.key) {
                    Some(info) => Some(info),
                    // Published after the listing, perhaps.
                    None => storage.head(&reference.key).await?,
                };
                referenced.push((reference, info));
            }
            self.folders.push(Folder { catalogue, index, referenced, orphans });
        }
        Ok(())
    }

    /// Everything nothing needs, each marked collectable when older than `grace_secs` at `now`.
    pub(crate) fn garbage(&self, now: u64, grace_secs: u64) -> Vec<Garbage> {
        let mut out = Vec::new();
        for folder in &self.folders {
            out.extend(folder.orphans.iter().map(|o| piece(o, GarbageKind::Orphan, now, grace_secs)));
        }
        out.extend(self.unfinished.iter().map(|o| piece(o, GarbageKind::Unfinished, now, grace_secs)));
        for session in &self.sessions {
            let collectable = session_collectable(session, now, grace_secs);
            out.extend(
                session
                    .contents
                    .entries()
                    .map(|o| Garbage { collectable, ..piece(o, GarbageKind::Upload, now, grace_secs) }),
            );
        }
        out
    }
}

/// Whether `key` is derived from a referenced archive (a module version's documentation, or
/// its zip for the OCI distribution API), so it lives as long as the archive.
pub(crate) fn derived_from(key: &str, referenced: &HashSet<&str>) -> bool {
    layout::MODULE_DERIVED_SUFFIXES.iter().any(|suffix| {
        key.strip_suffix(suffix).is_some_and(|stem| referenced.contains(format!("{stem}.tar.gz").as_str()))
    })
}

/// The key of the index of the folder `key` lies in: its first
/// [`layout::ARTIFACT_FOLDER_DEPTH`] parts and [`layout::INDEX_NAME`]. A key too short to lie
/// in a folder gets a name no index has, so nothing references it.
fn index_of(key: &str) -> String {
    let parts: Vec<&str> = key.splitn(layout::ARTIFACT_FOLDER_DEPTH + 1, '/').collect();
    if parts.len() <= layout::ARTIFACT_FOLDER_DEPTH {
        return format!("{key}/{}", layout::INDEX_NAME);
    }
    format!("{}/{}", parts[..layout::ARTIFACT_FOLDER_DEPTH].join("/"), layout::INDEX_NAME)
}

/// Seconds since `object` was written, if the store says.
pub(crate) fn age(object: &ObjectInfo, now: u64) -> Option<u64> {
    object.last_modified.map(|written| now.saturating_sub(written))
}

/// Whether `object` is at least `grace_secs` old; never when its age is unknown.
pub(crate) fn older_than(object: &ObjectInfo, now: u64, grace_secs: u64) -> bool {
    age(object, now).is_some_and(|age| age >= grace_secs)
}

/// A session folder is collected whole, once everything in it is older than the grace period.
pub(crate) fn session_collectable(session: &SessionFolder, now: u64, grace_secs: u64) -> bool {
    session.contents.entries().all(|o| older_than(o, now, grace_secs))
}

fn piece(object: &ObjectInfo, kind: GarbageKind, now: u64, grace_secs: u64) -> Garbage {
    Garbage {
        key: object.key.clone(),
        kind,
        size: object.size,
        age_secs: age(object, now),
        collectable: older_than(object, now, grace_secs),
    }
}

#[cfg(test)]
mod tests {
    use super::index_of;

    #[test]
    fn objects_belong_to_the_index_of_their_folder() {
        assert_eq!(index_of("modules/a/b/c/1.0.0/x.tar.gz"), "modules/a/b/c/index.json");
        assert_eq!(index_of("modules/a/b/c/index.json"), "modules/a/b/c/index.json");
        assert_eq!(index_of("providers/_local/a/t/1.0.0/x.zip"), "providers/_local/a/t/index.json");
        assert_eq!(index_of("modules/a/b/c"), "modules/a/b/c/index.json");
        assert_eq!(index_of("modules/stray"), "modules/stray/index.json");
    }
}
