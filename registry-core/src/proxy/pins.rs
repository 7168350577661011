//! Pins: copies of upstream versions kept in the store, so they install with the upstream gone
//! or after a maintainer yanks them. Module archives go through the module publish pipeline as
//! uploads do; provider packages are streamed to temporary files one at a time, checked against
//! the upstream's SHA256SUMS (whose signature is verified with the upstream's key), and go
//! through the provider publish pipeline keeping that signature.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::{Response, StatusCode};

use crate::clock::SharedClock;
use crate::http::body::Body;
use crate::http::query::Query;
use crate::http::response;
use crate::modules::index::{self as module_index, ModuleIndex};
use crate::modules::publish::Origin;
use crate::modules::ModuleService;
use crate::pgp::PublicKey;
use crate::protocol::{PinList, PinRecord, Pinned, ProviderVersionEntry};
use crate::providers::index::ProviderIndex;
use crate::providers::keyring::KeyRing;
use crate::providers::package::ShaSums;
use crate::providers::publish::{refuse_build_metadata, Package};
use crate::providers::ProviderService;
use crate::spool::spool;
use crate::storage::{layout, read_json, write_json, PutMode, Storage};
use crate::types::{package_filename, Constraints, ModuleAddress, Platform, ProviderAddress, Version};
use crate::upstream::{Upstream, UpstreamStream};
use crate::{Error, RegistryConfig, Result};

/// The largest SHA256SUMS or signature read from an upstream.
const MAX_SHASUMS_BYTES: u64 = 1 << 20;

/// Pinning and unpinning.
#[derive(Debug)]
pub(crate) struct PinService {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
    upstream: Option<Arc<Upstream>>,
    modules: Arc<ModuleService>,
    providers: Arc<ProviderService>,
    keys: Arc<KeyRing>,
    max_archive_bytes: u64,
    max_package_bytes: u64,
}

impl PinService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        clock: SharedClock,
        upstream: Option<Arc<Upstream>>,
        modules: Arc<ModuleService>,
        providers: Arc<ProviderService>,
        keys: Arc<KeyRing>,
        config: &RegistryConfig,
    ) -> Self {
        Self {
            storage,
            clock,
            upstream,
            modules,
            providers,
            keys,
            max_archive_bytes: config.max_upload_bytes,
            max_package_bytes: config.max_session_upload_bytes,
        }
    }

    fn upstream(&self) -> Result<&Upstream> {
        self.upstream.as_deref().ok_or_else(|| {
            Error::bad_request("this registry has no upstream to pin from (start it with --upstream)")
        })
    }

    /// `POST /v1/pins/{ns}/{name}/{system}[/{version}][?constraint=...]`
    pub(crate) async fn pin_module(
        &self,
        by: &str,
        addr: &ModuleAddress,
        version: Option<Version>,
        query: &Query,
    ) -> Result<Response<Body>> {
        let upstream = self.upstream()?;
        let versions = match (version, constraint(query)?) {
            (Some(v), None) => vec![v],
            (None, Some(c)) => matching(&c, upstream.module_version_list(addr).await?)?,
            _ => return Err(Error::bad_request("name one version in the path, or a ?constraint=, not both")),
        };
        let mut pinned = Vec::new();
        for version in versions {
            let local = module_index::load(self.storage.as_ref(), addr).await?;
            if local.as_ref().is_some_and(|(i, _)| i.get(&version).is_some()) {
                pinned.push(version.to_string());
                continue;
            }
            let location = upstream.module_location(addr, &version).await?;
            let archive =
                upstream.fetch(&http_archive_url(&location)?, false, self.max_archive_bytes).await?;
            self.modules
                .store_version(addr, &version, archive, format!("pin:{by}"), Origin::Pin, Default::default())
                .await?;
            let record = self.record("module", addr.to_string(), &version, Vec::new(), upstream, by);
            self.save(&layout::module_pin(addr, &version), &record).await?;
            pinned.push(version.to_string());
        }
        Ok(response::json(StatusCode::CREATED, &Pinned { address: addr.to_string(), pinned }))
    }

    /// `POST /v1/pins/providers/{ns}/{type}[/{version}][?constraint=...][&platforms=linux_amd64,...]`
    pub(crate) async fn pin_provider(
        &self,
        by: &str,
        local: &ProviderAddress,
        version: Option<Version>,
        query: &Query,
    ) -> Result<Response<Body>> {
        if let Some(version) = &version {
            refuse_build_metadata(version)?;
        }
        let upstream = self.upstream()?;
        let listing = upstream.provider_versions(local, true).await?;
        // Versions with build metadata cannot be published here (see `refuse_build_metadata`).
        let listed: Vec<Version> = listing
            .versions
            .iter()
            .filter_map(|v| Version::parse(&v.version).ok())
            .filter(|v| v.build().is_empty())
            .collect();
        let versions = match (version, constraint(query)?) {
            (Some(v), None) => vec![v],
            (None, Some(c)) => matching(&c, listed)?,
            _ => return Err(Error::bad_request("name one version in the path, or a ?constraint=, not both")),
        };
        let wanted = query
            .get("platforms")
            .map(|list| list.split(',').map(Platform::parse).collect::<std::result::Result<Vec<_>, _>>())
            .transpose()?;
        let pinned_addr = self.providers.upstream_address(upstream, local)?;
        let mut pinned = Vec::new();
        for version in versions {
            let entry = find_version(&listing.versions, &version).ok_or_else(|| {
                Error::not_found(format!("the upstream has no version {version} of {local}"))
            })?;
            let platforms: Vec<Platform> = match &wanted {
                Some(list) => list.clone(),
                None => entry.platforms.iter().filter_map(|p| Platform::new(&p.os, &p.arch).ok()).collect(),
            };
            let protocols =
                if entry.protocols.is_empty() { vec!["5.0".to_owned()] } else { entry.protocols.clone() };
            self.pin_provider_version(upstream, local, &pinned_addr, &version, &platforms, &protocols, by)
                .await?;
            let platform_names = platforms.iter().map(Platform::to_string).collect();
            let record =
                self.record("provider", pinned_addr.to_string(), &version, platform_names, upstream, by);
            self.save(&layout::provider_pin(&pinned_addr, &version), &record).await?;
            pinned.push(version.to_string());
        }
        Ok(response::json(StatusCode::CREATED, &Pinned { address: pinned_addr.to_string(), pinned }))
    }

    /// Copies one provider version's packages with the upstream's signed SHA256SUMS: the
    /// signature is checked with the upstream's key first, then each package, streamed to a
    /// temporary file, against SHA256SUMS and the provider package checks; only when all pass
    /// are they stored and committed to the index, in one change.
    #[allow(clippy::too_many_arguments)]
    async fn pin_provider_version(
        &self,
        upstream: &Upstream,
        local: &ProviderAddress,
        pinned_addr: &ProviderAddress,
        version: &Version,
        platforms: &[Platform],
        protocols: &[String],
        by: &str,
    ) -> Result<()> {
        let mut checked = Vec::new();
        let mut signed: Option<(String, Vec<u8>, String)> = None;
        let published_by = format!("pin:{by}");
        for platform in platforms {
            let download = upstream.provider_download(local, version, platform, true).await?;
            if signed.is_none() {
                let sums = upstream.fetch(&download.shasums_url, false, MAX_SHASUMS_BYTES).await?;
                let sig = upstream.fetch(&download.shasums_signature_url, false, MAX_SHASUMS_BYTES).await?;
                let armored =
                    download.signing_keys.gpg_public_keys.first().map_or("", |k| k.ascii_armor.as_str());
                let public = PublicKey::from_armored(armored)
                    .map_err(|e| Error::upstream_with("the upstream's signing key is not usable", e))?;
                public.verify_detached(&sums, &sig).map_err(|e| {
                    Error::upstream_with(
                        format!("the upstream's SHA256SUMS of {local} {version} does not verify"),
                        e,
                    )
                })?;
                self.keys.add(&public, "upstream", None, false).await?;
                let text = String::from_utf8(sums.to_vec())
                    .map_err(|e| Error::upstream_with("the upstream's SHA256SUMS is not text", e))?;
                signed = Some((text, sig.to_vec(), public.key_id()));
            }
            let (text, _, _) = signed.as_ref().expect("set above");
            let filename = package_filename(&local.r#type, &version.to_string(), platform);
            let sums = ShaSums::parse(text.as_bytes())
                .map_err(|e| Error::upstream_with("the upstream's SHA256SUMS is not valid", e))?;
            let answer = upstream.open(&download.download_url, false).await?;
            let package = self.spool_package(answer).await?;
            let one =
                self.providers.check(pinned_addr, version, platform, package, &published_by).await.map_err(
                    |e| match e {
                        Error::InvalidPackage(source) => {
                            Error::upstream_with("the upstream's package is not valid", source)
                        }
                        other => other,
                    },
                )?;
            let sha256 = one.entry.sha256.as_str();
            if sums.get(&filename) != Some(sha256) || download.shasum != sha256 {
                return Err(Error::upstream(format!(
                    "the upstream's {filename} does not match its signed SHA256SUMS"
                )));
            }
            checked.push(one);
        }
        let (shasums, signature, key_id) = signed.ok_or_else(|| Error::bad_request("no platforms to pin"))?;
        let mut stored = Vec::new();
        for one in checked {
            stored.push(self.providers.store(pinned_addr, version, one).await?);
        }
        let entries: Vec<_> = stored.iter().map(|s| s.entry.clone()).collect();
        self.providers
            .commit(pinned_addr, version, &stored, protocols, |v| {
                for entry in &entries {
                    if v.platform(&entry.os, &entry.arch).is_none() {
                        v.platforms.push(entry.clone());
                    }
                }
                v.shasums = Some(shasums.clone());
                v.signature = Some(STANDARD.encode(&signature));
                v.key_id = Some(key_id.clone());
                v.custom_signature = true;
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// An upstream package spooled to a temporary file, refused past the session upload limit.
    async fn spool_package(&self, answer: UpstreamStream) -> Result<Package> {
        let limit = self.max_package_bytes;
        match spool(answer.body, limit).await {
            Ok(file) => Ok(Package::File(file)),
            Err(Error::PayloadTooLarge { limit }) => Err(Error::upstream(format!(
                "the upstream's package is larger than the limit of {limit} bytes"
            ))),
            Err(err) => Err(err),
        }
    }

    /// `GET /v1/pins`
    pub(crate) async fn list(&self) -> Result<Response<Body>> {
        let mut pins = Vec::new();
        for info in self.storage.list(layout::PINS_PREFIX).await? {
            if let Some(record) = read_json::<PinRecord>(self.storage.as_ref(), &info.key, "pin").await? {
                pins.push(record);
            }
        }
        Ok(response::json(StatusCode::OK, &PinList { pins }))
    }

    /// `DELETE /v1/pins/{ns}/{name}/{system}/{version}`: forgets a pinned module version (a
    /// version published here is not a pin and stays).
    pub(crate) async fn unpin_module(
        &self,
        addr: &ModuleAddress,
        version: &Version,
    ) -> Result<Response<Body>> {
        let key = layout::module_pin(addr, version);
        if self.storage.head(&key).await?.is_none() {
            return Err(Error::not_found(format!("{addr} {version} is not pinned")));
        }
        crate::storage::cas::update_json(
            self.storage.as_ref(),
            &layout::module_index(addr),
            || ModuleIndex::empty(addr),
            |index: &mut ModuleIndex| {
                index.versions.retain(|v| !(v.version == *version && v.pinned));
                Ok(())
            },
        )
        .await?;
        self.modules.forget(addr).await;
        self.storage.delete(&key).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    /// `DELETE /v1/pins/providers/{ns}/{type}/{version}`
    pub(crate) async fn unpin_provider(
        &self,
        local: &ProviderAddress,
        version: &Version,
    ) -> Result<Response<Body>> {
        let upstream = self.upstream()?;
        let pinned_addr = self.providers.upstream_address(upstream, local)?;
        let key = layout::provider_pin(&pinned_addr, version);
        if self.storage.head(&key).await?.is_none() {
            return Err(Error::not_found(format!("{pinned_addr} {version} is not pinned")));
        }
        self.providers
            .update(&pinned_addr, |index: &mut ProviderIndex| {
                index.versions.retain(|v| v.version != *version);
                Ok(())
            })
            .await?;
        self.storage.delete(&key).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    fn record(
        &self,
        kind: &str,
        address: String,
        version: &Version,
        platforms: Vec<String>,
        upstream: &Upstream,
        by: &str,
    ) -> PinRecord {
        PinRecord {
            kind: kind.into(),
            address,
            version: version.to_string(),
            platforms,
            upstream: upstream.host().to_owned(),
            pinned_at: crate::clock::rfc3339(self.clock.unix_now()),
            pinned_by: by.to_owned(),
        }
    }

    async fn save(&self, key: &str, record: &PinRecord) -> Result<()> {
        write_json(self.storage.as_ref(), key, record, PutMode::Overwrite).await?;
        Ok(())
    }
}

/// The entry of `version` in an upstream listing.
fn find_version<'a>(
    listed: &'a [ProviderVersionEntry],
    version: &Version,
) -> Option<&'a ProviderVersionEntry> {
    listed.iter().find(|v| Version::parse(&v.version).ok().as_ref() == Some(version))
}

/// The `constraint` query parameter, parsed.
fn constraint(query: &Query) -> Result<Option<Constraints>> {
    query.get("constraint").map(|raw| Constraints::parse(raw).map_err(Error::from)).transpose()
}

/// The versions a constraint pins: those it matches, pre-releases only when named exactly.
fn matching(constraint: &Constraints, listed: Vec<Version>) -> Result<Vec<Version>> {
    let chosen: Vec<Version> = listed.into_iter().filter(|v| constraint.is_selectable(v)).collect();
    if chosen.is_empty() {
        return Err(Error::not_found(format!("the upstream has no version matching {constraint}")));
    }
    Ok(chosen)
}

/// An archive location a pin can fetch over HTTP: go-getter's `//subdir` suffix and
/// `?archive=` hint are dropped (archives are normalised anyway); anything else (git, s3, ...)
/// cannot be pinned.
fn http_archive_url(location: &str) -> Result<String> {
    let refuse = || {
        Error::bad_request(format!(
            "the upstream's archive location {location:?} is not an HTTP archive; only .tar.gz and .zip archives can be pinned"
        ))
    };
    let mut url = url::Url::parse(location).map_err(|_| refuse())?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(refuse());
    }
    if let Some((path, _)) = url.path().split_once("//") {
        let path = path.to_owned();
        url.set_path(&path);
    }
    // The query is kept byte for byte (it may carry a signature), less the archive hint.
    let kept: Vec<&str> = url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("archive="))
        .collect();
    let kept = kept.join("&");
    url.set_query((!kept.is_empty()).then_some(kept.as_str()));
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::http_archive_url;

    #[test]
    fn archive_locations_lose_subdirectories_and_hints() {
        assert_eq!(
            http_archive_url("https://up.example/a/x.tar.gz//modules/y?archive=tar.gz&sig=1").unwrap(),
            "https://up.example/a/x.tar.gz?sig=1"
        );
        assert_eq!(
            http_archive_url("https://up.example/x.zip?archive=zip").unwrap(),
            "https://up.example/x.zip"
        );
        assert!(http_archive_url("git::https://up.example/x.git").is_err());
        assert!(http_archive_url("s3::https://bucket/x.zip").is_err());
    }
}
