//! Where a version's documentation is kept: a JSON object beside its archive, written when the
//! version is published, and derived from the archive on first request for versions published
//! before the registry read documentation (or whose object was lost).

use std::io::Read;

use crate::modules::archive::Sources;
use crate::modules::index::ModuleVersion;
use crate::protocol::ModuleDocs;
use crate::storage::{layout, read_json, write_json, PutMode, Storage};
use crate::types::ModuleAddress;
use crate::{Error, Result};

/// Writes the documentation of `entry`; a failure is logged, as the documentation can be
/// derived again from the archive.
pub(crate) async fn save(
    storage: &dyn Storage,
    addr: &ModuleAddress,
    entry: &ModuleVersion,
    docs: &ModuleDocs,
) {
    let key = layout::module_docs(addr, &entry.version, &entry.sha256);
    if let Err(err) = write_json(storage, &key, docs, PutMode::Overwrite).await {
        tracing::warn!(module = %addr, version = %entry.version, error = %err, "could not store the module's documentation");
    }
}

/// The documentation of `entry`: the stored object, or derived from the archive (and stored).
/// An external version has no archive here, so nothing is documented.
pub(crate) async fn load(
    storage: &dyn Storage,
    addr: &ModuleAddress,
    entry: &ModuleVersion,
) -> Result<ModuleDocs> {
    if entry.is_external() {
        return Ok(ModuleDocs::default());
    }
    let key = layout::module_docs(addr, &entry.version, &entry.sha256);
    match read_json::<ModuleDocs>(storage, &key, "module documentation").await {
        Ok(Some(docs)) => return Ok(docs),
        Ok(None) => {}
        // A damaged object is derived again below.
        Err(err) if err.status().is_client_error() || err.status().as_u16() == 500 => {
            tracing::warn!(%key, error = %err, "module documentation unreadable; reading it again from the archive");
        }
        Err(err) => return Err(err),
    }
    derive(storage, addr, entry).await
}

/// Reads the documentation of `entry` from its archive again, with this registry's extractor,
/// and stores it (replacing what was stored).
pub(crate) async fn derive(
    storage: &dyn Storage,
    addr: &ModuleAddress,
    entry: &ModuleVersion,
) -> Result<ModuleDocs> {
    let archive_key = layout::module_archive(addr, &entry.version, &entry.sha256);
    let archive = storage.get(&archive_key).await?.ok_or_else(|| {
        Error::not_found(format!("the archive of {addr} version {} is missing", entry.version))
    })?;
    let docs = tokio::task::spawn_blocking(move || {
        sources_of_tar_gz(&archive.body).map(|sources| super::extract(&sources))
    })
    .await
    .map_err(|e| Error::internal_with("module documentation", e))?
    .map_err(|e| Error::internal_with(format!("cannot read the archive {archive_key}"), e))?;
    save(storage, addr, entry, &docs).await;
    Ok(docs)
}

/// Reads the documentation of every version of every module again from its archive (after an
/// upgrade of the extractor, or for a store published before documentation was read): how
/// many versions were read, and those that could not be, with why.
pub(crate) async fn reindex(storage: &dyn Storage) -> Result<(usize, Vec<String>)> {
    let (mut derived, mut failed) = (0, Vec::new());
    let indexes = crate::storage::read_indexes::<crate::modules::index::ModuleIndex>(
        storage,
        layout::MODULES_PREFIX,
        "version index",
    )
    .await?;
    for index in indexes {
        let addr = ModuleAddress::parse(&index.namespace, &index.name, &index.system)?;
        // External versions have no archive to read.
        for entry in index.versions.iter().filter(|v| !v.is_external()) {
            match derive(storage, &addr, entry).await {
                Ok(_) => derived += 1,
                Err(err) => failed.push(format!("{addr} {}: {err}", entry.version)),
            }
        }
    }
    Ok((derived, failed))
}

/// The documentation sources of a normalised archive read back from the store.
fn sources_of_tar_gz(bytes: &[u8]) -> std::io::Result<Sources> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut sources = Sources::default();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        if sources.wants(&path, entry.size()) {
            let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
            entry.read_to_end(&mut bytes)?;
            sources.keep(&path, bytes);
        }
    }
    Ok(sources)
}

#[cfg(test)]
pub(super) fn sources_of(bytes: &[u8]) -> Sources {
    sources_of_tar_gz(bytes).unwrap()
}
