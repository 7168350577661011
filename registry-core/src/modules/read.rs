//! Reading modules: version lists, descriptions, and download locations.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde_json::json;

use crate::http::response;
use crate::modules::index::{self, ModuleIndex, ModuleVersion};
use crate::proxy::upstream::Upstream;
use crate::registry::Registry;
use crate::types::address::ModuleAddress;
use crate::types::constraint::Constraints;
use crate::types::version::Version;
use crate::Error;
use crate::Result;

/// The header Terraform reads the archive location from.
pub const X_TERRAFORM_GET: &str = "x-terraform-get";

/// What the hot paths (versions, download) need of a module, kept in memory for the cache
/// TTL: a few hundred bytes a module, so a catalogue of 10,000 fits in a few megabytes.
#[derive(Debug)]
pub(crate) struct CachedModule {
    /// `None` when the module does not exist.
    found: Option<HotModule>,
}

#[derive(Debug)]
struct HotModule {
    /// `namespace/name/system` as first published.
    source: Box<str>,
    /// The rendered answer of the versions endpoint.
    versions_json: Bytes,
    /// Every version with its archive's SHA-256, newest first.
    versions: Box<[(Version, [u8; 32])]>,
    /// Each version's signed archive link, made on its first download while this entry lives
    /// (see [`Registry::archive_link`]); the slots themselves only once the module is downloaded,
    /// so modules that are only listed cost nothing more.
    links: OnceLock<Box<[OnceLock<HeaderValue>]>>,
    /// Whether every version was pinned from the upstream (so the upstream's other versions
    /// are still offered).
    all_pinned: bool,
}

impl HotModule {
    fn from_index(index: &ModuleIndex) -> Result<Self> {
        let listed: Vec<_> = index.versions.iter().map(|v| json!({"version": v.version})).collect();
        let body = json!({"modules": [{"source": index.source(), "versions": listed}]});
        let versions_json =
            Bytes::from(serde_json::to_vec(&body).map_err(|e| Error::internal(e.to_string()))?);
        let versions = index
            .versions
            .iter()
            .map(|v| {
                let mut sha = [0u8; 32];
                hex::decode_to_slice(&v.sha256, &mut sha).map_err(|_| {
                    Error::internal(format!(
                        "the index of {} has a bad sha256 for {}",
                        index.source(),
                        v.version
                    ))
                })?;
                Ok((v.version.clone(), sha))
            })
            .collect::<Result<Box<[_]>>>()?;
        let links = OnceLock::new();
        let all_pinned = index.versions.iter().all(|v| v.pinned);
        Ok(Self { source: index.source().into(), versions_json, versions, links, all_pinned })
    }
}

impl Registry {
    /// The module's hot data from the cache, loading it on a miss.
    pub(crate) async fn cached_module(&self, addr: &ModuleAddress) -> Result<Arc<CachedModule>> {
        let key = addr.key();
        if let Some(hit) = self.inner.modules.get(&key) {
            return Ok(hit);
        }
        let found = match index::load(self.inner.storage.as_ref(), addr).await? {
            Some((index, _)) => Some(HotModule::from_index(&index)?),
            None => None,
        };
        let entry = Arc::new(CachedModule { found });
        self.inner.modules.insert(key, entry.clone());
        Ok(entry)
    }

    /// The module's hot data, or 404.
    async fn hot_module(&self, addr: &ModuleAddress) -> Result<Arc<CachedModule>> {
        let module = self.cached_module(addr).await?;
        if module.found.is_none() {
            return Err(missing_module(addr));
        }
        Ok(module)
    }

    /// The module's full index, read from the store (for the less frequent detail endpoints).
    async fn full_index(&self, addr: &ModuleAddress) -> Result<ModuleIndex> {
        let loaded = index::load(self.inner.storage.as_ref(), addr).await?;
        loaded.map(|(index, _)| index).ok_or_else(|| missing_module(addr))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/versions`: the local versions, or the upstream's
    /// for a module not hosted here when the registry proxies.
    pub(crate) async fn module_versions(&self, addr: &ModuleAddress) -> Result<Response<Bytes>> {
        let module = self.cached_module(addr).await?;
        match (&module.found, self.inner.upstream.as_ref()) {
            (Some(found), Some(upstream)) if found.all_pinned => {
                // Pinned versions are served from here; the upstream's others are still
                // offered while it answers.
                match self.upstream_module_versions(upstream, addr).await {
                    Ok(mut listed) => {
                        for (version, _) in found.versions.iter() {
                            if !listed.contains(version) {
                                listed.push(version.clone());
                            }
                        }
                        listed.sort_by(|a, b| b.cmp(a));
                        let versions: Vec<_> = listed.iter().map(|v| json!({"version": v})).collect();
                        let body = json!({"modules": [{"source": &*found.source, "versions": versions}]});
                        Ok(response::json(StatusCode::OK, &body))
                    }
                    Err(err) => {
                        tracing::warn!(module = %addr, error = %err, "upstream failed; offering the pinned versions");
                        Ok(response::json_bytes(StatusCode::OK, found.versions_json.clone()))
                    }
                }
            }
            (Some(found), _) => Ok(response::json_bytes(StatusCode::OK, found.versions_json.clone())),
            (None, Some(upstream)) => {
                upstream.check_policy(&format!("{}/{}", addr.namespace.key(), addr.name.key()))?;
                let url = format!("{}{}/versions", upstream.modules_url().await?, addr);
                let body = upstream.cached_json(&url).await?;
                serde_json::from_slice::<serde_json::Value>(&body).map_err(|e| Error::Upstream {
                    message: format!("the upstream's versions are not JSON: {e}"),
                    timeout: false,
                })?;
                Ok(response::json_bytes(StatusCode::OK, body))
            }
            (None, None) => Err(missing_module(addr)),
        }
    }

    /// The versions the upstream lists for a module (policy checked).
    pub(crate) async fn upstream_module_versions(
        &self,
        upstream: &Upstream,
        addr: &ModuleAddress,
    ) -> Result<Vec<Version>> {
        upstream.check_policy(&format!("{}/{}", addr.namespace.key(), addr.name.key()))?;
        let url = format!("{}{}/versions", upstream.modules_url().await?, addr);
        let body = upstream.cached_json(&url).await?;
        let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| Error::Upstream {
            message: format!("the upstream's versions are not JSON: {e}"),
            timeout: false,
        })?;
        Ok(json["modules"][0]["versions"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|v| v["version"].as_str().and_then(|s| Version::parse(s).ok()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `GET /v1/modules/{ns}/{name}/{system}`
    pub(crate) async fn module_detail(&self, addr: &ModuleAddress) -> Result<Response<Bytes>> {
        let index = self.full_index(addr).await?;
        let versions: Vec<_> = index.versions.iter().map(|v| self.describe(&index, v)).collect();
        let latest = Constraints::any().select_newest(index.versions.iter().map(|v| &v.version));
        let body = json!({
            "id": index.source(),
            "namespace": index.namespace,
            "name": index.name,
            "provider": index.system,
            "latest_version": latest,
            "versions": versions,
        });
        Ok(response::json(StatusCode::OK, &body))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/{version}`
    pub(crate) async fn module_version(
        &self,
        addr: &ModuleAddress,
        version: &Version,
    ) -> Result<Response<Bytes>> {
        let index = self.full_index(addr).await?;
        let entry = index.get(version).ok_or_else(|| missing_version(addr, version))?;
        Ok(response::json(StatusCode::OK, &self.describe(&index, entry)))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/download`: 302 to the newest release's download.
    pub(crate) async fn module_latest_download(&self, addr: &ModuleAddress) -> Result<Response<Bytes>> {
        let module = self.hot_module(addr).await?;
        let found = module.found.as_ref().expect("checked by hot_module");
        let latest =
            Constraints::any().select_newest(found.versions.iter().map(|(v, _)| v)).ok_or_else(|| {
                Error::not_found(format!("module {addr} has only pre-release versions; name one"))
            })?;
        let location = self.link(&format!("/v1/modules/{}/{latest}/download", found.source));
        response::redirect(StatusCode::FOUND, &location)
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/{version}/download`: 204 with `X-Terraform-Get`
    /// naming a signed archive link; with `Accept: application/json`, 200 with the header and
    /// `{"location": ...}` as the body (the form OpenTofu also reads).
    pub(crate) async fn module_download(
        &self,
        parts: &http::request::Parts,
        addr: &ModuleAddress,
        version: &Version,
    ) -> Result<Response<Bytes>> {
        let module = self.cached_module(addr).await?;
        let local = module.found.as_ref().and_then(|found| {
            let at = found.versions.iter().position(|(v, _)| v == version)?;
            Some((found, at))
        });
        let location: HeaderValue = match (local, &module.found, &self.inner.upstream) {
            (Some((found, at)), _, _) => self.archive_link(addr, found, at)?,
            (None, found, Some(upstream)) if found.as_ref().is_none_or(|f| f.all_pinned) => {
                let location = self.upstream_module_location(upstream, addr, version).await?;
                HeaderValue::try_from(location).map_err(|e| Error::internal(e.to_string()))?
            }
            (None, None, _) => return Err(missing_module(addr)),
            (None, Some(_), _) => return Err(missing_version(addr, version)),
        };
        let wants_json = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
        let mut response = if wants_json {
            let text = location.to_str().map_err(|e| Error::internal(e.to_string()))?;
            response::json(StatusCode::OK, &json!({ "location": text }))
        } else {
            response::empty(StatusCode::NO_CONTENT)
        };
        response.headers_mut().insert(X_TERRAFORM_GET, location);
        Ok(response)
    }

    /// Where the upstream keeps a module version's archive, as an absolute URL.
    pub(crate) async fn upstream_module_location(
        &self,
        upstream: &Upstream,
        addr: &ModuleAddress,
        version: &Version,
    ) -> Result<String> {
        upstream.check_policy(&format!("{}/{}", addr.namespace.key(), addr.name.key()))?;
        let url = format!("{}{addr}/{version}/download", upstream.modules_url().await?);
        let answer = upstream.get(&url, true).await?;
        let location = match answer.terraform_get {
            Some(location) => location,
            None => serde_json::from_slice::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v["location"].as_str().map(str::to_owned))
                .ok_or_else(|| Error::Upstream {
                    message: format!("the upstream gave no location for {addr} {version}"),
                    timeout: false,
                })?,
        };
        Ok(crate::proxy::upstream::resolve(&url, &location))
    }

    /// A signed, expiring link to the archive of the `at`-th version of a cached module. The
    /// link is made once per cache entry, on the first download, while entries live no longer
    /// than half a link's lifetime (and at most a minute): the download hot path then reads it
    /// with one atomic load, and every link handed out still has at least half of `link_ttl`
    /// left. With a longer cache TTL each download signs its own link.
    fn archive_link(&self, addr: &ModuleAddress, found: &HotModule, at: usize) -> Result<HeaderValue> {
        let config = &self.inner.config;
        let reusable = config.cache_ttl <= (config.link_ttl / 2).min(Duration::from_secs(60));
        let slots = || found.links.get_or_init(|| found.versions.iter().map(|_| OnceLock::new()).collect());
        if reusable {
            if let Some(link) = slots()[at].get() {
                // A header value shares its bytes: this clone copies no link.
                return Ok(link.clone());
            }
        }
        let (version, sha256) = &found.versions[at];
        let path = format!("/v1/archives/modules/{}/{version}/{}.tar.gz", addr.key(), hex::encode(sha256));
        let expires = crate::clock::unix_now() + config.link_ttl.as_secs();
        let query = self.inner.signer.sign(&path, expires);
        let link = HeaderValue::try_from(format!("{}?{query}", self.link(&path)))
            .map_err(|e| Error::internal(e.to_string()))?;
        if reusable {
            // Another request may have set it first; either link is as good.
            let _ = slots()[at].set(link.clone());
        }
        Ok(link)
    }

    /// The JSON description of one version, as upload and the detail endpoints show it.
    pub(crate) fn describe(&self, index: &ModuleIndex, entry: &ModuleVersion) -> serde_json::Value {
        json!({
            "id": format!("{}/{}", index.source(), entry.version),
            "namespace": index.namespace,
            "name": index.name,
            "provider": index.system,
            "version": entry.version,
            "sha256": entry.sha256,
            "size": entry.size,
            "published_at": entry.published_at,
            "published_by": entry.published_by,
            "download_url": self.link(&format!("/v1/modules/{}/{}/download", index.source(), entry.version)),
        })
    }
}

fn missing_module(addr: &ModuleAddress) -> Error {
    Error::not_found(format!("module {addr} does not exist in this registry"))
}

fn missing_version(addr: &ModuleAddress, version: &Version) -> Error {
    Error::not_found(format!("module {addr} has no version {version}"))
}
