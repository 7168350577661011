//! The provider network mirror protocol under `/v1/mirror/`, and importing packages into it.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{json, Map, Value};

use crate::auth::Principal;
use crate::http::response;
use crate::providers::index::{ProviderIndex, ProviderPlatform};
use crate::providers::package::{check_package, PackageLimits};
use crate::proxy::upstream::Upstream;
use crate::registry::Registry;
use crate::storage::layout;
use crate::storage::{PutMode, StorageError};
use crate::types::version::Version;
use crate::types::{package_filename, Platform, ProviderAddress, LOCAL_HOST};
use crate::Error;
use crate::Result;

use crate::providers::ProviderFile;

impl Registry {
    /// Where the mirror finds providers whose source addresses name `host`: this registry's own
    /// providers when `host` is one of its names (the request's `Host`, the public URL's host,
    /// or a configured alias), otherwise those imported under that host.
    pub(crate) fn mirror_address(
        &self,
        parts: &http::request::Parts,
        host: &str,
        ns: &str,
        r#type: &str,
    ) -> Result<ProviderAddress> {
        let host = host.to_ascii_lowercase();
        let request_host =
            parts.headers.get(http::header::HOST).and_then(|v| v.to_str().ok()).or(parts.uri.host());
        let public_host =
            self.inner.config.public_url.as_deref().and_then(|u| u.split_once("://")).map(|(_, rest)| rest);
        let is_self = request_host.is_some_and(|h| h.eq_ignore_ascii_case(&host))
            || public_host.is_some_and(|h| h.eq_ignore_ascii_case(&host))
            || self.inner.config.hostnames.iter().any(|h| h.eq_ignore_ascii_case(&host));
        ProviderAddress::on_host(if is_self { LOCAL_HOST } else { &host }, ns, r#type)
    }

    /// `GET /v1/mirror/{host}/{ns}/{type}/index.json`
    pub(crate) async fn mirror_index(&self, addr: &ProviderAddress) -> Result<Response<Bytes>> {
        let cached = self.cached_provider(addr).await?;
        let mut versions: Map<String, Value> = cached
            .as_ref()
            .iter()
            .flat_map(|index| index.versions.iter())
            .filter(|v| !v.platforms.is_empty())
            .map(|v| (v.version.to_string(), json!({})))
            .collect();
        match self.proxied_upstream(addr) {
            Some(upstream) => match self.upstream_provider_listing(upstream, addr).await {
                Ok(listing) => {
                    for entry in listing["versions"].as_array().into_iter().flatten() {
                        if let Some(version) = entry["version"].as_str() {
                            versions.entry(version.to_owned()).or_insert_with(|| json!({}));
                        }
                    }
                }
                Err(err) if cached.is_none() => return Err(err),
                Err(err) => {
                    tracing::warn!(provider = %addr, error = %err, "upstream failed; offering the pinned versions")
                }
            },
            None if cached.is_none() => return Err(missing(addr)),
            None => {}
        }
        Ok(response::json(StatusCode::OK, &json!({ "versions": versions })))
    }

    /// `GET /v1/mirror/{host}/{ns}/{type}/{version}.json`
    pub(crate) async fn mirror_version(
        &self,
        addr: &ProviderAddress,
        version: &Version,
    ) -> Result<Response<Bytes>> {
        let cached = self.cached_provider(addr).await?;
        let entry =
            cached.as_ref().as_ref().and_then(|index| index.get(version)).filter(|v| !v.platforms.is_empty());
        let Some(entry) = entry else {
            let upstream = self.proxied_upstream(addr).ok_or_else(|| {
                Error::not_found(format!("provider {addr} has no version {version} in this mirror"))
            })?;
            return self.upstream_mirror_version(upstream, addr, version).await;
        };
        let archives: Map<String, Value> = entry
            .platforms
            .iter()
            .map(|p| {
                let url = self.provider_link(addr, version, &ProviderFile::Package(p.sha256.clone()));
                (
                    format!("{}_{}", p.os, p.arch),
                    json!({"url": url, "hashes": [p.h1, format!("zh:{}", p.sha256)]}),
                )
            })
            .collect();
        Ok(response::json(StatusCode::OK, &json!({ "archives": archives })))
    }

    /// The upstream, when `addr` names a provider of its host (the mirror proxies those).
    fn proxied_upstream(&self, addr: &ProviderAddress) -> Option<&Upstream> {
        self.inner.upstream.as_deref().filter(|u| u.host() == addr.host)
    }

    /// The upstream's provider versions document (policy checked, cached).
    async fn upstream_provider_listing(&self, upstream: &Upstream, addr: &ProviderAddress) -> Result<Value> {
        upstream.check_policy(&format!("{}/{}", addr.namespace.key(), addr.r#type))?;
        let url = format!("{}{}/{}/versions", upstream.providers_url().await?, addr.namespace, addr.r#type);
        serde_json::from_slice(&upstream.cached_json(&url).await?).map_err(|e| Error::Upstream {
            message: format!("the upstream's versions are not JSON: {e}"),
            timeout: false,
        })
    }

    /// A mirror version document built from the upstream's download descriptions: the
    /// upstream's package URLs, with the `zh:` hash its signed SHA256SUMS vouches for.
    async fn upstream_mirror_version(
        &self,
        upstream: &Upstream,
        addr: &ProviderAddress,
        version: &Version,
    ) -> Result<Response<Bytes>> {
        let listing = self.upstream_provider_listing(upstream, addr).await?;
        let entry = listing["versions"]
            .as_array()
            .and_then(|l| {
                l.iter().find(|v| {
                    v["version"].as_str().and_then(|s| Version::parse(s).ok()).as_ref() == Some(version)
                })
            })
            .ok_or_else(|| Error::not_found(format!("the upstream has no version {version} of {addr}")))?;
        let base = upstream.providers_url().await?;
        let mut archives = Map::new();
        for platform in entry["platforms"].as_array().into_iter().flatten() {
            let (Some(os), Some(arch)) = (platform["os"].as_str(), platform["arch"].as_str()) else {
                continue;
            };
            let url = format!("{base}{}/{}/{version}/download/{os}/{arch}", addr.namespace, addr.r#type);
            let json: Value =
                serde_json::from_slice(&upstream.cached_json(&url).await?).map_err(|e| Error::Upstream {
                    message: format!("the upstream's download description is not JSON: {e}"),
                    timeout: false,
                })?;
            let (Some(link), Some(shasum)) = (json["download_url"].as_str(), json["shasum"].as_str()) else {
                continue;
            };
            archives.insert(
                format!("{os}_{arch}"),
                json!({"url": crate::proxy::upstream::resolve(&url, link), "hashes": [format!("zh:{shasum}")]}),
            );
        }
        Ok(response::json(StatusCode::OK, &json!({ "archives": archives })))
    }

    /// Imports one package into the mirror (as `tfreg mirror import` does for a directory
    /// written by `terraform providers mirror`): checked like an upload, and refused unless its
    /// hashes match `expected_hashes` (`h1:`/`zh:` entries from the mirror's own JSON) when
    /// given. Importing the same package again is not an error. Imported packages carry no
    /// signature: the mirror protocol relies on hashes.
    pub async fn import_provider_package(
        &self,
        principal: Option<&Principal>,
        addr: &ProviderAddress,
        version: &Version,
        platform: &Platform,
        zip: Bytes,
        expected_hashes: &[String],
    ) -> Result<()> {
        let (type_, checked_platform, package) = (addr.r#type.clone(), platform.clone(), zip.clone());
        let checked = tokio::task::spawn_blocking(move || {
            check_package(&package, &type_, &checked_platform, &PackageLimits::default())
        })
        .await
        .map_err(|e| Error::internal(e.to_string()))?
        .map_err(|e| Error::bad_request(format!("invalid provider package: {e}")))?;
        for expected in expected_hashes {
            let matches = (expected.starts_with("h1:") && *expected == checked.h1)
                || (expected.starts_with("zh:") && *expected == checked.zh);
            let known = expected.starts_with("h1:") || expected.starts_with("zh:");
            if known && !matches {
                return Err(Error::bad_request(format!(
                    "{addr} {version} {platform}: the package's hashes ({}, {}) do not match {expected}",
                    checked.h1, checked.zh
                )));
            }
        }
        let storage = self.inner.storage.as_ref();
        let key = layout::provider_package(addr, version, &checked.sha256);
        match storage.put(&key, zip, PutMode::Create).await {
            Ok(_) | Err(StorageError::AlreadyExists { .. }) => {}
            Err(err) => return Err(err.into()),
        }
        let entry = ProviderPlatform {
            os: platform.os.clone(),
            arch: platform.arch.clone(),
            filename: package_filename(&addr.r#type, &version.to_string(), platform),
            sha256: checked.sha256.clone(),
            h1: checked.h1.clone(),
            size: checked.size,
            published_at: crate::clock::rfc3339(crate::clock::unix_now()),
            published_by: principal.map_or_else(|| "import".into(), |p| p.id.clone()),
        };
        self.update_provider(addr, |index: &mut ProviderIndex| {
            let v = index.get_or_insert(version, &["5.0".to_owned()]);
            match v.platform(&entry.os, &entry.arch) {
                Some(existing) if existing.sha256 == entry.sha256 => return Ok(()),
                Some(_) => {
                    return Err(Error::conflict(format!(
                        "{addr} {version} already has a different package for {platform}"
                    )))
                }
                None => v.platforms.push(entry.clone()),
            }
            v.platforms.sort_by(|a, b| (&a.os, &a.arch).cmp(&(&b.os, &b.arch)));
            Ok(())
        })
        .await?;
        Ok(())
    }
}

fn missing(addr: &ProviderAddress) -> Error {
    Error::not_found(format!("provider {addr} is not in this mirror"))
}
