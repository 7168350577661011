//! Finding and removing what interrupted writes leave in a local folder.
//!
//! `object_store`'s local backend writes every object to a staging file beside it,
//! `{key}#{n}` (`n` the first free number from 1), then renames it into place (or hard-links it,
//! for create-only writes) and removes the name. A process killed in between, say during a
//! 300 MB upload, leaves the staging file: `uploads/{id}/object#1`. `object_store` hides such
//! names from its listings and refuses them as keys, so nothing through it can see or remove
//! them; this walks the folder itself.

use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// A leftover staging file: its key relative to the folder (`/`-separated), size and age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leftover {
    pub(crate) key: String,
    pub(crate) size: u64,
    /// Seconds since the Unix epoch when it was last written.
    pub(crate) modified: Option<u64>,
}

/// The root folder of a local-filesystem store.
#[derive(Debug)]
pub(crate) struct LocalFolder {
    root: PathBuf,
}

/// Whether a file name is one `object_store` stages writes under, `name#digits`: the names its
/// listings hide (it splits at the first `#`).
pub(crate) fn is_staging_name(name: &str) -> bool {
    match name.split_once('#') {
        Some((base, n)) => !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

impl LocalFolder {
    pub(crate) fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The staging files whose keys start with `prefix`, in key order.
    pub(crate) async fn leftovers(&self, prefix: &str) -> io::Result<Vec<Leftover>> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        tokio::task::spawn_blocking(move || {
            // Walk only the deepest folder the prefix names in full.
            let start = prefix.rfind('/').map_or(root.clone(), |i| root.join(&prefix[..i]));
            let mut found = Vec::new();
            walk(&root, &start, &prefix, &mut found)?;
            found.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(found)
        })
        .await
        .map_err(io::Error::other)?
    }

    /// Removes the staging file at `key` (a name [`LocalFolder::leftovers`] returned), then the
    /// folders it leaves empty, up to the root; a missing file is not an error.
    pub(crate) async fn remove(&self, key: &str) -> io::Result<()> {
        let root = self.root.clone();
        let path = root.join(key);
        tokio::task::spawn_blocking(move || {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e),
            }
            let mut parent = path.parent();
            while let Some(dir) = parent.filter(|dir| *dir != root && dir.starts_with(&root)) {
                if std::fs::remove_dir(dir).is_err() {
                    break;
                }
                parent = dir.parent();
            }
            Ok(())
        })
        .await
        .map_err(io::Error::other)?
    }
}

/// Collects the staging files under `dir` whose keys start with `prefix`; a missing folder
/// holds none. Symbolic links and names that are not UTF-8 are skipped (no key names them).
fn walk(root: &Path, dir: &Path, prefix: &str, found: &mut Vec<Leftover>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory => {
            return Ok(())
        }
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(root, &path, prefix, found)?;
            continue;
        }
        if !kind.is_file() || !entry.file_name().to_str().is_some_and(is_staging_name) {
            continue;
        }
        let Some(key) = key_of(root, &path) else { continue };
        if !key.starts_with(prefix) {
            continue;
        }
        // The file may be finished or removed meanwhile.
        let Ok(meta) = entry.metadata() else { continue };
        let modified =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs());
        found.push(Leftover { key, size: meta.len(), modified });
    }
    Ok(())
}

/// `path` relative to `root`, with `/` between the parts.
fn key_of(root: &Path, path: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> =
        path.strip_prefix(root).ok()?.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::is_staging_name;

    #[test]
    fn staging_names_are_those_object_store_uses() {
        for name in ["object#1", "a.zip#12", "index.json#3"] {
            assert!(is_staging_name(name), "{name}");
        }
        for name in ["object", "object#", "object#a1", "#1", "a#1b", "a#b#1", "session.json"] {
            assert!(!is_staging_name(name), "{name}");
        }
    }
}
