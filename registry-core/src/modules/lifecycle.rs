//! Deprecating, yanking and deleting module versions (see [`crate::lifecycle`]).

use http::{Response, StatusCode};

use super::index::ModuleIndex;
use super::read::missing_version;
use super::ModuleService;
use crate::http::body::Body;
use crate::http::response;
use crate::lifecycle::{begin_delete, Change, Marks};
use crate::storage::{cas, layout};
use crate::types::{ModuleAddress, Version};
use crate::Result;

impl ModuleService {
    /// Applies a lifecycle `change` to `version`, made by `by`: 200 with the version as it now
    /// is, or 204 for a delete.
    pub(crate) async fn change(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        change: &Change,
        by: &str,
    ) -> Result<Response<Body>> {
        if *change == Change::Delete {
            self.delete(addr, version).await?;
            tracing::info!(module = %addr, %version, by, "module version deleted");
            return Ok(response::empty(StatusCode::NO_CONTENT));
        }
        let at = crate::clock::rfc3339(self.clock.unix_now());
        let index = self
            .update_index(addr, |index| {
                let entry = index
                    .versions
                    .iter_mut()
                    .find(|v| v.version == *version)
                    .ok_or_else(|| missing_version(addr, version))?;
                Marks { deprecation: &mut entry.deprecation, yanked: &mut entry.yanked }
                    .apply(change, &at, by);
                Ok(())
            })
            .await?;
        self.catalogue.refresh(&index).await;
        let entry = index.get(version).ok_or_else(|| missing_version(addr, version))?;
        tracing::info!(module = %addr, %version, by, ?change, "module version changed");
        Ok(response::json(StatusCode::OK, &self.describe(&index, entry)))
    }

    /// Deletes `version` in three steps, each safe to repeat: out of `versions` into
    /// `deleting` (from then on no read sees it and no publish brings it back), its archive,
    /// documentation and pin record removed, then out of `deleting`.
    async fn delete(&self, addr: &ModuleAddress, version: &Version) -> Result<()> {
        let index = self
            .update_index(addr, |index| {
                let is = |v: &super::index::ModuleVersion| v.version == *version;
                match begin_delete(&mut index.versions, &mut index.deleting, is) {
                    true => Ok(()),
                    false => Err(missing_version(addr, version)),
                }
            })
            .await?;
        let Some(entry) = index.deleting.iter().find(|v| v.version == *version) else {
            return Err(missing_version(addr, version));
        };
        // An external version has no objects here but its index entry.
        let stored = [
            layout::module_archive(addr, version, &entry.sha256),
            layout::module_docs(addr, version, &entry.sha256),
            layout::module_zip(addr, version, &entry.sha256),
            layout::module_pushed_zip(addr, version, &entry.sha256),
            layout::module_zip_record(addr, version, &entry.sha256),
        ];
        let stored = if entry.is_external() { &[][..] } else { &stored[..] };
        for key in stored.iter().cloned().chain([layout::module_pin(addr, version)]) {
            self.storage.delete(&key).await?;
        }
        let index = self
            .update_index(addr, |index| {
                index.deleting.retain(|v| v.version != *version);
                Ok(())
            })
            .await?;
        self.catalogue.refresh(&index).await;
        Ok(())
    }

    /// Changes the module's index with compare-and-swap (404 when it has none) and forgets the
    /// cached view.
    pub(super) async fn update_index(
        &self,
        addr: &ModuleAddress,
        mut mutate: impl FnMut(&mut ModuleIndex) -> Result<()>,
    ) -> Result<ModuleIndex> {
        let result = cas::update_json(
            self.storage.as_ref(),
            &layout::module_index(addr),
            || ModuleIndex::empty(addr),
            |index: &mut ModuleIndex| {
                if index.versions.is_empty() && index.deleting.is_empty() {
                    return Err(super::read::missing_module(addr));
                }
                mutate(index)
            },
        )
        .await;
        self.forget(addr).await;
        result
    }
}
