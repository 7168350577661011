//! Reading modules: version lists, descriptions, download locations and the archives behind
//! them.

use std::sync::Arc;

use http::{header, HeaderValue, Response, StatusCode};

use super::hot::{versions_document, CachedModule, HotModule};
use super::ModuleService;
use crate::downloads::{self, Counted};
use crate::http::body::Body;
use crate::http::files::{self, StoredFile};
use crate::http::{response, RequestContext};
use crate::modules::index::{self, ModuleIndex, ModuleVersion};
use crate::protocol::{DownloadLocation, ModuleDetail, ModuleVersionDetail, ModuleVersionView};
use crate::storage::layout;
use crate::types::{Constraints, ModuleAddress, Version};
use crate::{Error, Result};

/// The header Terraform reads the archive location from.
pub const X_TERRAFORM_GET: &str = "x-terraform-get";

impl ModuleService {
    /// The module's hot data from the cache, loading it on a miss (concurrent misses share one
    /// read of the index).
    pub(crate) async fn cached(&self, addr: &ModuleAddress) -> Result<Arc<CachedModule>> {
        self.cache
            .get_or_load(&addr.key(), || async {
                let found = match index::load(self.storage.as_ref(), addr).await? {
                    // Every version deleted: the module is gone.
                    Some((index, _)) if !index.versions.is_empty() => Some(HotModule::from_index(&index)?),
                    _ => None,
                };
                Ok(CachedModule { found })
            })
            .await
    }

    /// The module's full index, read from the store (for the less frequent detail endpoints).
    pub(crate) async fn full_index(&self, addr: &ModuleAddress) -> Result<ModuleIndex> {
        let loaded = index::load(self.storage.as_ref(), addr).await?;
        loaded.map(|(index, _)| index).filter(|i| !i.versions.is_empty()).ok_or_else(|| missing_module(addr))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/versions`: the local versions, or the upstream's
    /// for a module not hosted here when the registry proxies.
    pub(crate) async fn versions(&self, addr: &ModuleAddress) -> Result<Response<Body>> {
        let module = self.cached(addr).await?;
        match (&module.found, self.upstream.as_ref()) {
            (Some(found), Some(upstream)) if found.all_pinned => {
                // Pinned versions are served from here; the upstream's others are still
                // offered while it answers.
                match upstream.module_version_list(addr).await {
                    Ok(mut listed) => {
                        for version in found.versions.iter().filter(|v| v.listed).map(|v| &v.version) {
                            if !listed.contains(version) {
                                listed.push(version.clone());
                            }
                        }
                        listed.sort_by(|a, b| b.cmp(a));
                        let document = versions_document(
                            found.source.to_string(),
                            listed.iter().map(Version::to_string),
                        );
                        Ok(response::json(StatusCode::OK, &document))
                    }
                    Err(err) => {
                        tracing::warn!(module = %addr, error = %err, "upstream failed; offering the pinned versions");
                        Ok(response::json_bytes(StatusCode::OK, found.versions_json.clone()))
                    }
                }
            }
            (Some(found), _) => Ok(response::json_bytes(StatusCode::OK, found.versions_json.clone())),
            (None, Some(upstream)) => {
                Ok(response::json(StatusCode::OK, &upstream.module_versions(addr).await?))
            }
            (None, None) => Err(missing_module(addr)),
        }
    }

    /// `GET /v1/modules/{ns}/{name}/{system}`: the latest version with its documentation, as
    /// the public registry answers, and every version (yanked ones too, marked).
    pub(crate) async fn detail(&self, addr: &ModuleAddress) -> Result<Response<Body>> {
        let index = self.full_index(addr).await?;
        // A module whose versions are all yanked still shows its newest.
        let shown = crate::catalogue::latest(&index)
            .or(index.versions.first())
            .ok_or_else(|| missing_module(addr))?;
        let latest = Constraints::any().select_newest(index.listed().map(|v| &v.version));
        let counts = downloads::stored(self.storage.as_ref(), &Counted::module(addr)).await?;
        let version_details = index
            .versions
            .iter()
            .map(|v| ModuleVersionView { downloads: counts.of(&v.version), ..self.describe(&index, v) })
            .collect();
        let body = ModuleDetail {
            latest: self.version_detail(addr, &index, shown).await?,
            latest_version: latest.map(Version::to_string),
            version_details,
        };
        Ok(response::json(StatusCode::OK, &body))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/{version}`
    pub(crate) async fn version(&self, addr: &ModuleAddress, version: &Version) -> Result<Response<Body>> {
        let index = self.full_index(addr).await?;
        let entry = index.get(version).ok_or_else(|| missing_version(addr, version))?;
        Ok(response::json(StatusCode::OK, &self.version_detail(addr, &index, entry).await?))
    }

    /// One version with what its code documents and the listed versions.
    async fn version_detail(
        &self,
        addr: &ModuleAddress,
        index: &ModuleIndex,
        entry: &ModuleVersion,
    ) -> Result<ModuleVersionDetail> {
        let docs = super::docs::load(self.storage.as_ref(), addr, entry).await?;
        let counts = downloads::stored(self.storage.as_ref(), &Counted::module(addr)).await?;
        Ok(ModuleVersionDetail {
            version: ModuleVersionView {
                downloads: counts.of(&entry.version),
                ..self.describe(index, entry)
            },
            docs,
            versions: index.listed().map(|v| v.version.to_string()).collect(),
        })
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/download`: 302 to the newest release's download.
    pub(crate) async fn latest_download(&self, addr: &ModuleAddress) -> Result<Response<Body>> {
        let module = self.cached(addr).await?;
        let found = module.found.as_ref().ok_or_else(|| missing_module(addr))?;
        let latest = Constraints::any()
            .select_newest(found.versions.iter().filter(|v| v.listed).map(|v| &v.version))
            .ok_or_else(|| {
                Error::not_found(format!(
                    "module {addr} has no release that is not a pre-release or yanked; name a version"
                ))
            })?;
        let location = self.links.to(&format!("/v1/modules/{}/{latest}/download", found.source));
        response::redirect(StatusCode::FOUND, &location)
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/{version}/download`: 204 with `X-Terraform-Get`
    /// naming a signed archive link (or an external version's location, verbatim); with `Accept: application/json`, 200 with the header and
    /// `{"location": ...}` as the body (the form OpenTofu also reads).
    pub(crate) async fn download(
        &self,
        ctx: &RequestContext,
        addr: &ModuleAddress,
        version: &Version,
    ) -> Result<Response<Body>> {
        let module = self.cached(addr).await?;
        let local = module.found.as_ref().and_then(|found| Some((found, found.position(version)?)));
        let location: HeaderValue = match (local, &module.found, &self.upstream) {
            (Some((found, at)), _, _) => self.archive_link(addr, found, at)?,
            (None, found, Some(upstream)) if found.as_ref().is_none_or(|f| f.all_pinned) => {
                let location = upstream.module_location(addr, version).await?;
                HeaderValue::try_from(location).map_err(|e| {
                    Error::upstream_with("the upstream's archive location is not a valid header", e)
                })?
            }
            (None, None, _) => return Err(missing_module(addr)),
            (None, Some(_), _) => return Err(missing_version(addr, version)),
        };
        let wants_json = ctx.header(header::ACCEPT).is_some_and(|v| v.contains("application/json"));
        let mut response = if wants_json {
            let text =
                location.to_str().map_err(|e| Error::internal_with("a location that is not text", e))?;
            response::json(StatusCode::OK, &DownloadLocation { location: text.to_owned() })
        } else {
            response::empty(StatusCode::NO_CONTENT)
        };
        response.headers_mut().insert(X_TERRAFORM_GET, location);
        Ok(response)
    }

    /// A signed, expiring link to the archive of the `at`-th version of a cached module (an
    /// external version's location as it was registered). The
    /// link is made once per cache entry, on the first download, while entries live no longer
    /// than half a link's lifetime (see [`ModuleService::reuse_links`]): the download hot path
    /// then reads it with one atomic load. Otherwise each download signs its own link.
    fn archive_link(&self, addr: &ModuleAddress, found: &HotModule, at: usize) -> Result<HeaderValue> {
        if let Some(location) = &found.versions[at].location {
            return Ok(location.clone());
        }
        if self.reuse_links {
            if let Some(link) = found.link(at) {
                return Ok(link);
            }
        }
        let version = &found.versions[at];
        let path = format!(
            "/v1/archives/modules/{}/{}/{}.tar.gz",
            addr.key(),
            version.version,
            hex::encode(version.sha256)
        );
        let link = HeaderValue::try_from(self.links.signed(&path))
            .map_err(|e| Error::internal_with("an archive link that is not a valid header", e))?;
        if self.reuse_links {
            found.keep_link(at, link.clone());
        }
        Ok(link)
    }

    /// `GET|HEAD /v1/archives/modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz?expires&signature`
    pub(crate) async fn archive(
        &self,
        ctx: &RequestContext,
        addr: &ModuleAddress,
        version: &Version,
        sha256: &str,
    ) -> Result<Response<Body>> {
        self.links.verify(&ctx.path, ctx.raw_query.as_deref(), &crate::http::signing::DOWNLOAD_LINK)?;
        let key = layout::module_archive(addr, version, sha256);
        let file = StoredFile { key: &key, content_type: "application/gzip", sha256 };
        let missing = || Error::not_found(format!("archive of {addr} {version} not found"));
        files::serve(self.storage.as_ref(), ctx, &file, self.links.ttl(), missing).await
    }

    /// One version as upload and the detail endpoints show it.
    pub(crate) fn describe(&self, index: &ModuleIndex, entry: &ModuleVersion) -> ModuleVersionView {
        ModuleVersionView {
            id: format!("{}/{}", index.source(), entry.version),
            namespace: index.namespace.clone(),
            name: index.name.clone(),
            provider: index.system.clone(),
            version: entry.version.to_string(),
            sha256: entry.sha256.clone(),
            size: entry.size,
            published_at: entry.published_at.clone(),
            published_by: entry.published_by.clone(),
            download_url: self.links.to(&format!(
                "/v1/modules/{}/{}/download",
                index.source(),
                entry.version
            )),
            description: entry.description.clone(),
            source: entry.source.clone(),
            deprecation: entry.deprecation.clone(),
            yanked: entry.yanked.clone(),
            location: entry.location.clone(),
            imported_from: entry.imported_from.clone(),
            downloads: 0,
        }
    }
}

pub(crate) fn missing_module(addr: &ModuleAddress) -> Error {
    Error::not_found(format!("module {addr} does not exist in this registry"))
}

pub(crate) fn missing_version(addr: &ModuleAddress, version: &Version) -> Error {
    Error::not_found(format!("module {addr} has no version {version}"))
}
