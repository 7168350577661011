//! Deprecating, yanking and deleting provider versions (see [`crate::lifecycle`]).

use http::{Response, StatusCode};

use super::index::{ProviderIndex, ProviderVersion};
use super::ProviderService;
use crate::http::body::Body;
use crate::http::response;
use crate::lifecycle::{begin_delete, Change, Marks};
use crate::protocol::{ProviderPlatformView, ProviderVersionView};
use crate::storage::layout;
use crate::types::{ProviderAddress, Version, LOCAL_HOST};
use crate::{Error, Result};

impl ProviderService {
    /// Applies a lifecycle `change` to `version` of a provider of this registry (or, for one
    /// only pinned from the upstream, to the pinned copy), made by `by`: 200 with the version
    /// as it now is, or 204 for a delete.
    pub(crate) async fn change(
        &self,
        local: &ProviderAddress,
        version: &Version,
        change: &Change,
        by: &str,
    ) -> Result<Response<Body>> {
        let addr = self.held_address(local).await?;
        if *change == Change::Delete {
            self.delete(&addr, version).await?;
            tracing::info!(provider = %addr, %version, by, "provider version deleted");
            return Ok(response::empty(StatusCode::NO_CONTENT));
        }
        let at = crate::clock::rfc3339(self.clock.unix_now());
        let index = self
            .update_existing(&addr, |index| {
                let entry = index
                    .versions
                    .iter_mut()
                    .find(|v| v.version == *version)
                    .ok_or_else(|| missing_version(&addr, version))?;
                Marks { deprecation: &mut entry.deprecation, yanked: &mut entry.yanked }
                    .apply(change, &at, by);
                Ok(())
            })
            .await?;
        let entry = index.get(version).ok_or_else(|| missing_version(&addr, version))?;
        tracing::info!(provider = %addr, %version, by, ?change, "provider version changed");
        Ok(response::json(StatusCode::OK, &view(&index, entry)))
    }

    /// The address whose index holds `local`'s versions: its own, or the upstream's when only
    /// pins of it are kept.
    pub(crate) async fn held_address(&self, local: &ProviderAddress) -> Result<ProviderAddress> {
        if self.cached(local).await?.is_some() {
            return Ok(local.clone());
        }
        if let Some(upstream) = self.upstream.as_ref() {
            let pinned = self.upstream_address(upstream, local)?;
            if self.cached(&pinned).await?.is_some() {
                return Ok(pinned);
            }
        }
        Err(Error::not_found(format!("provider {local} does not exist in this registry")))
    }

    /// Deletes `version` in three steps, each safe to repeat: out of `versions` into
    /// `deleting`, its packages and pin record removed, then out of `deleting`.
    async fn delete(&self, addr: &ProviderAddress, version: &Version) -> Result<()> {
        let index = self
            .update_existing(addr, |index| {
                match begin_delete(&mut index.versions, &mut index.deleting, |v| v.version == *version) {
                    true => Ok(()),
                    false => Err(missing_version(addr, version)),
                }
            })
            .await?;
        let entry = index
            .deleting
            .iter()
            .find(|v| v.version == *version)
            .ok_or_else(|| missing_version(addr, version))?;
        let packages = entry.platforms.iter().map(|p| layout::provider_package(addr, version, &p.sha256));
        let docs = entry.docs.iter().map(|d| layout::provider_docs(addr, version, &d.sha256));
        for key in packages.chain(docs).chain([layout::provider_pin(addr, version)]) {
            self.storage.delete(&key).await?;
        }
        self.update_existing(addr, |index| {
            index.deleting.retain(|v| v.version != *version);
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// [`ProviderService::update`] of an index that exists (404 otherwise).
    async fn update_existing(
        &self,
        addr: &ProviderAddress,
        mut mutate: impl FnMut(&mut ProviderIndex) -> Result<()>,
    ) -> Result<ProviderIndex> {
        self.update(addr, |index| {
            if index.versions.is_empty() && index.deleting.is_empty() {
                return Err(Error::not_found(format!("provider {addr} does not exist in this registry")));
            }
            mutate(index)
        })
        .await
    }
}

/// One version as the detail endpoints show it.
pub(crate) fn view(index: &ProviderIndex, entry: &ProviderVersion) -> ProviderVersionView {
    ProviderVersionView {
        id: format!("{}/{}/{}", index.namespace, index.r#type, entry.version),
        namespace: index.namespace.clone(),
        r#type: index.r#type.clone(),
        version: entry.version.to_string(),
        protocols: entry.protocols.clone(),
        platforms: entry
            .platforms
            .iter()
            .map(|p| ProviderPlatformView {
                os: p.os.clone(),
                arch: p.arch.clone(),
                filename: p.filename.clone(),
                shasum: p.sha256.clone(),
                size: p.size,
                published_at: p.published_at.clone(),
                published_by: p.published_by.clone(),
            })
            .collect(),
        key_id: entry.key_id.clone(),
        custom_signature: entry.custom_signature,
        pinned: index.host != LOCAL_HOST,
        description: entry.description.clone(),
        source: entry.source.clone(),
        docs: entry.docs.clone(),
        deprecation: entry.deprecation.clone(),
        yanked: entry.yanked.clone(),
        downloads: 0,
    }
}

pub(crate) fn missing_version(addr: &ProviderAddress, version: &Version) -> Error {
    Error::not_found(format!("provider {addr} has no version {version}"))
}
