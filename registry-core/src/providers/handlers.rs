//! The provider registry protocol: publishing platform packages (signed by the registry, or
//! with the team's own signature), versions, download descriptions, and the files behind them.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Principal;
use crate::http::response;
use crate::providers::index::{self as provider_index, ProviderIndex, ProviderPlatform};
use crate::providers::package::{
    check_package, check_package_reader, CheckedPackage, PackageLimits, ProviderError, ShaSums,
};
use crate::registry::Registry;
use crate::storage::layout;
use crate::storage::{PutMode, Storage, StorageError};
use crate::types::version::Version;
use crate::types::{package_filename, Platform, ProviderAddress};
use crate::uploads::SpooledFile;
use crate::Error;
use crate::Result;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// A file of a provider version behind a signed link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderFile {
    /// A platform package, by its SHA-256.
    Package(String),
    /// The version's SHA256SUMS.
    ShaSums,
    /// The binary signature over SHA256SUMS.
    ShaSumsSig,
}

impl ProviderFile {
    /// The last path segment naming the file.
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "SHA256SUMS" => Some(Self::ShaSums),
            "SHA256SUMS.sig" => Some(Self::ShaSumsSig),
            other => other
                .strip_suffix(".zip")
                .filter(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
                .map(|h| Self::Package(h.to_owned())),
        }
    }

    fn segment(&self) -> String {
        match self {
            Self::Package(sha) => format!("{sha}.zip"),
            Self::ShaSums => "SHA256SUMS".into(),
            Self::ShaSumsSig => "SHA256SUMS.sig".into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShaSumsBody {
    shasums: String,
    signature: String,
}

impl Registry {
    /// The provider's index from the cache, loading it on a miss.
    pub(crate) async fn cached_provider(&self, addr: &ProviderAddress) -> Result<Arc<Option<ProviderIndex>>> {
        let key = addr.key();
        if let Some(hit) = self.inner.providers.get(&key) {
            return Ok(hit);
        }
        let index = Arc::new(provider_index::load(self.inner.storage.as_ref(), addr).await?);
        self.inner.providers.insert(key, index.clone());
        Ok(index)
    }

    /// `GET /v1/providers/{ns}/{type}/versions`: the local versions; for a provider not hosted
    /// here, the upstream's, with the versions pinned from it (all that is left when the
    /// upstream is down).
    pub(crate) async fn provider_versions(&self, addr: &ProviderAddress) -> Result<Response<Bytes>> {
        let cached = self.cached_provider(addr).await?;
        if let Some(index) = cached.as_ref() {
            return Ok(response::json(StatusCode::OK, &json!({ "versions": listed_versions(index) })));
        }
        let upstream = self.inner.upstream.as_ref().ok_or_else(|| missing_provider(addr))?;
        let pinned_addr = ProviderAddress::on_host(upstream.host(), addr.namespace.as_str(), &addr.r#type)?;
        let pinned = self.cached_provider(&pinned_addr).await?;
        let fetched = async {
            upstream.check_policy(&format!("{}/{}", addr.namespace.key(), addr.r#type))?;
            let url =
                format!("{}{}/{}/versions", upstream.providers_url().await?, addr.namespace, addr.r#type);
            let body = upstream.cached_json(&url).await?;
            serde_json::from_slice::<serde_json::Value>(&body).map_err(|e| Error::Upstream {
                message: format!("the upstream's versions are not JSON: {e}"),
                timeout: false,
            })
        }
        .await;
        let Some(pinned) = pinned.as_ref() else {
            return fetched.map(|json| response::json(StatusCode::OK, &json));
        };
        let mut versions = match fetched {
            Ok(json) => json["versions"].as_array().cloned().unwrap_or_default(),
            Err(err) => {
                tracing::warn!(provider = %addr, error = %err, "upstream failed; offering the pinned versions");
                Vec::new()
            }
        };
        for entry in listed_versions(pinned) {
            if !versions.iter().any(|v| v["version"] == entry["version"]) {
                versions.push(entry);
            }
        }
        Ok(response::json(StatusCode::OK, &json!({ "versions": versions })))
    }

    /// `GET /v1/providers/{ns}/{type}/{version}/download/{os}/{arch}`
    pub(crate) async fn provider_download(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        os: &str,
        arch: &str,
    ) -> Result<Response<Bytes>> {
        let cached = self.cached_provider(addr).await?;
        let Some(index) = cached.as_ref().as_ref() else {
            let upstream = self.inner.upstream.as_ref().ok_or_else(|| missing_provider(addr))?;
            let pinned_addr =
                ProviderAddress::on_host(upstream.host(), addr.namespace.as_str(), &addr.r#type)?;
            let pinned = self.cached_provider(&pinned_addr).await?;
            if let Some(index) = pinned.as_ref().as_ref() {
                if index.get(version).is_some_and(|v| v.platform(os, arch).is_some()) {
                    return self.describe_download(&pinned_addr, index, version, os, arch).await;
                }
            }
            return self.upstream_provider_download(upstream, addr, version, os, arch).await;
        };
        self.describe_download(addr, index, version, os, arch).await
    }

    /// The download description of a package kept here.
    async fn describe_download(
        &self,
        addr: &ProviderAddress,
        index: &ProviderIndex,
        version: &Version,
        os: &str,
        arch: &str,
    ) -> Result<Response<Bytes>> {
        let entry = index
            .get(version)
            .ok_or_else(|| Error::not_found(format!("provider {addr} has no version {version}")))?;
        let platform = entry.platform(os, arch).ok_or_else(|| {
            Error::not_found(format!("provider {addr} {version} has no package for {os}_{arch}"))
        })?;
        let key_id = entry.key_id.as_deref().ok_or_else(|| {
            Error::not_found(format!("provider {addr} {version} has no signed SHA256SUMS yet"))
        })?;
        let key = self.inner.keys.get(key_id).await?.ok_or_else(|| {
            Error::internal(format!("the signing key {key_id} of {addr} {version} is missing"))
        })?;
        let body = json!({
            "protocols": entry.protocols,
            "os": platform.os,
            "arch": platform.arch,
            "filename": platform.filename,
            "download_url": self.provider_link(addr, version, &ProviderFile::Package(platform.sha256.clone())),
            "shasums_url": self.provider_link(addr, version, &ProviderFile::ShaSums),
            "shasums_signature_url": self.provider_link(addr, version, &ProviderFile::ShaSumsSig),
            "shasum": platform.sha256,
            "signing_keys": {
                "gpg_public_keys": [{
                    "key_id": key.key_id,
                    "ascii_armor": key.ascii_armor,
                    "trust_signature": "",
                    "source": "tfreg",
                    "source_url": null,
                }]
            },
        });
        Ok(response::json(StatusCode::OK, &body))
    }

    /// The upstream's download description with its links made absolute; its SHA256SUMS,
    /// signature and signing keys are kept, so Terraform verifies the upstream's signature.
    async fn upstream_provider_download(
        &self,
        upstream: &crate::proxy::upstream::Upstream,
        addr: &ProviderAddress,
        version: &Version,
        os: &str,
        arch: &str,
    ) -> Result<Response<Bytes>> {
        upstream.check_policy(&format!("{}/{}", addr.namespace.key(), addr.r#type))?;
        let url = format!(
            "{}{}/{}/{version}/download/{os}/{arch}",
            upstream.providers_url().await?,
            addr.namespace,
            addr.r#type
        );
        let body = upstream.cached_json(&url).await?;
        let mut json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| Error::Upstream {
            message: format!("the upstream's download description is not JSON: {e}"),
            timeout: false,
        })?;
        for field in ["download_url", "shasums_url", "shasums_signature_url"] {
            if let Some(link) = json[field].as_str() {
                json[field] = json!(crate::proxy::upstream::resolve(&url, link));
            }
        }
        Ok(response::json(StatusCode::OK, &json))
    }

    /// A signed, expiring link to a file of a provider version.
    pub(crate) fn provider_link(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        file: &ProviderFile,
    ) -> String {
        let path = format!(
            "/v1/archives/providers/{}/{}/{}/{version}/{}",
            addr.host,
            addr.namespace.key(),
            addr.r#type,
            file.segment()
        );
        let expires = crate::clock::unix_now() + self.inner.config.link_ttl.as_secs();
        format!("{}?{}", self.link(&path), self.inner.signer.sign(&path, expires))
    }

    /// Answers a provider file link whose signature has been checked.
    pub(crate) async fn provider_file(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        file: &ProviderFile,
        head: bool,
    ) -> Result<Response<Bytes>> {
        let missing = || Error::not_found(format!("{} of {addr} {version} not found", file.segment()));
        let text = |body: Bytes, content_type: &'static str| {
            let mut response = Response::new(body);
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            response
        };
        match file {
            ProviderFile::Package(sha256) => {
                let key = layout::provider_package(addr, version, sha256);
                self.serve_object(&key, head, "application/zip", missing).await
            }
            ProviderFile::ShaSums | ProviderFile::ShaSumsSig => {
                let cached = self.cached_provider(addr).await?;
                let entry = cached.as_ref().as_ref().and_then(|i| i.get(version)).ok_or_else(missing)?;
                if *file == ProviderFile::ShaSums {
                    let body = entry.shasums.clone().ok_or_else(missing)?;
                    Ok(text(Bytes::from(body), "text/plain; charset=utf-8"))
                } else {
                    let signature = entry.signature.as_deref().ok_or_else(missing)?;
                    let bytes = STANDARD.decode(signature).map_err(|e| Error::internal(e.to_string()))?;
                    Ok(text(Bytes::from(bytes), "application/octet-stream"))
                }
            }
        }
    }

    /// `PUT /v1/providers/{ns}/{type}/{version}/{os}/{arch}?protocols=5.0` with the zip.
    pub(crate) async fn provider_upload(
        &self,
        principal: Option<Principal>,
        addr: &ProviderAddress,
        version: &Version,
        platform: Platform,
        query: Option<&str>,
        package: Package,
    ) -> Result<Response<Bytes>> {
        if let Package::Body(body) = &package {
            self.check_upload_body(body, "the provider package (.zip)")?;
        }
        let protocols = parse_protocols(query)?;
        let current = provider_index::load(self.inner.storage.as_ref(), addr).await?;
        let current = current.as_ref().and_then(|index| index.get(version));
        if current.and_then(|v| v.platform(&platform.os, &platform.arch)).is_some() {
            return Err(Error::conflict(format!("{addr} {version} already has a package for {platform}")));
        }
        // Versions the team signs themselves never need the registry's key.
        let custom = current.is_some_and(|v| v.custom_signature);
        let (type_, checked_platform) = (addr.r#type.clone(), platform.clone());
        let limits = crate::providers::package::PackageLimits::default();
        let source = package.try_clone()?;
        let checked = tokio::task::spawn_blocking(move || source.check(&type_, &checked_platform, &limits))
            .await
            .map_err(|e| Error::internal(e.to_string()))?
            .map_err(|e| Error::bad_request(format!("invalid provider package: {e}")))?;
        let signer = if custom { None } else { Some(self.inner.keys.signer().await?) };

        let storage = self.inner.storage.as_ref();
        let key = layout::provider_package(addr, version, &checked.sha256);
        let created = package.store(storage, &key).await?;
        let entry = ProviderPlatform {
            os: platform.os.clone(),
            arch: platform.arch.clone(),
            filename: package_filename(&addr.r#type, &version.to_string(), &platform),
            sha256: checked.sha256.clone(),
            h1: checked.h1.clone(),
            size: checked.size,
            published_at: crate::clock::rfc3339(crate::clock::unix_now()),
            published_by: principal.map_or_else(|| "anonymous".into(), |p| p.id),
        };
        let result = self.update_provider(addr, |index: &mut ProviderIndex| {
                let v = index.get_or_insert(version, &protocols);
                if v.platform(&entry.os, &entry.arch).is_some() {
                    return Err(Error::conflict(format!("{addr} {version} already has a package for {platform}")));
                }
                if query.is_some_and(|q| q.contains("protocols")) && v.protocols != protocols {
                    return Err(Error::conflict(format!(
                        "{addr} {version} was published with protocols {:?}; upload every platform with the same",
                        v.protocols
                    )));
                }
                if v.custom_signature {
                    let sums = ShaSums::parse(v.shasums.as_deref().unwrap_or("").as_bytes())
                        .map_err(|e| Error::internal(e.to_string()))?;
                    match sums.get(&entry.filename) {
                        Some(sha) if sha == entry.sha256 => {}
                        Some(sha) => {
                            return Err(Error::bad_request(format!(
                                "the uploaded SHA256SUMS says {} has SHA-256 {sha}, but this package's is {}",
                                entry.filename, entry.sha256
                            )))
                        }
                        None => {
                            return Err(Error::bad_request(format!(
                                "the uploaded SHA256SUMS of {addr} {version} has no line for {}",
                                entry.filename
                            )))
                        }
                    }
                    v.platforms.push(entry.clone());
                } else {
                    let Some(signer) = &signer else {
                        return Err(Error::conflict(format!(
                            "the signature of {addr} {version} changed while uploading; upload again"
                        )));
                    };
                    v.platforms.push(entry.clone());
                    let mut sums = ShaSums::new();
                    for p in &v.platforms {
                        sums.insert(p.filename.clone(), p.sha256.clone());
                    }
                    let text = sums.render();
                    v.signature = Some(STANDARD.encode(signer.sign(text.as_bytes())?));
                    v.shasums = Some(text);
                    v.key_id = Some(signer.key_id.clone());
                }
                v.platforms.sort_by(|a, b| (&a.os, &a.arch).cmp(&(&b.os, &b.arch)));
                Ok(())
        })
        .await;
        if let Err(err) = result {
            if created {
                let referenced = matches!(provider_index::load(storage, addr).await,
                    Ok(Some(ref i)) if i.get(version).is_some_and(|v| v.platforms.iter().any(|p| p.sha256 == checked.sha256)));
                if !referenced {
                    if let Err(del) = storage.delete(&key).await {
                        tracing::warn!(%key, error = %del, "could not remove an unpublished package");
                    }
                }
            }
            return Err(err);
        }
        tracing::info!(provider = %addr, %version, platform = %platform, "provider package published");
        Ok(response::json(
            StatusCode::CREATED,
            &json!({
                "id": format!("{addr}/{version}/{platform}"),
                "namespace": addr.namespace.as_str(),
                "type": addr.r#type,
                "version": version,
                "os": entry.os,
                "arch": entry.arch,
                "filename": entry.filename,
                "shasum": entry.sha256,
                "hashes": [entry.h1, checked.zh],
                "protocols": protocols,
            }),
        ))
    }

    /// `PUT /v1/providers/{ns}/{type}/{version}/shasums` with
    /// `{"shasums": "<SHA256SUMS text>", "signature": "<base64 of the binary .sig>"}`: the team's
    /// own signature, checked against the keys registered for the namespace.
    pub(crate) async fn provider_shasums_upload(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<Response<Bytes>> {
        let body: ShaSumsBody = serde_json::from_slice(body).map_err(|e| {
            Error::bad_request(format!(
                "the body must be JSON: {{\"shasums\": \"<SHA256SUMS text>\", \"signature\": \"<base64 of SHA256SUMS.sig>\"}}: {e}"
            ))
        })?;
        let signature = STANDARD
            .decode(body.signature.trim())
            .map_err(|e| Error::bad_request(format!("signature is not base64: {e}")))?;
        let sums = ShaSums::parse(body.shasums.as_bytes())
            .map_err(|e| Error::bad_request(format!("invalid SHA256SUMS: {e}")))?;
        let prefix = format!("terraform-provider-{}_{version}_", addr.r#type);
        for (filename, _) in sums.iter() {
            let platform = filename.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".zip"));
            if platform.is_none_or(|p| Platform::parse(p).is_err()) {
                return Err(Error::bad_request(format!(
                    "SHA256SUMS names {filename:?}, which is not a package of {addr} {version} ({prefix}OS_ARCH.zip)"
                )));
            }
        }
        let key_id = self
            .inner
            .keys
            .verify_for_namespace(addr.namespace.key(), body.shasums.as_bytes(), &signature)
            .await?;
        let protocols = parse_protocols(query)?;
        let result = self
            .update_provider(addr, |index: &mut ProviderIndex| {
                let v = index.get_or_insert(version, &protocols);
                if v.custom_signature {
                    return Err(Error::conflict(format!(
                        "{addr} {version} already has an uploaded signature"
                    )));
                }
                for p in &v.platforms {
                    match sums.get(&p.filename) {
                        Some(sha) if sha == p.sha256 => {}
                        _ => {
                            return Err(Error::bad_request(format!(
                                "SHA256SUMS does not match the package already published as {}",
                                p.filename
                            )))
                        }
                    }
                }
                v.shasums = Some(body.shasums.clone());
                v.signature = Some(STANDARD.encode(&signature));
                v.key_id = Some(key_id.clone());
                v.custom_signature = true;
                Ok(())
            })
            .await;
        result?;
        Ok(response::json(
            StatusCode::CREATED,
            &json!({"id": format!("{addr}/{version}"), "key_id": key_id, "files": sums.len()}),
        ))
    }
}

impl Registry {
    /// Changes a provider's index with compare-and-swap and forgets the cached copy.
    pub(crate) async fn update_provider(
        &self,
        addr: &ProviderAddress,
        mutate: impl FnMut(&mut ProviderIndex) -> Result<()>,
    ) -> Result<ProviderIndex> {
        let storage = self.inner.storage.as_ref();
        let result = crate::storage::cas::update_json(
            storage,
            &layout::provider_index(addr),
            || ProviderIndex::empty(addr),
            mutate,
        )
        .await;
        self.inner.providers.remove(&addr.key());
        result
    }
}

/// The versions entries of the provider registry protocol for an index: signed versions with
/// at least one platform.
fn listed_versions(index: &ProviderIndex) -> Vec<serde_json::Value> {
    index
        .versions
        .iter()
        .filter(|v| v.signature.is_some() && !v.platforms.is_empty())
        .map(|v| {
            let platforms: Vec<_> = v.platforms.iter().map(|p| json!({"os": p.os, "arch": p.arch})).collect();
            json!({"version": v.version, "protocols": v.protocols, "platforms": platforms})
        })
        .collect()
}

fn missing_provider(addr: &ProviderAddress) -> Error {
    Error::not_found(format!("provider {addr} does not exist in this registry"))
}

/// `protocols=5.0` or `protocols=5.0,6.0` from a query string; `["5.0"]` by default.
fn parse_protocols(query: Option<&str>) -> Result<Vec<String>> {
    let raw = query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("protocols="))
        .map(|v| v.replace("%2C", ",").replace("%2c", ","));
    let Some(raw) = raw else {
        return Ok(vec!["5.0".to_owned()]);
    };
    let mut out = Vec::new();
    for p in raw.split(',') {
        let valid = p.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && (a.len() + b.len()) <= 6
                && (a.to_owned() + b).bytes().all(|c| c.is_ascii_digit())
        });
        if !valid {
            return Err(Error::bad_request(format!(
                "invalid protocol {:?}: use protocols=5.0 or protocols=6.0",
                crate::types::address::truncate(p)
            )));
        }
        out.push(p.to_owned());
    }
    Ok(out)
}

/// A provider package to publish: a request body, or a file uploaded through a session and
/// copied to a temporary file.
#[derive(Debug)]
pub(crate) enum Package {
    Body(Bytes),
    File(SpooledFile),
}

impl Package {
    /// Another handle on the same content (the body is shared, the file reopened).
    fn try_clone(&self) -> Result<Package> {
        Ok(match self {
            Package::Body(body) => Package::Body(body.clone()),
            Package::File(spooled) => Package::File(SpooledFile {
                file: spooled.file.try_clone().map_err(|e| Error::internal(e.to_string()))?,
                size: spooled.size,
            }),
        })
    }

    /// Checks the package (blocking: run it off the async threads). A file is read through a
    /// small buffer, never whole.
    fn check(
        self,
        type_: &str,
        platform: &Platform,
        limits: &PackageLimits,
    ) -> Result<CheckedPackage, ProviderError> {
        match self {
            Package::Body(body) => check_package(&body, type_, platform, limits),
            Package::File(spooled) => check_package_reader(spooled.file, type_, platform, limits),
        }
    }

    /// Stores the package create-only at `key` (which names its content); `false` when an
    /// identical package was there already. A file is written chunk by chunk.
    async fn store(self, storage: &dyn Storage, key: &str) -> Result<bool> {
        match self {
            Package::Body(body) => match storage.put(key, body, PutMode::Create).await {
                Ok(_) => Ok(true),
                Err(StorageError::AlreadyExists { .. }) => Ok(false),
                Err(err) => Err(err.into()),
            },
            Package::File(spooled) => {
                if storage.head(key).await?.is_some() {
                    return Ok(false);
                }
                let io = |e: std::io::Error| Error::internal(format!("cannot read a temporary file: {e}"));
                let mut file = tokio::fs::File::from_std(spooled.file);
                file.seek(std::io::SeekFrom::Start(0)).await.map_err(io)?;
                let mut writer = storage.writer(key).await?;
                let mut buffer = vec![0u8; COPY_CHUNK_BYTES];
                let failure = loop {
                    match file.read(&mut buffer).await {
                        Ok(0) => break None,
                        Ok(read) => {
                            if let Err(err) = writer.write(Bytes::copy_from_slice(&buffer[..read])).await {
                                break Some(err.into());
                            }
                        }
                        Err(e) => break Some(io(e)),
                    }
                };
                if let Some(err) = failure {
                    if let Err(abort) = writer.abort().await {
                        tracing::warn!(%key, error = %abort, "could not abort a package upload");
                    }
                    return Err(err);
                }
                writer.finish().await?;
                Ok(true)
            }
        }
    }
}

/// The size of the reads that copy a spooled package to the store.
const COPY_CHUNK_BYTES: usize = 1 << 20;
