//! Reading providers: version lists and download descriptions, from here or from the upstream.

use http::{Response, StatusCode};

use super::index::ProviderIndex;
use super::{ProviderFile, ProviderService};
use crate::http::body::Body;
use crate::http::response;
use crate::protocol::{
    GpgPublicKey, PlatformEntry, ProviderDownload, ProviderVersionEntry, ProviderVersions, SigningKeys,
};
use crate::types::{Platform, ProviderAddress, Version};
use crate::{Error, Result};

impl ProviderService {
    /// `GET /v1/providers/{ns}/{type}/versions`: the local versions; for a provider not hosted
    /// here, the upstream's, with the versions pinned from it (all that is left when the
    /// upstream is down).
    pub(crate) async fn versions(&self, addr: &ProviderAddress) -> Result<Response<Body>> {
        let cached = self.cached(addr).await?;
        if let Some(index) = cached.as_ref() {
            let document = ProviderVersions { versions: listed_versions(index), warnings: warnings(index) };
            return Ok(response::json(StatusCode::OK, &document));
        }
        let upstream = self.upstream.as_ref().ok_or_else(|| missing_provider(addr))?;
        let pinned = self.cached(&self.upstream_address(upstream, addr)?).await?;
        let fetched = upstream.provider_versions(addr, false).await;
        let Some(pinned) = pinned.as_ref() else {
            return fetched.map(|document| response::json(StatusCode::OK, &document));
        };
        let mut document = fetched.unwrap_or_else(|err| {
            tracing::warn!(provider = %addr, error = %err, "upstream failed; offering the pinned versions");
            ProviderVersions::default()
        });
        for entry in listed_versions(pinned) {
            if !document.versions.iter().any(|v| v.version == entry.version) {
                document.versions.push(entry);
            }
        }
        Ok(response::json(StatusCode::OK, &document))
    }

    /// `GET /v1/providers/{ns}/{type}/{version}/download/{os}/{arch}`
    pub(crate) async fn download(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        platform: &Platform,
    ) -> Result<Response<Body>> {
        let cached = self.cached(addr).await?;
        if let Some(index) = cached.as_ref() {
            return self.describe_download(addr, index, version, platform).await;
        }
        let upstream = self.upstream.as_ref().ok_or_else(|| missing_provider(addr))?;
        let pinned_addr = self.upstream_address(upstream, addr)?;
        let pinned = self.cached(&pinned_addr).await?;
        if let Some(index) = pinned.as_ref() {
            if index.get(version).is_some_and(|v| v.platform(&platform.os, &platform.arch).is_some()) {
                return self.describe_download(&pinned_addr, index, version, platform).await;
            }
        }
        // The upstream's description, links made absolute; its SHA256SUMS, signature and keys
        // are kept, so Terraform verifies the upstream's signature.
        let document = upstream.provider_download(addr, version, platform, false).await?;
        Ok(response::json(StatusCode::OK, &document))
    }

    /// The download description of a package kept here.
    async fn describe_download(
        &self,
        addr: &ProviderAddress,
        index: &ProviderIndex,
        version: &Version,
        platform: &Platform,
    ) -> Result<Response<Body>> {
        let entry = index
            .get(version)
            .ok_or_else(|| Error::not_found(format!("provider {addr} has no version {version}")))?;
        let package = entry.platform(&platform.os, &platform.arch).ok_or_else(|| {
            Error::not_found(format!("provider {addr} {version} has no package for {platform}"))
        })?;
        let key_id = entry.key_id.as_deref().ok_or_else(|| {
            Error::not_found(format!("provider {addr} {version} has no signed SHA256SUMS yet"))
        })?;
        let key = self.keys.get(key_id).await?.ok_or_else(|| {
            Error::internal(format!("the signing key {key_id} of {addr} {version} is missing"))
        })?;
        let document = ProviderDownload {
            protocols: entry.protocols.clone(),
            os: package.os.clone(),
            arch: package.arch.clone(),
            filename: package.filename.clone(),
            download_url: self.file_link(addr, version, &ProviderFile::Package(package.sha256.clone())),
            shasums_url: self.file_link(addr, version, &ProviderFile::ShaSums),
            shasums_signature_url: self.file_link(addr, version, &ProviderFile::ShaSumsSig),
            shasum: package.sha256.clone(),
            signing_keys: SigningKeys {
                gpg_public_keys: vec![GpgPublicKey {
                    key_id: key.key_id.clone(),
                    ascii_armor: key.ascii_armor.clone(),
                    trust_signature: String::new(),
                    source: "tfreg".into(),
                    source_url: None,
                }],
            },
        };
        Ok(response::json(StatusCode::OK, &document))
    }
}

/// The `warnings` of a versions document, which `terraform init` prints: one per deprecated
/// version it lists.
fn warnings(index: &ProviderIndex) -> Option<Vec<String>> {
    let source = format!("{}/{}", index.namespace, index.r#type);
    let warnings: Vec<String> = index
        .versions
        .iter()
        .filter(|v| v.listed())
        .filter_map(|v| {
            let deprecation = v.deprecation.as_ref()?;
            let link = deprecation.link.as_ref().map(|l| format!(" More: {l}")).unwrap_or_default();
            Some(format!("Version {} of {source} is deprecated: {}{link}", v.version, deprecation.message))
        })
        .collect();
    (!warnings.is_empty()).then_some(warnings)
}

/// The versions entries of the provider registry protocol for an index: signed versions with
/// at least one platform, not yanked.
pub(crate) fn listed_versions(index: &ProviderIndex) -> Vec<ProviderVersionEntry> {
    index
        .versions
        .iter()
        .filter(|v| v.listed())
        .map(|v| ProviderVersionEntry {
            version: v.version.to_string(),
            protocols: v.protocols.clone(),
            platforms: v
                .platforms
                .iter()
                .map(|p| PlatformEntry { os: p.os.clone(), arch: p.arch.clone() })
                .collect(),
        })
        .collect()
}

fn missing_provider(addr: &ProviderAddress) -> Error {
    Error::not_found(format!("provider {addr} does not exist in this registry"))
}
