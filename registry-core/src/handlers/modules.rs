//! Reading modules: version lists, descriptions, and download locations.

use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde_json::json;

use crate::address::ModuleAddress;
use crate::constraint::Constraints;
use crate::index::{self, ModuleIndex, ModuleVersion};
use crate::registry::Registry;
use crate::response;
use crate::version::Version;
use crate::{Error, Result};

/// The header Terraform reads the archive location from.
pub const X_TERRAFORM_GET: &str = "x-terraform-get";

/// What the hot paths need of a module, kept in memory for the cache TTL.
#[derive(Debug)]
pub(crate) struct CachedModule {
    /// The index, or `None` when the module does not exist.
    index: Option<ModuleIndex>,
    /// The rendered answer of the versions endpoint.
    versions_json: Bytes,
}

impl Registry {
    /// The module's index from the cache, loading it on a miss.
    pub(crate) async fn cached_module(&self, addr: &ModuleAddress) -> Result<Arc<CachedModule>> {
        let key = addr.key();
        if let Some(hit) = self.inner.modules.get(&key) {
            return Ok(hit);
        }
        let index = index::load(self.inner.storage.as_ref(), addr).await?.map(|(index, _)| index);
        let versions_json = match &index {
            Some(index) => {
                let versions: Vec<_> = index.versions.iter().map(|v| json!({"version": v.version})).collect();
                let body = json!({"modules": [{"source": index.source(), "versions": versions}]});
                Bytes::from(serde_json::to_vec(&body).map_err(|e| Error::internal(e.to_string()))?)
            }
            None => Bytes::new(),
        };
        let entry = Arc::new(CachedModule { index, versions_json });
        self.inner.modules.insert(key, entry.clone());
        Ok(entry)
    }

    /// The module's index, or 404.
    async fn existing_module(&self, addr: &ModuleAddress) -> Result<Arc<CachedModule>> {
        let module = self.cached_module(addr).await?;
        if module.index.is_none() {
            return Err(Error::not_found(format!("module {addr} does not exist in this registry")));
        }
        Ok(module)
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/versions`
    pub(crate) async fn module_versions(&self, addr: &ModuleAddress) -> Result<Response<Bytes>> {
        let module = self.existing_module(addr).await?;
        Ok(response::json_bytes(StatusCode::OK, module.versions_json.clone()))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}`
    pub(crate) async fn module_detail(&self, addr: &ModuleAddress) -> Result<Response<Bytes>> {
        let module = self.existing_module(addr).await?;
        let index = module.index.as_ref().expect("checked by existing_module");
        let versions: Vec<_> = index.versions.iter().map(|v| self.describe(index, v)).collect();
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
        let module = self.existing_module(addr).await?;
        let (index, entry) = find_version(&module, addr, version)?;
        Ok(response::json(StatusCode::OK, &self.describe(index, entry)))
    }

    /// `GET /v1/modules/{ns}/{name}/{system}/download`: 302 to the newest release's download.
    pub(crate) async fn module_latest_download(&self, addr: &ModuleAddress) -> Result<Response<Bytes>> {
        let module = self.existing_module(addr).await?;
        let index = module.index.as_ref().expect("checked by existing_module");
        let latest =
            Constraints::any().select_newest(index.versions.iter().map(|v| &v.version)).ok_or_else(|| {
                Error::not_found(format!("module {addr} has only pre-release versions; name one"))
            })?;
        let location = self.link(&format!("/v1/modules/{}/{latest}/download", index.source()));
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
        let module = self.existing_module(addr).await?;
        let (_, entry) = find_version(&module, addr, version)?;
        let location = self.archive_link(addr, entry);
        let value = HeaderValue::from_str(&location).map_err(|e| Error::internal(e.to_string()))?;
        let wants_json = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
        let mut response = if wants_json {
            response::json(StatusCode::OK, &json!({ "location": location }))
        } else {
            response::empty(StatusCode::NO_CONTENT)
        };
        response.headers_mut().insert(X_TERRAFORM_GET, value);
        Ok(response)
    }

    /// A signed, expiring link to a version's archive.
    pub(crate) fn archive_link(&self, addr: &ModuleAddress, entry: &ModuleVersion) -> String {
        let path = format!("/v1/archives/modules/{}/{}/{}.tar.gz", addr.key(), entry.version, entry.sha256);
        let expires = crate::time::unix_now() + self.inner.config.link_ttl.as_secs();
        let query = self.inner.signer.sign(&path, expires);
        format!("{}?{query}", self.link(&path))
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

fn find_version<'a>(
    module: &'a CachedModule,
    addr: &ModuleAddress,
    version: &Version,
) -> Result<(&'a ModuleIndex, &'a ModuleVersion)> {
    let index =
        module.index.as_ref().ok_or_else(|| Error::not_found(format!("module {addr} does not exist")))?;
    let entry = index
        .get(version)
        .ok_or_else(|| Error::not_found(format!("module {addr} has no version {version}")))?;
    Ok((index, entry))
}
