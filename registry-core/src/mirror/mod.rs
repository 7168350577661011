//! The provider network mirror protocol under `/v1/mirror/`, and importing packages into it.
//!
//! `MirrorService` serves this registry's own providers under its host names, providers
//! imported from a `terraform providers mirror` directory under their original host, and (when
//! the registry proxies) the upstream's, beside those pinned from it.

use std::sync::Arc;

use http::{Response, StatusCode};

use crate::http::body::Body;
use crate::http::{response, RequestContext};
use crate::protocol::{MirrorArchive, MirrorIndex, MirrorVersion, NoAttributes};
use crate::providers::publish::Package;
use crate::providers::{ProviderFile, ProviderService};
use crate::types::{Platform, ProviderAddress, Version, LOCAL_HOST};
use crate::upstream::Upstream;
use crate::{Error, Result};

/// The network mirror.
#[derive(Debug)]
pub(crate) struct MirrorService {
    providers: Arc<ProviderService>,
    upstream: Option<Arc<Upstream>>,
    /// The host names this registry's own providers are mirrored under, beside the request's
    /// host: the public URL's host and the configured aliases, lower-case.
    names: Vec<String>,
}

impl MirrorService {
    pub(crate) fn new(
        providers: Arc<ProviderService>,
        upstream: Option<Arc<Upstream>>,
        public_url: Option<&str>,
        hostnames: &[String],
    ) -> Self {
        let public_host = public_url.and_then(|u| u.split_once("://")).map(|(_, rest)| rest.to_owned());
        let names = public_host
            .into_iter()
            .chain(hostnames.iter().cloned())
            .map(|h| h.to_ascii_lowercase())
            .collect();
        Self { providers, upstream, names }
    }

    /// Where the mirror finds providers whose source addresses name `addr.host`: this
    /// registry's own providers when it is one of its names (the host the request was addressed
    /// to, port included, the public URL's host, or a configured alias), otherwise those
    /// imported under that host.
    pub(crate) fn resolve(&self, ctx: &RequestContext, addr: &ProviderAddress) -> ProviderAddress {
        let host = addr.host.as_str();
        let is_self = ctx.host.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(host))
            || self.names.iter().any(|name| name == host);
        if is_self {
            ProviderAddress { host: LOCAL_HOST.to_owned(), ..addr.clone() }
        } else {
            addr.clone()
        }
    }

    /// `GET /v1/mirror/{host}/{ns}/{type}/index.json`
    pub(crate) async fn index(&self, addr: &ProviderAddress) -> Result<Response<Body>> {
        let cached = self.providers.cached(addr).await?;
        let mut document = MirrorIndex::default();
        let local = cached.as_ref().iter().flat_map(|index| index.versions.iter());
        for v in local.filter(|v| v.available()) {
            document.versions.insert(v.version.to_string(), NoAttributes {});
        }
        match self.proxied_upstream(addr) {
            Some(upstream) => match upstream.provider_versions(addr, false).await {
                Ok(listing) => {
                    for entry in listing.versions {
                        document.versions.entry(entry.version).or_default();
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
        Ok(response::json(StatusCode::OK, &document))
    }

    /// `GET /v1/mirror/{host}/{ns}/{type}/{version}.json`
    pub(crate) async fn version(&self, addr: &ProviderAddress, version: &Version) -> Result<Response<Body>> {
        let cached = self.providers.cached(addr).await?;
        let entry =
            cached.as_ref().as_ref().and_then(|index| index.get(version)).filter(|v| !v.platforms.is_empty());
        let Some(entry) = entry else {
            let upstream = self.proxied_upstream(addr).ok_or_else(|| {
                Error::not_found(format!("provider {addr} has no version {version} in this mirror"))
            })?;
            return self.upstream_version(upstream, addr, version).await;
        };
        let mut document = MirrorVersion::default();
        for p in &entry.platforms {
            let url = self.providers.file_link(addr, version, &ProviderFile::Package(p.sha256.clone()));
            let hashes = vec![p.h1.clone(), format!("zh:{}", p.sha256)];
            document.archives.insert(format!("{}_{}", p.os, p.arch), MirrorArchive { url, hashes });
        }
        Ok(response::json(StatusCode::OK, &document))
    }

    /// The upstream, when `addr` names a provider of its host (the mirror proxies those).
    fn proxied_upstream(&self, addr: &ProviderAddress) -> Option<&Upstream> {
        self.upstream.as_deref().filter(|u| u.host() == addr.host)
    }

    /// A mirror version document built from the upstream's download descriptions: the
    /// upstream's package URLs, with the `zh:` hash its signed SHA256SUMS vouches for.
    async fn upstream_version(
        &self,
        upstream: &Upstream,
        addr: &ProviderAddress,
        version: &Version,
    ) -> Result<Response<Body>> {
        let listing = upstream.provider_versions(addr, false).await?;
        let entry = listing
            .versions
            .iter()
            .find(|v| Version::parse(&v.version).ok().as_ref() == Some(version))
            .ok_or_else(|| Error::not_found(format!("the upstream has no version {version} of {addr}")))?;
        let mut document = MirrorVersion::default();
        for platform in &entry.platforms {
            let Ok(platform) = Platform::new(&platform.os, &platform.arch) else { continue };
            let download = upstream.provider_download(addr, version, &platform, false).await?;
            let hashes = vec![format!("zh:{}", download.shasum)];
            document
                .archives
                .insert(platform.to_string(), MirrorArchive { url: download.download_url, hashes });
        }
        Ok(response::json(StatusCode::OK, &document))
    }

    /// Imports one package into the mirror (see [`crate::Registry::import_provider_package`]).
    pub(crate) async fn import(
        &self,
        by: &str,
        addr: &ProviderAddress,
        version: &Version,
        platform: &Platform,
        package: Package,
        expected_hashes: &[String],
    ) -> Result<()> {
        let checked = self.providers.check(addr, version, platform, package, by).await?;
        for expected in expected_hashes {
            let matches = (expected.starts_with("h1:") && *expected == checked.checked.h1)
                || (expected.starts_with("zh:") && *expected == checked.checked.zh);
            let known = expected.starts_with("h1:") || expected.starts_with("zh:");
            if known && !matches {
                return Err(Error::bad_request(format!(
                    "{addr} {version} {platform}: the package's hashes ({}, {}) do not match {expected}",
                    checked.checked.h1, checked.checked.zh
                )));
            }
        }
        let stored = [self.providers.store(addr, version, checked).await?];
        let entry = &stored[0].entry;
        self.providers
            .commit(addr, version, &stored, &["5.0".to_owned()], |v| {
                match v.platform(&entry.os, &entry.arch) {
                    Some(existing) if existing.sha256 == entry.sha256 => {}
                    Some(_) => {
                        return Err(Error::conflict(format!(
                            "{addr} {version} already has a different package for {platform}"
                        )))
                    }
                    None => v.platforms.push(entry.clone()),
                }
                Ok(())
            })
            .await?;
        Ok(())
    }
}

fn missing(addr: &ProviderAddress) -> Error {
    Error::not_found(format!("provider {addr} is not in this mirror"))
}
