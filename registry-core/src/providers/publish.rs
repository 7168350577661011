//! The provider publish pipeline, one for every way a platform package arrives (a request
//! body, an upload session, a pin from the upstream, a `tfreg mirror import`): check the
//! package off the async threads, store it create-only under its content hash, commit it to the
//! provider's index with compare-and-swap, and on any failure remove what nothing references.
//! What differs between the callers is only the rule applied to the index at commit time (who
//! signs SHA256SUMS), so that is the one thing they pass in.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http::{Response, StatusCode};

use super::index::{self, ProviderIndex, ProviderPlatform, ProviderVersion, PushedRelease};
use super::keyring::RegistrySigner;
use super::package::{check_package, check_package_reader, CheckedPackage, PackageLimits, ShaSums};
use super::ProviderService;
use crate::http::body::{check_upload, Body};
use crate::http::query::Query;
use crate::http::response;
use crate::modules::metadata::Metadata;
use crate::protocol::{ProviderPublished, PublishShaSums, ShaSumsPublished};
use crate::spool::SpooledFile;
use crate::storage::{create_only, layout, remove_unreferenced, Storage};
use crate::types::{package_filename, Platform, ProviderAddress, Version};
use crate::{Error, Result};

/// The plugin protocol versions Terraform speaks.
const KNOWN_PROTOCOLS: [&str; 2] = ["5.0", "6.0"];

/// A provider package to publish: a request body, or a file spooled to disk (upload sessions,
/// pins, imports).
#[derive(Debug)]
pub(crate) enum Package {
    /// Bytes in memory.
    Body(Bytes),
    /// A temporary file.
    File(SpooledFile),
}

impl Package {
    /// Another handle on the same content (the body is shared, the file reopened).
    fn try_clone(&self) -> Result<Package> {
        Ok(match self {
            Package::Body(body) => Package::Body(body.clone()),
            Package::File(spooled) => Package::File(spooled.try_clone()?),
        })
    }

    /// Stores the package create-only at `key` (which names its content); `false` when an
    /// identical package was there already. A file is written chunk by chunk.
    async fn store(self, storage: &dyn Storage, key: &str) -> Result<bool> {
        let spooled = match self {
            Package::Body(body) => return create_only(storage, key, body).await,
            Package::File(spooled) => spooled,
        };
        spooled.store(storage, key).await
    }
}

/// A package that passed the checks, with the index entry it will get.
#[derive(Debug)]
pub(crate) struct CheckedPlatform {
    package: Package,
    /// The hashes the check computed.
    pub(crate) checked: CheckedPackage,
    /// The entry for the provider's index.
    pub(crate) entry: ProviderPlatform,
}

/// A package written to its key.
#[derive(Debug)]
pub(crate) struct StoredPackage {
    key: String,
    created: bool,
    /// The package, when an identical one was in place already: the garbage collection may
    /// be removing that one as an orphan, so it is written again after the commit if gone.
    reused: Option<Package>,
    /// The entry for the provider's index.
    pub(crate) entry: ProviderPlatform,
}

impl ProviderService {
    /// Checks `package` as a provider package for `platform` (blocking work, run off the async
    /// threads; a file is read through a small buffer, never whole).
    pub(crate) async fn check(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        platform: &Platform,
        package: Package,
        published_by: &str,
    ) -> Result<CheckedPlatform> {
        refuse_build_metadata(version)?;
        let (type_, checked_platform, source) = (addr.r#type.clone(), platform.clone(), package.try_clone()?);
        let checked = tokio::task::spawn_blocking(move || {
            let limits = PackageLimits::default();
            match source {
                Package::Body(body) => check_package(&body, &type_, &checked_platform, &limits),
                Package::File(spooled) => {
                    check_package_reader(spooled.file, &type_, &checked_platform, &limits)
                }
            }
        })
        .await??;
        let entry = ProviderPlatform {
            os: platform.os.clone(),
            arch: platform.arch.clone(),
            filename: package_filename(&addr.r#type, &version.to_string(), platform),
            sha256: checked.sha256.clone(),
            h1: checked.h1.clone(),
            size: checked.size,
            published_at: crate::clock::rfc3339(self.clock.unix_now()),
            published_by: published_by.to_owned(),
        };
        Ok(CheckedPlatform { package, checked, entry })
    }

    /// Writes a checked package create-only to its content-addressed key.
    pub(crate) async fn store(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        checked: CheckedPlatform,
    ) -> Result<StoredPackage> {
        let key = layout::provider_package(addr, version, &checked.entry.sha256);
        let copy = checked.package.try_clone()?;
        let created = checked.package.store(self.storage.as_ref(), &key).await?;
        Ok(StoredPackage { key, created, reused: (!created).then_some(copy), entry: checked.entry })
    }

    /// Commits stored packages to the index with `mutate` (which applies the caller's rules to
    /// the version's entry), and when that fails removes the packages this publish created and
    /// nothing references.
    pub(crate) async fn commit(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        stored: &[StoredPackage],
        protocols: &[String],
        mut mutate: impl FnMut(&mut ProviderVersion) -> Result<()>,
    ) -> Result<ProviderIndex> {
        let result = self
            .update(addr, |index: &mut ProviderIndex| {
                if index.deleting.iter().any(|v| &v.version == version) {
                    return Err(Error::conflict(format!(
                        "{addr} {version} is being deleted; delete it again to finish, then publish"
                    )));
                }
                let v = index.get_or_insert(version, protocols);
                mutate(v)?;
                v.platforms.sort_by(|a, b| (&a.os, &a.arch).cmp(&(&b.os, &b.arch)));
                Ok(())
            })
            .await;
        if result.is_err() && stored.iter().any(|s| s.created) {
            let current = index::load(self.storage.as_ref(), addr).await.ok().flatten();
            let referenced = |sha: &str| {
                current
                    .as_ref()
                    .and_then(|i| i.get(version))
                    .is_some_and(|v| v.platforms.iter().any(|p| p.sha256 == sha))
            };
            for package in stored.iter().filter(|s| s.created && !referenced(&s.entry.sha256)) {
                remove_unreferenced(self.storage.as_ref(), &package.key).await;
            }
        }
        if result.is_ok() {
            for package in stored {
                if let Some(reused) = &package.reused {
                    // Writes it again only if it went missing since (see `StoredPackage::reused`).
                    reused.try_clone()?.store(self.storage.as_ref(), &package.key).await?;
                }
            }
        }
        result
    }

    /// `PUT /v1/providers/{ns}/{type}/{version}/{os}/{arch}?protocols=5.0` with the zip (the
    /// body, or what an upload session holds): the registry signs SHA256SUMS, unless the team
    /// uploaded its own signed SHA256SUMS for the version, which the package must then match.
    pub(crate) async fn publish(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        platform: Platform,
        query: &Query,
        package: Package,
        by: &str,
    ) -> Result<Response<Body>> {
        if let Package::Body(body) = &package {
            check_upload(body, self.max_upload_bytes, "the provider package (.zip)")?;
        }
        let protocols = parse_protocols(query)?;
        let metadata = Metadata::from_query(query, &["protocols"])?;
        let current = index::load(self.storage.as_ref(), addr).await?;
        let current = current.as_ref().and_then(|index| index.get(version));
        if current.and_then(|v| v.platform(&platform.os, &platform.arch)).is_some() {
            return Err(Error::conflict(format!("{addr} {version} already has a package for {platform}")));
        }
        // Versions the team signs themselves never need the registry's key.
        let custom = current.is_some_and(|v| v.custom_signature);
        let checked = self.check(addr, version, &platform, package, by).await?;
        let zh = checked.checked.zh.clone();
        let signer = if custom { None } else { Some(self.keys.signer().await?) };
        let stored = [self.store(addr, version, checked).await?];
        let entry = stored[0].entry.clone();
        let named_protocols = query.has("protocols");
        self.commit(addr, version, &stored, &protocols, |v| {
            if v.platform(&entry.os, &entry.arch).is_some() {
                return Err(Error::conflict(format!(
                    "{addr} {version} already has a package for {platform}"
                )));
            }
            if metadata.description.is_some() {
                v.description.clone_from(&metadata.description);
            }
            if metadata.source.is_some() {
                v.source.clone_from(&metadata.source);
            }
            if named_protocols && v.protocols != protocols {
                return Err(Error::conflict(format!(
                    "{addr} {version} was published with protocols {:?}; upload every platform with the same",
                    v.protocols
                )));
            }
            if v.custom_signature {
                let sums = ShaSums::parse(v.shasums.as_deref().unwrap_or("").as_bytes()).map_err(|e| {
                    Error::internal_with(format!("the stored SHA256SUMS of {addr} {version} is corrupt"), e)
                })?;
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
                sign(v, signer)?;
            }
            // The pushed OCI documents no longer list every platform: they are derived again.
            v.pushed = None;
            Ok(())
        })
        .await?;
        tracing::info!(provider = %addr, %version, platform = %platform, "provider package published");
        let published = ProviderPublished {
            id: format!("{addr}/{version}/{platform}"),
            namespace: addr.namespace.as_str().to_owned(),
            r#type: addr.r#type.clone(),
            version: version.to_string(),
            os: entry.os,
            arch: entry.arch,
            filename: entry.filename,
            shasum: entry.sha256,
            hashes: vec![entry.h1, zh],
            protocols,
        };
        Ok(response::json(StatusCode::CREATED, &published))
    }

    /// A version pushed through the OCI distribution API: every platform's package at once,
    /// checked and stored as uploads are, SHA256SUMS signed by the registry, and the pushed
    /// documents kept so the registry serves back exactly what was pushed. The version must be
    /// new.
    pub(crate) async fn publish_pushed(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        packages: Vec<(Platform, Package)>,
        protocols: &[String],
        pushed: PushedRelease,
        by: &str,
    ) -> Result<ProviderIndex> {
        let exists =
            || Error::conflict(format!("{addr} {version} is already published; push a new version instead"));
        if index::load(self.storage.as_ref(), addr).await?.is_some_and(|i| i.get(version).is_some()) {
            return Err(exists());
        }
        // Every package is checked before any is stored, so a bad one leaves nothing behind.
        let mut checked = Vec::with_capacity(packages.len());
        for (platform, package) in packages {
            checked.push(self.check(addr, version, &platform, package, by).await?);
        }
        let mut stored = Vec::with_capacity(checked.len());
        for package in checked {
            stored.push(self.store(addr, version, package).await?);
        }
        let signer = self.keys.signer().await?;
        let index = self
            .commit(addr, version, &stored, protocols, |v| {
                if !v.platforms.is_empty() || v.custom_signature {
                    return Err(exists());
                }
                v.platforms.extend(stored.iter().map(|s| s.entry.clone()));
                v.platforms.sort_by(|a, b| (&a.os, &a.arch).cmp(&(&b.os, &b.arch)));
                sign(v, &signer)?;
                v.pushed = Some(pushed.clone());
                Ok(())
            })
            .await?;
        tracing::info!(provider = %addr, %version, platforms = stored.len(), by, "provider version published by an OCI push");
        Ok(index)
    }

    /// `PUT /v1/providers/{ns}/{type}/{version}/shasums` with
    /// `{"shasums": "<SHA256SUMS text>", "signature": "<base64 of the binary .sig>"}`: the team's
    /// own signature, checked against the keys registered for the namespace.
    pub(crate) async fn publish_shasums(
        &self,
        addr: &ProviderAddress,
        version: &Version,
        query: &Query,
        body: &[u8],
    ) -> Result<Response<Body>> {
        refuse_build_metadata(version)?;
        let body: PublishShaSums = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_body(
                "the body must be JSON: {\"shasums\": \"<SHA256SUMS text>\", \"signature\": \"<base64 of SHA256SUMS.sig>\"}",
                e,
            )
        })?;
        let signature = STANDARD
            .decode(body.signature.trim())
            .map_err(|e| Error::bad_request(format!("signature is not base64: {e}")))?;
        let sums = ShaSums::parse(body.shasums.as_bytes())
            .map_err(|e| Error::bad_request(format!("invalid SHA256SUMS: {e}")))?;
        check_listed_packages(&sums, addr, version)?;
        let key_id =
            self.keys.verify_for_namespace(addr.namespace.key(), body.shasums.as_bytes(), &signature).await?;
        let protocols = parse_protocols(query)?;
        self.commit(addr, version, &[], &protocols, |v| {
            if v.custom_signature {
                return Err(Error::conflict(format!("{addr} {version} already has an uploaded signature")));
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
        .await?;
        let published = ShaSumsPublished { id: format!("{addr}/{version}"), key_id, files: sums.len() };
        Ok(response::json(StatusCode::CREATED, &published))
    }
}

/// Signs SHA256SUMS of `v`'s platforms with the registry's key.
fn sign(v: &mut ProviderVersion, signer: &RegistrySigner) -> Result<()> {
    let mut sums = ShaSums::new();
    for p in &v.platforms {
        sums.insert(p.filename.clone(), p.sha256.clone());
    }
    let text = sums.render();
    v.signature = Some(STANDARD.encode(signer.sign(text.as_bytes())?));
    v.shasums = Some(text);
    v.key_id = Some(signer.key_id.clone());
    Ok(())
}

/// Refuses a team's `SHA256SUMS` that lists a file other than a package of `addr` `version`
/// (`terraform-provider-{type}_{version}_{os}_{arch}.zip`).
pub(crate) fn check_listed_packages(sums: &ShaSums, addr: &ProviderAddress, version: &Version) -> Result<()> {
    let prefix = format!("terraform-provider-{}_{version}_", addr.r#type);
    for (filename, _) in sums.iter() {
        let platform = filename.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".zip"));
        if platform.is_none_or(|p| Platform::parse(p).is_err()) {
            return Err(Error::bad_request(format!(
                "SHA256SUMS names {filename:?}, which is not a package of {addr} {version} ({prefix}OS_ARCH.zip)"
            )));
        }
    }
    Ok(())
}

/// The one rule for every way a provider version is published (bodies, sessions, pins,
/// imports, team signatures): no build metadata. Terraform ignores it when it compares provider
/// versions, so `1.0.0+x` would be the same version as `1.0.0` with other files.
pub(crate) fn refuse_build_metadata(version: &Version) -> Result<()> {
    if version.build().is_empty() {
        return Ok(());
    }
    Err(Error::bad_request(format!(
        "provider version {version} carries build metadata (+{}): Terraform ignores it, so it would name \
         the same version as {}.{}.{}{}; publish a version without it",
        version.build(),
        version.major(),
        version.minor(),
        version.patch(),
        if version.is_prerelease() { format!("-{}", version.prerelease()) } else { String::new() },
    )))
}

/// `protocols=5.0` or `protocols=5.0,6.0` from a query; `["5.0"]` by default. Only the plugin
/// protocols Terraform speaks (5.0 and 6.0) are accepted.
fn parse_protocols(query: &Query) -> Result<Vec<String>> {
    protocols(query.get("protocols"))
}

/// A list of plugin protocols (`5.0,6.0`); `["5.0"]` when none is named.
pub(crate) fn protocols(named: Option<&str>) -> Result<Vec<String>> {
    let Some(raw) = named else {
        return Ok(vec!["5.0".to_owned()]);
    };
    let mut out: Vec<String> = Vec::new();
    for p in raw.split(',').map(str::trim) {
        if !KNOWN_PROTOCOLS.contains(&p) {
            return Err(Error::bad_request(format!(
                "invalid protocol {:?}: use protocols=5.0, protocols=6.0 or protocols=5.0,6.0",
                crate::types::truncate(p)
            )));
        }
        if !out.iter().any(|known| known == p) {
            out.push(p.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_protocols_terraform_speaks_are_accepted() {
        let parse = |q: &str| parse_protocols(&Query::parse(Some(q)));
        assert_eq!(parse("").unwrap(), ["5.0"]);
        assert_eq!(parse("protocols=6.0").unwrap(), ["6.0"]);
        assert_eq!(parse("protocols=5.0%2C6.0").unwrap(), ["5.0", "6.0"]);
        assert_eq!(parse("protocols=5.0,5.0").unwrap(), ["5.0"]);
        for bad in ["protocols=7.0", "protocols=4.0", "protocols=5.1", "protocols=", "protocols=5"] {
            assert_eq!(parse(bad).unwrap_err().status(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
