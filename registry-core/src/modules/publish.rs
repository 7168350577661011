//! Publishing a module version: validate everything, store the normalised archive create-only,
//! then commit the version to the index with compare-and-swap.

use bytes::Bytes;
use http::{Response, StatusCode};

use crate::auth::Principal;
use crate::http::response;
use crate::modules::archive::normalize_module_archive;
use crate::modules::index::{self, ModuleIndex, ModuleVersion};
use crate::registry::Registry;
use crate::storage::layout;
use crate::storage::{PutMode, StorageError};
use crate::types::address::ModuleAddress;
use crate::types::version::Version;
use crate::Error;
use crate::Result;

impl Registry {
    /// 413 over the upload limit (adapters usually stop reading before), 400 for an empty body;
    /// `what` says what the body should have been.
    pub(crate) fn check_upload_body(&self, body: &Bytes, what: &str) -> Result<()> {
        let limit = self.inner.config.max_upload_bytes;
        if body.len() as u64 > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        if body.is_empty() {
            return Err(Error::bad_request(format!("the request body is empty: send {what}")));
        }
        Ok(())
    }

    /// `PUT /v1/modules/{ns}/{name}/{system}/{version}` with a `.tar.gz` or `.zip` body.
    pub(crate) async fn module_upload(
        &self,
        principal: Option<Principal>,
        addr: &ModuleAddress,
        version: &Version,
        body: Bytes,
    ) -> Result<Response<Bytes>> {
        self.check_upload_body(&body, "the module as a .tar.gz or .zip archive")?;
        let storage = self.inner.storage.as_ref();
        // Cheap early answer; the index compare-and-swap below is what really decides.
        if let Some((index, _)) = index::load(storage, addr).await? {
            if index.get(version).is_some() {
                return Err(Error::conflict(format!(
                    "{addr} version {version} is already published; publish a new version instead"
                )));
            }
        }
        let by = principal.map(|p| p.id).unwrap_or_else(|| "anonymous".into());
        let (index, entry) = self.store_module_version(addr, version, body, by, false).await?;
        tracing::info!(module = %addr, %version, by = %entry.published_by, "module version published");
        Ok(response::json(StatusCode::CREATED, &self.describe(&index, &entry)))
    }

    /// Checks and normalises `archive` (a `.tar.gz` or `.zip`), stores it create-only under
    /// its content hash, and commits the version to the index with compare-and-swap; on any
    /// failure nothing stays referenced. Shared by uploads and pins.
    pub(crate) async fn store_module_version(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        archive: Bytes,
        published_by: String,
        pinned: bool,
    ) -> Result<(ModuleIndex, ModuleVersion)> {
        let storage = self.inner.storage.as_ref();
        let limits = self.inner.config.archive_limits.clone();
        let normalised = tokio::task::spawn_blocking(move || normalize_module_archive(&archive, &limits))
            .await
            .map_err(|e| Error::internal(format!("archive check failed: {e}")))??;

        let key = layout::module_archive(addr, version, &normalised.sha256);
        let size = normalised.tar_gz.len() as u64;
        let created = match storage.put(&key, normalised.tar_gz, PutMode::Create).await {
            Ok(_) => true,
            // Same key means same content: an identical upload got there first.
            Err(StorageError::AlreadyExists { .. }) => false,
            Err(err) => return Err(err.into()),
        };
        let entry = ModuleVersion {
            version: version.clone(),
            sha256: normalised.sha256,
            size,
            published_at: crate::clock::rfc3339(crate::clock::unix_now()),
            published_by,
            pinned,
        };
        let result = index::add_version(storage, addr, entry.clone()).await;
        self.inner.modules.remove(&addr.key());
        match result {
            Ok(index) => Ok((index, entry)),
            Err(err) => {
                if created {
                    // Our archive is not referenced unless the winner uploaded the same bytes.
                    let same = matches!(index::load(storage, addr).await,
                        Ok(Some((ref i, _))) if i.get(version).is_some_and(|v| v.sha256 == entry.sha256));
                    if !same {
                        if let Err(del) = storage.delete(&key).await {
                            tracing::warn!(%key, error = %del, "could not remove an unpublished archive");
                        }
                    }
                }
                Err(err)
            }
        }
    }
}
