//! The provider detail endpoints of the registry's own API: a provider with its versions, and
//! one version with its platforms, protocols, signing key and lifecycle marks.

use http::{Response, StatusCode};

use super::lifecycle::{missing_version, view};
use super::ProviderService;
use crate::catalogue::latest_provider;
use crate::downloads::{self, Counted};
use crate::http::body::Body;
use crate::http::response;
use crate::protocol::{ProviderDetail, ProviderVersionDetail, ProviderVersionView};
use crate::types::{ProviderAddress, Version, LOCAL_HOST};
use crate::{Error, Result};

impl ProviderService {
    /// `GET /v1/providers/{ns}/{type}`
    pub(crate) async fn detail(&self, local: &ProviderAddress) -> Result<Response<Body>> {
        let addr = self.held_address(local).await?;
        let cached = self.cached(&addr).await?;
        let index = cached.as_ref().as_ref().ok_or_else(|| gone(&addr))?;
        let latest = latest_provider(index);
        let counts = downloads::stored(self.storage.as_ref(), &Counted::provider(local)).await?;
        let body = ProviderDetail {
            id: if index.host == LOCAL_HOST {
                addr.to_string()
            } else {
                format!("{}/{}/{}", index.host, index.namespace, index.r#type)
            },
            namespace: index.namespace.clone(),
            name: index.r#type.clone(),
            latest_version: latest.map(|v| v.version.to_string()),
            description: latest.and_then(|v| v.description.clone()),
            source: latest.and_then(|v| v.source.clone()),
            pinned: index.host != LOCAL_HOST,
            versions: index
                .versions
                .iter()
                .map(|v| ProviderVersionView { downloads: counts.of(&v.version), ..view(index, v) })
                .collect(),
        };
        Ok(response::json(StatusCode::OK, &body))
    }

    /// `GET /v1/providers/{ns}/{type}/{version}`
    pub(crate) async fn version_detail(
        &self,
        local: &ProviderAddress,
        version: &Version,
    ) -> Result<Response<Body>> {
        let addr = self.held_address(local).await?;
        let cached = self.cached(&addr).await?;
        let index = cached.as_ref().as_ref().ok_or_else(|| gone(&addr))?;
        let entry = index.get(version).ok_or_else(|| missing_version(&addr, version))?;
        let counts = downloads::stored(self.storage.as_ref(), &Counted::provider(local)).await?;
        let body = ProviderVersionDetail {
            version: ProviderVersionView { downloads: counts.of(version), ..view(index, entry) },
            versions: index.versions.iter().filter(|v| v.listed()).map(|v| v.version.to_string()).collect(),
        };
        Ok(response::json(StatusCode::OK, &body))
    }
}

fn gone(addr: &ProviderAddress) -> Error {
    Error::not_found(format!("provider {addr} does not exist in this registry"))
}
