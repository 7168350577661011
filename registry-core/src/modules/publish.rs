//! The module publish pipeline, shared by request bodies, upload sessions and pins: check and
//! normalise the archive, store it create-only under its content hash, commit the version to
//! the index with compare-and-swap, and on any failure leave nothing referenced.

use bytes::Bytes;
use http::{Response, StatusCode};

use super::ModuleService;
use crate::http::body::{check_upload, Body};
use crate::http::response;
use crate::modules::archive::{normalize_module_subdir_to_file, ArchiveFile};
use crate::modules::index::{self, ModuleIndex, ModuleVersion};
use crate::modules::metadata::Metadata;
use crate::oci::modules::ModuleZip;
use crate::spool::SpooledFile;
use crate::storage::{layout, write_json, PutMode};
use crate::types::{ModuleAddress, ModuleLocation, Version};
use crate::{Error, Result};

/// Where a version's archive comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    /// A request body, an upload session or an OCI push.
    Upload,
    /// Copied from the upstream by a pin.
    Pin,
    /// Fetched once from an external location, whose subdirectory is the module.
    Import(&'a ModuleLocation),
    /// A tag's archive from a source-control host (see [`crate::scm`]): `subdir` of it is the
    /// module, and `from` names the repository and tag.
    Repository {
        /// The module's folder in the archive (`*` for the top folder, `*/modules/network`).
        subdir: &'a str,
        /// `github:acme/terraform-aws-network@v1.2.0`.
        from: &'a str,
    },
}

impl Origin<'_> {
    /// The part of the archive that is the module, when not the whole.
    fn subdir(&self) -> Option<&str> {
        match self {
            Origin::Import(location) => location.subdir(),
            Origin::Repository { subdir, .. } => Some(subdir),
            Origin::Upload | Origin::Pin => None,
        }
    }

    /// Where the version was fetched from, for its record.
    fn imported_from(&self) -> Option<String> {
        match self {
            Origin::Import(location) => Some(location.as_str().to_owned()),
            Origin::Repository { from, .. } => Some((*from).to_owned()),
            Origin::Upload | Origin::Pin => None,
        }
    }
}

/// A module archive checked and normalised, with the documentation read from it.
#[derive(Debug)]
pub(crate) struct Normalised {
    /// The normalised `.tar.gz`.
    pub(crate) archive: ArchiveFile,
    docs: crate::protocol::ModuleDocs,
}

impl ModuleService {
    /// `PUT /v1/modules/{ns}/{name}/{system}/{version}` with a `.tar.gz` or `.zip` archive (the
    /// body, or what an upload session holds), published by `by`.
    pub(crate) async fn publish(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        archive: Bytes,
        by: &str,
        metadata: Metadata,
    ) -> Result<Response<Body>> {
        check_upload(&archive, self.max_upload_bytes, "the module as a .tar.gz or .zip archive")?;
        self.refuse_published(addr, version).await?;
        let (index, entry) =
            self.store_version(addr, version, archive, by.to_owned(), Origin::Upload, metadata).await?;
        tracing::info!(module = %addr, %version, by = %entry.published_by, "module version published");
        Ok(response::json(StatusCode::CREATED, &self.describe(&index, &entry)))
    }

    /// 409 when `version` is already published: a cheap early answer, before the archive is
    /// read or fetched; the index compare-and-swap of the publish is what really decides.
    pub(crate) async fn refuse_published(&self, addr: &ModuleAddress, version: &Version) -> Result<()> {
        if let Some((index, _)) = index::load(self.storage.as_ref(), addr).await? {
            if index.get(version).is_some() {
                return Err(Error::conflict(format!(
                    "{addr} version {version} is already published; publish a new version instead"
                )));
            }
        }
        Ok(())
    }

    /// Checks and normalises `archive` (a `.tar.gz` or `.zip`; for an import, the part below
    /// the location's subdirectory), stores it create-only under its content hash, and commits
    /// the version to the index with compare-and-swap; on any failure nothing stays referenced.
    pub(crate) async fn store_version(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        archive: Bytes,
        published_by: String,
        origin: Origin<'_>,
        metadata: Metadata,
    ) -> Result<(ModuleIndex, ModuleVersion)> {
        let normalised = self.normalise(archive, origin.subdir()).await?;
        self.commit_version(addr, version, normalised, published_by, origin, metadata).await
    }

    /// Checks and normalises `archive` (a `.tar.gz` or `.zip`, or its part below `subdir`) and
    /// reads its documentation, off the async threads, at most `archive_workers` at once.
    pub(crate) async fn normalise(&self, archive: Bytes, subdir: Option<&str>) -> Result<Normalised> {
        let limits = self.limits.clone();
        let subdir = subdir.map(str::to_owned);
        // At most `archive_workers` archives are unpacked at once; the others wait here.
        let _permit =
            self.archive_workers.acquire().await.map_err(|e| Error::internal_with("archive workers", e))?;
        let (archive, docs) = tokio::task::spawn_blocking(move || {
            normalize_module_subdir_to_file(&archive, &limits, subdir.as_deref()).map(|n| {
                let docs = super::docs::extract(&n.sources);
                (n.archive, docs)
            })
        })
        .await??;
        Ok(Normalised { archive, docs })
    }

    /// Stores a normalised archive create-only under its content hash, and commits the version
    /// to the index with compare-and-swap; on any failure nothing stays referenced.
    pub(crate) async fn commit_version(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        normalised: Normalised,
        published_by: String,
        origin: Origin<'_>,
        metadata: Metadata,
    ) -> Result<(ModuleIndex, ModuleVersion)> {
        let storage = self.storage.as_ref();
        let Normalised { archive: ArchiveFile { file, size, sha256 }, docs } = normalised;
        let key = layout::module_archive(addr, version, &sha256);
        // Same key means same content: an identical upload may have got there first.
        let archive = SpooledFile { file, size };
        let copy = archive.try_clone()?;
        let created = archive.store(storage, &key).await?;
        let entry = ModuleVersion {
            version: version.clone(),
            sha256,
            size,
            published_at: crate::clock::rfc3339(self.clock.unix_now()),
            published_by,
            pinned: matches!(origin, Origin::Pin),
            description: metadata.description,
            source: metadata.source,
            deprecation: None,
            yanked: None,
            location: None,
            imported_from: origin.imported_from(),
        };
        let result = index::add_version(storage, addr, entry.clone()).await;
        self.forget(addr).await;
        match result {
            Ok(index) => {
                if !created {
                    // An identical archive was in place: if the garbage collection removed it as
                    // an orphan meanwhile, this writes it again (a no-op when it is there).
                    copy.store(storage, &key).await?;
                }
                super::docs::save(storage, addr, &entry, &docs).await;
                // The description comes from the latest version's README.
                let latest = crate::catalogue::latest(&index).is_some_and(|v| v.version == entry.version);
                self.catalogue.record(&index, latest.then_some(&docs)).await;
                Ok((index, entry))
            }
            Err(err) => {
                if created {
                    // Our archive is not referenced unless the winner uploaded the same bytes.
                    let same = matches!(index::load(storage, addr).await,
                        Ok(Some((ref i, _))) if i.get(version).is_some_and(|v| v.sha256 == entry.sha256));
                    if !same {
                        crate::storage::remove_unreferenced(storage, &key).await;
                    }
                }
                Err(err)
            }
        }
    }

    /// A version pushed through the OCI distribution API as the zip `zip` (a staged blob with
    /// SHA-256 `zip_sha256`) with the image manifest `manifest`: published from the zip as any
    /// upload is, with the zip and the manifest kept beside the archive as the version's OCI
    /// artifact, so the registry serves back exactly what was pushed.
    pub(crate) async fn publish_pushed(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        zip: SpooledFile,
        zip_sha256: &str,
        manifest: String,
        by: &str,
    ) -> Result<ModuleVersion> {
        self.refuse_published(addr, version).await?;
        let normalised = self.normalise(zip.read_all(self.max_upload_bytes).await?, None).await?;
        let storage = self.storage.as_ref();
        let sha256 = normalised.archive.sha256.clone();
        let record = ModuleZip { sha256: zip_sha256.to_owned(), size: zip.size, manifest: Some(manifest) };
        // What a version deleted earlier may have left under the same name goes first.
        let key = layout::module_pushed_zip(addr, version, &sha256);
        storage.delete(&key).await?;
        zip.store(storage, &key).await?;
        write_json(storage, &layout::module_zip_record(addr, version, &sha256), &record, PutMode::Overwrite)
            .await?;
        let (_, entry) = self
            .commit_version(addr, version, normalised, by.to_owned(), Origin::Upload, Metadata::default())
            .await?;
        tracing::info!(module = %addr, %version, by, "module version published by an OCI push");
        Ok(entry)
    }
}
