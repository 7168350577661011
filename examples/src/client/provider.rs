//! `tfreg publish provider DIST`: publishes what goreleaser (or any release build) wrote: the
//! packages named `terraform-provider-{type}_{version}_{os}_{arch}.zip`, with the team's
//! `..._SHA256SUMS` and `..._SHA256SUMS.sig` first when present (otherwise the registry signs),
//! and the plugin protocols from `..._manifest.json` (goreleaser's copy of
//! `terraform-registry-manifest.json`; `5.0` without one). Up to four packages go at once, and
//! a package already published counts as done, so running it again finishes an interrupted
//! publish.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::Remote;

/// The release found in a folder.
#[derive(Debug)]
pub(crate) struct Release {
    pub(crate) version: String,
    /// `(os_arch, path)` of each package.
    pub(crate) packages: Vec<(String, PathBuf)>,
    pub(crate) shasums: Option<(String, Vec<u8>)>,
    pub(crate) protocols: Vec<String>,
}

/// Reads the release of provider `type` in `dir`.
pub(crate) fn release(dir: &Path, r#type: &str) -> crate::Result<Release> {
    let prefix = format!("terraform-provider-{type}_");
    let mut version: Option<String> = None;
    let mut packages = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let Some(rest) = name.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".zip")) else { continue };
        let mut parts = rest.splitn(2, '_');
        let (Some(v), Some(platform)) = (parts.next(), parts.next()) else {
            return Err(format!("cannot read a version and platform from {name}").into());
        };
        match &version {
            Some(seen) if seen != v => {
                return Err(format!("{dir:?} holds versions {seen} and {v}: one at a time").into())
            }
            _ => version = Some(v.to_owned()),
        }
        packages.push((platform.to_owned(), dir.join(name)));
    }
    let version = version.ok_or_else(|| format!("no {prefix}VERSION_OS_ARCH.zip in {}", dir.display()))?;
    let stem = format!("{prefix}{version}");
    let sums = dir.join(format!("{stem}_SHA256SUMS"));
    let sig = dir.join(format!("{stem}_SHA256SUMS.sig"));
    let shasums = match (sums.is_file(), sig.is_file()) {
        (true, true) => Some((std::fs::read_to_string(&sums)?, std::fs::read(&sig)?)),
        (false, false) => None,
        _ => return Err(format!("{stem}_SHA256SUMS and its .sig come together").into()),
    };
    let manifest = dir.join(format!("{stem}_manifest.json"));
    let protocols = match std::fs::read_to_string(&manifest) {
        Ok(text) => {
            let value: serde_json::Value = serde_json::from_str(&text)?;
            value["metadata"]["protocol_versions"]
                .as_array()
                .map(|p| p.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_else(|| vec!["5.0".to_owned()])
        }
        Err(_) => vec!["5.0".to_owned()],
    };
    Ok(Release { version, packages, shasums, protocols })
}

/// Publishes `release` as `address` (`ns/type`): what each package's publish said, by platform.
pub(crate) async fn publish(remote: &Remote, address: &str, release: &Release) -> crate::Result<Vec<String>> {
    let version = &release.version;
    if let Some((sums, sig)) = &release.shasums {
        let body = serde_json::json!({ "shasums": sums, "signature": base64::engine::general_purpose::STANDARD.encode(sig) });
        let answer = remote
            .client
            .put(remote.api(&format!("providers/{address}/{version}/shasums"))?)
            .bearer_auth(&remote.token)
            .body(body.to_string())
            .send()
            .await?;
        if answer.status() != reqwest::StatusCode::CONFLICT {
            remote.answer(answer).await?;
        }
    }
    let protocols = &release.protocols.join(",");
    // On a terminal only (indicatif draws nothing otherwise): one bar per package.
    let bars = indicatif::MultiProgress::new();
    let style =
        indicatif::ProgressStyle::with_template("{msg:>16} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .map_err(|e| e.to_string())?
            .progress_chars("=> ");
    let mut done = Vec::new();
    for batch in release.packages.chunks(4) {
        let uploads = batch.iter().map(|(platform, path)| {
            let (bars, style) = (&bars, style.clone());
            async move {
                let (os, arch) =
                    platform.split_once('_').ok_or_else(|| format!("platform {platform} is not OS_ARCH"))?;
                let url = remote
                    .api(&format!("providers/{address}/{version}/{os}/{arch}?protocols={protocols}"))?;
                let file = tokio::fs::File::open(path).await?;
                let size = file.metadata().await?.len();
                let bar = bars
                    .add(indicatif::ProgressBar::new(size).with_style(style).with_message(platform.clone()));
                let counted = bar.clone();
                let chunks = futures::TryStreamExt::inspect_ok(
                    tokio_util::io::ReaderStream::new(file),
                    move |chunk| counted.inc(chunk.len() as u64),
                );
                let answer = remote
                    .client
                    .put(url)
                    .bearer_auth(&remote.token)
                    .header(reqwest::header::CONTENT_LENGTH, size)
                    .body(reqwest::Body::wrap_stream(chunks))
                    .send()
                    .await?;
                bar.finish();
                if answer.status() == reqwest::StatusCode::CONFLICT {
                    return Ok::<_, Box<dyn std::error::Error + Send + Sync>>(format!(
                        "{platform}: already published"
                    ));
                }
                remote.answer(answer).await?;
                Ok(format!("{platform}: published"))
            }
        });
        for result in futures::future::join_all(uploads).await {
            done.push(result?);
        }
    }
    Ok(done)
}
