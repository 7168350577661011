//! Pins: copies of upstream versions kept in the store, so they install with the upstream gone
//! or after a maintainer yanks them. Module archives are normalised as uploads are; provider
//! packages keep the upstream's SHA256SUMS, signature and key, checked before anything is kept.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::http::query::query_value;
use crate::http::response;
use crate::modules::index;
use crate::pgp::PublicKey;
use crate::providers::index::{ProviderIndex, ProviderPlatform};
use crate::providers::package::{check_package, PackageLimits, ShaSums};
use crate::proxy::upstream::{resolve, Upstream};
use crate::registry::Registry;
use crate::storage::cas;
use crate::storage::layout;
use crate::storage::{PutMode, StorageError};
use crate::types::address::ModuleAddress;
use crate::types::constraint::Constraints;
use crate::types::version::Version;
use crate::types::{package_filename, Platform, ProviderAddress};
use crate::Error;
use crate::Result;

/// A pin as `GET /v1/pins` lists it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PinRecord {
    /// `module` or `provider`.
    pub kind: String,
    /// `namespace/name/system` or `host/namespace/type`.
    pub address: String,
    /// The pinned version.
    pub version: String,
    /// For providers: the pinned platforms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// The upstream it came from.
    pub upstream: String,
    /// When (RFC 3339).
    pub pinned_at: String,
    /// Who pinned it.
    pub pinned_by: String,
}

impl Registry {
    fn upstream_for_pins(&self) -> Result<&Upstream> {
        self.inner.upstream.as_deref().ok_or_else(|| {
            Error::bad_request("this registry has no upstream to pin from (start it with --upstream)")
        })
    }

    /// `POST /v1/pins/{ns}/{name}/{system}[/{version}][?constraint=...]`
    pub(crate) async fn pin_module(
        &self,
        who: Option<&Principal>,
        addr: &ModuleAddress,
        version: Option<Version>,
        query: Option<&str>,
    ) -> Result<Response<Bytes>> {
        let upstream = self.upstream_for_pins()?;
        let versions = match (version, constraint(query)?) {
            (Some(v), None) => vec![v],
            (None, Some(c)) => {
                let listed = self.upstream_module_versions(upstream, addr).await?;
                matching(&c, listed)?
            }
            _ => return Err(Error::bad_request("name one version in the path, or a ?constraint=, not both")),
        };
        let by = who.map_or("anonymous", |p| p.id.as_str()).to_owned();
        let mut pinned = Vec::new();
        for version in versions {
            let local = index::load(self.inner.storage.as_ref(), addr).await?;
            if local.as_ref().is_some_and(|(i, _)| i.get(&version).is_some()) {
                pinned.push(version.to_string());
                continue;
            }
            let location = self.upstream_module_location(upstream, addr, &version).await?;
            let url = http_archive_url(&location)?;
            let archive = upstream.get(&url, false).await?.body;
            self.store_module_version(addr, &version, archive, format!("pin:{by}"), true).await?;
            let record = PinRecord {
                kind: "module".into(),
                address: addr.to_string(),
                version: version.to_string(),
                platforms: Vec::new(),
                upstream: upstream.host().to_owned(),
                pinned_at: crate::clock::rfc3339(crate::clock::unix_now()),
                pinned_by: by.clone(),
            };
            self.save_pin(&layout::module_pin(addr, &version), &record).await?;
            pinned.push(version.to_string());
        }
        Ok(response::json(StatusCode::CREATED, &json!({"address": addr.to_string(), "pinned": pinned})))
    }

    /// `POST /v1/pins/providers/{ns}/{type}[/{version}][?constraint=...][&platforms=linux_amd64,...]`
    pub(crate) async fn pin_provider(
        &self,
        who: Option<&Principal>,
        local: &ProviderAddress,
        version: Option<Version>,
        query: Option<&str>,
    ) -> Result<Response<Bytes>> {
        let upstream = self.upstream_for_pins()?;
        upstream.check_policy(&format!("{}/{}", local.namespace.key(), local.r#type))?;
        let listing_url =
            format!("{}{}/{}/versions", upstream.providers_url().await?, local.namespace, local.r#type);
        let listing: serde_json::Value = serde_json::from_slice(&upstream.fetch_json(&listing_url).await?)
            .map_err(|e| Error::Upstream {
                message: format!("the upstream's versions are not JSON: {e}"),
                timeout: false,
            })?;
        let listed: Vec<Version> = listing["versions"]
            .as_array()
            .map(|l| {
                l.iter().filter_map(|v| v["version"].as_str().and_then(|s| Version::parse(s).ok())).collect()
            })
            .unwrap_or_default();
        let versions = match (version, constraint(query)?) {
            (Some(v), None) => vec![v],
            (None, Some(c)) => matching(&c, listed)?,
            _ => return Err(Error::bad_request("name one version in the path, or a ?constraint=, not both")),
        };
        let wanted = query_value(query, "platforms")
            .map(|list| {
                list.replace("%2C", ",")
                    .split(',')
                    .map(Platform::parse)
                    .collect::<std::result::Result<Vec<_>, _>>()
            })
            .transpose()
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let pinned_addr = ProviderAddress::on_host(upstream.host(), local.namespace.as_str(), &local.r#type)?;
        let by = who.map_or("anonymous", |p| p.id.as_str()).to_owned();
        let mut pinned = Vec::new();
        for version in versions {
            let entry = listing["versions"]
                .as_array()
                .and_then(|l| {
                    l.iter().find(|v| {
                        v["version"].as_str().and_then(|s| Version::parse(s).ok()).as_ref() == Some(&version)
                    })
                })
                .ok_or_else(|| {
                    Error::not_found(format!("the upstream has no version {version} of {local}"))
                })?;
            let platforms: Vec<Platform> = match &wanted {
                Some(list) => list.clone(),
                None => entry["platforms"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(|p| Platform::new(p["os"].as_str()?, p["arch"].as_str()?).ok())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let protocols: Vec<String> = entry["protocols"]
                .as_array()
                .map(|l| l.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
                .unwrap_or_else(|| vec!["5.0".to_owned()]);
            self.pin_provider_version(upstream, local, &pinned_addr, &version, &platforms, &protocols, &by)
                .await?;
            let record = PinRecord {
                kind: "provider".into(),
                address: pinned_addr.to_string(),
                version: version.to_string(),
                platforms: platforms.iter().map(|p| p.to_string()).collect(),
                upstream: upstream.host().to_owned(),
                pinned_at: crate::clock::rfc3339(crate::clock::unix_now()),
                pinned_by: by.clone(),
            };
            self.save_pin(&layout::provider_pin(&pinned_addr, &version), &record).await?;
            pinned.push(version.to_string());
        }
        Ok(response::json(
            StatusCode::CREATED,
            &json!({"address": pinned_addr.to_string(), "pinned": pinned}),
        ))
    }

    /// Copies one provider version's packages with the upstream's signed SHA256SUMS, checking
    /// the signature with the upstream's key and every package against SHA256SUMS first.
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
        let base = upstream.providers_url().await?;
        let mut packages = Vec::new();
        let mut signed: Option<(String, Vec<u8>, String)> = None;
        for platform in platforms {
            let url = format!(
                "{base}{}/{}/{version}/download/{}/{}",
                local.namespace, local.r#type, platform.os, platform.arch
            );
            let json: serde_json::Value =
                serde_json::from_slice(&upstream.fetch_json(&url).await?).map_err(|e| Error::Upstream {
                    message: format!("the upstream's download description is not JSON: {e}"),
                    timeout: false,
                })?;
            let link = |field: &str| {
                json[field].as_str().map(|l| resolve(&url, l)).ok_or_else(|| Error::Upstream {
                    message: format!(
                        "the upstream's description of {local} {version} {platform} has no {field}"
                    ),
                    timeout: false,
                })
            };
            if signed.is_none() {
                let sums = upstream.get(&link("shasums_url")?, false).await?.body;
                let sig = upstream.get(&link("shasums_signature_url")?, false).await?.body;
                let key = &json["signing_keys"]["gpg_public_keys"][0];
                let public =
                    PublicKey::from_armored(key["ascii_armor"].as_str().unwrap_or("")).map_err(|e| {
                        Error::Upstream {
                            message: format!("the upstream's signing key is not usable: {e}"),
                            timeout: false,
                        }
                    })?;
                public.verify_detached(&sums, &sig).map_err(|e| Error::Upstream {
                    message: format!("the upstream's SHA256SUMS of {local} {version} does not verify: {e}"),
                    timeout: false,
                })?;
                self.inner.keys.add(&public, "upstream", None, false).await?;
                let text = String::from_utf8(sums.to_vec()).map_err(|_| Error::Upstream {
                    message: "the upstream's SHA256SUMS is not text".into(),
                    timeout: false,
                })?;
                signed = Some((text, sig.to_vec(), public.key_id()));
            }
            let zip = upstream.get(&link("download_url")?, false).await?.body;
            let sha256 = hex::encode(Sha256::digest(&zip));
            let (text, _, _) = signed.as_ref().expect("set above");
            let filename = package_filename(&local.r#type, &version.to_string(), platform);
            let sums = ShaSums::parse(text.as_bytes())
                .map_err(|e| Error::Upstream { message: e.to_string(), timeout: false })?;
            if sums.get(&filename) != Some(sha256.as_str())
                || json["shasum"].as_str() != Some(sha256.as_str())
            {
                return Err(Error::Upstream {
                    message: format!("the upstream's {filename} does not match its signed SHA256SUMS"),
                    timeout: false,
                });
            }
            let (type_, checked_platform, package) = (local.r#type.clone(), platform.clone(), zip.clone());
            let checked = tokio::task::spawn_blocking(move || {
                check_package(&package, &type_, &checked_platform, &PackageLimits::default())
            })
            .await
            .map_err(|e| Error::internal(e.to_string()))?
            .map_err(|e| Error::Upstream {
                message: format!("the upstream's package is not valid: {e}"),
                timeout: false,
            })?;
            packages.push((platform.clone(), filename, zip, checked));
        }
        let (shasums, signature, key_id) = signed.ok_or_else(|| Error::bad_request("no platforms to pin"))?;
        let storage = self.inner.storage.as_ref();
        let mut entries = Vec::new();
        for (platform, filename, zip, checked) in packages {
            match storage
                .put(&layout::provider_package(pinned_addr, version, &checked.sha256), zip, PutMode::Create)
                .await
            {
                Ok(_) | Err(StorageError::AlreadyExists { .. }) => {}
                Err(err) => return Err(err.into()),
            }
            entries.push(ProviderPlatform {
                os: platform.os.clone(),
                arch: platform.arch.clone(),
                filename,
                sha256: checked.sha256,
                h1: checked.h1,
                size: checked.size,
                published_at: crate::clock::rfc3339(crate::clock::unix_now()),
                published_by: format!("pin:{by}"),
            });
        }
        self.update_provider(pinned_addr, |index: &mut ProviderIndex| {
            let v = index.get_or_insert(version, protocols);
            for entry in &entries {
                if v.platform(&entry.os, &entry.arch).is_none() {
                    v.platforms.push(entry.clone());
                }
            }
            v.platforms.sort_by(|a, b| (&a.os, &a.arch).cmp(&(&b.os, &b.arch)));
            v.shasums = Some(shasums.clone());
            v.signature = Some(STANDARD.encode(&signature));
            v.key_id = Some(key_id.clone());
            v.custom_signature = true;
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// `GET /v1/pins`
    pub(crate) async fn pin_list(&self) -> Result<Response<Bytes>> {
        let mut pins = Vec::new();
        for info in self.inner.storage.list(layout::PINS_PREFIX).await? {
            if let Some(object) = self.inner.storage.get(&info.key).await? {
                let record: PinRecord = serde_json::from_slice(&object.body)
                    .map_err(|e| Error::internal(format!("the pin {} is corrupt: {e}", info.key)))?;
                pins.push(record);
            }
        }
        Ok(response::json(StatusCode::OK, &json!({ "pins": pins })))
    }

    /// `DELETE /v1/pins/{ns}/{name}/{system}/{version}`: forgets a pinned module version (a
    /// version published here is not a pin and stays).
    pub(crate) async fn unpin_module(
        &self,
        addr: &ModuleAddress,
        version: &Version,
    ) -> Result<Response<Bytes>> {
        let key = layout::module_pin(addr, version);
        if self.inner.storage.head(&key).await?.is_none() {
            return Err(Error::not_found(format!("{addr} {version} is not pinned")));
        }
        cas::update_json(
            self.inner.storage.as_ref(),
            &layout::module_index(addr),
            || index::ModuleIndex::empty(addr),
            |index: &mut index::ModuleIndex| {
                index.versions.retain(|v| !(v.version == *version && v.pinned));
                Ok(())
            },
        )
        .await?;
        self.inner.modules.remove(&addr.key());
        self.inner.storage.delete(&key).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    /// `DELETE /v1/pins/providers/{ns}/{type}/{version}`
    pub(crate) async fn unpin_provider(
        &self,
        local: &ProviderAddress,
        version: &Version,
    ) -> Result<Response<Bytes>> {
        let upstream = self.upstream_for_pins()?;
        let pinned_addr = ProviderAddress::on_host(upstream.host(), local.namespace.as_str(), &local.r#type)?;
        let key = layout::provider_pin(&pinned_addr, version);
        if self.inner.storage.head(&key).await?.is_none() {
            return Err(Error::not_found(format!("{pinned_addr} {version} is not pinned")));
        }
        self.update_provider(&pinned_addr, |index: &mut ProviderIndex| {
            index.versions.retain(|v| v.version != *version);
            Ok(())
        })
        .await?;
        self.inner.storage.delete(&key).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    async fn save_pin(&self, key: &str, record: &PinRecord) -> Result<()> {
        let body = serde_json::to_vec_pretty(record).map_err(|e| Error::internal(e.to_string()))?;
        self.inner.storage.put(key, Bytes::from(body), PutMode::Overwrite).await?;
        Ok(())
    }
}

/// The `constraint` query parameter, percent-decoded and parsed.
fn constraint(query: Option<&str>) -> Result<Option<Constraints>> {
    query_value(query, "constraint")
        .map(|raw| {
            let decoded =
                percent_encoding::percent_decode_str(&raw.replace('+', " ")).decode_utf8_lossy().into_owned();
            Constraints::parse(&decoded).map_err(Error::from)
        })
        .transpose()
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
    if !(location.starts_with("https://") || location.starts_with("http://")) {
        return Err(Error::bad_request(format!(
            "the upstream's archive location {location:?} is not an HTTP archive; only .tar.gz and .zip archives can be pinned"
        )));
    }
    let (scheme, rest) = location.split_once("://").expect("checked above");
    let (path, query) = rest.split_once('?').map_or((rest, None), |(p, q)| (p, Some(q)));
    let path = path.split_once("//").map_or(path, |(p, _)| p);
    let query: Vec<&str> =
        query.unwrap_or("").split('&').filter(|p| !p.is_empty() && !p.starts_with("archive=")).collect();
    Ok(if query.is_empty() {
        format!("{scheme}://{path}")
    } else {
        format!("{scheme}://{path}?{}", query.join("&"))
    })
}
