//! A module version as OpenTofu's `oci://` module source installs it: an image manifest of
//! artifact type `application/vnd.opentofu.modulepkg` with one `archive/zip` layer.
//!
//! Modules are stored as normalised `.tar.gz` archives, so the zip is derived: on the first
//! request for a version it is built from the archive (streamed through temporary files, so
//! memory stays small whatever the module holds), stored beside the archive, and its SHA-256
//! and size recorded in a small object there, so every later manifest is the same. The zip is
//! deterministic (entries in the archive's order, a fixed time stamp, the archive's modes), so
//! two instances that build it at once store the same bytes.

use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::manifest::{encode, Descriptor, Encoded, ImageManifest, IMAGE_MANIFEST, MODULE_ARTIFACT};
use super::repository::version_tag;
use crate::modules::index::ModuleVersion;
use crate::spool::{spool, SpooledFile};
use crate::storage::{layout, read_json, write_json, PutMode, Storage};
use crate::types::ModuleAddress;
use crate::{Error, Result};

/// What is recorded of a version's derived zip.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ModuleZip {
    /// Lower-case hex SHA-256 of the zip.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The image manifest the version was pushed with, byte for byte, when it was pushed
    /// through the OCI distribution API (its zip is then the one pushed, at
    /// [`layout::module_pushed_zip`]); `None` for a zip derived here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

impl ModuleZip {
    /// The key of the zip.
    pub(crate) fn key(&self, addr: &ModuleAddress, entry: &ModuleVersion) -> String {
        match self.manifest {
            Some(_) => layout::module_pushed_zip(addr, &entry.version, &entry.sha256),
            None => layout::module_zip(addr, &entry.version, &entry.sha256),
        }
    }
}

/// The manifest of a module version whose zip is `zip`.
pub fn manifest(addr: &ModuleAddress, entry: &ModuleVersion, zip: &ModuleZip) -> Result<Encoded> {
    if let Some(pushed) = &zip.manifest {
        return Ok(Encoded::pushed(pushed, IMAGE_MANIFEST));
    }
    let title = format!("{}-{}-{}.zip", addr.name.key(), addr.system, version_tag(&entry.version));
    let layer = Descriptor::zip_layer(&zip.sha256, zip.size, &title);
    encode(&ImageManifest::zip_artifact(MODULE_ARTIFACT, layer), IMAGE_MANIFEST)
}

/// The recorded zip of `entry`, if it was derived already.
pub(crate) async fn recorded(
    storage: &dyn Storage,
    addr: &ModuleAddress,
    entry: &ModuleVersion,
) -> Result<Option<ModuleZip>> {
    let key = layout::module_zip_record(addr, &entry.version, &entry.sha256);
    read_json(storage, &key, "module zip record").await
}

/// The zip of `entry`: as recorded, or derived from its archive now (and stored, then
/// recorded).
pub(crate) async fn ensure(
    storage: &dyn Storage,
    addr: &ModuleAddress,
    entry: &ModuleVersion,
) -> Result<ModuleZip> {
    if let Some(location) = &entry.location {
        return Err(Error::not_found(format!(
            "{addr} version {} is external (at {location}): there is no archive here to serve",
            entry.version
        )));
    }
    if let Some(zip) = recorded(storage, addr, entry).await? {
        return Ok(zip);
    }
    let archive_key = layout::module_archive(addr, &entry.version, &entry.sha256);
    let archive = storage.get_stream(&archive_key).await?.ok_or_else(|| {
        Error::not_found(format!("the archive of {addr} version {} is missing", entry.version))
    })?;
    let spooled = spool(archive.body, entry.size.max(archive.info.size)).await?;
    let (zipped, sha256) = tokio::task::spawn_blocking(move || tar_gz_to_zip(spooled.file))
        .await?
        .map_err(|e| Error::internal_with(format!("cannot turn the archive {archive_key} into a zip"), e))?;
    let zip = ModuleZip { sha256, size: zipped.size, manifest: None };
    zipped.store(storage, &layout::module_zip(addr, &entry.version, &entry.sha256)).await?;
    let record = layout::module_zip_record(addr, &entry.version, &entry.sha256);
    write_json(storage, &record, &zip, PutMode::Overwrite).await?;
    Ok(zip)
}

/// Writes the regular files of a `.tar.gz` (one this registry normalised) to a zip in a
/// temporary file, deflated, with the archive's modes and a fixed time stamp; the zip and its
/// SHA-256.
pub(crate) fn tar_gz_to_zip(tar_gz: std::fs::File) -> io::Result<(SpooledFile, String)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(tar_gz)));
    let mut zip = zip::ZipWriter::new(tempfile::tempfile()?);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mode = entry.header().mode()?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(mode & 0o777)
            .large_file(entry.size() >= u64::from(u32::MAX));
        zip.start_file(path, options).map_err(io::Error::other)?;
        io::copy(&mut entry, &mut zip)?;
    }
    let mut file = zip.finish().map_err(io::Error::other)?;
    file.flush()?;
    let size = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    file.seek(SeekFrom::Start(0))?;
    Ok((SpooledFile { file, size }, hex::encode(hasher.finalize())))
}
