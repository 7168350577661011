//! `tfreg publish module DIR`: packs a module folder as Terraform would fetch it (honouring
//! `.terraformignore`, leaving out `.terraform/`, `.git/` and the ignore file itself), checks it
//! has Terraform files, and
//! publishes it, through an upload session when the registry finds the body too large.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use super::Remote;

/// The files of a module folder to publish, relative, sorted.
pub(crate) fn files(dir: &Path) -> crate::Result<Vec<PathBuf>> {
    let mut ignores = GitignoreBuilder::new(dir);
    let ignore_file = dir.join(".terraformignore");
    if ignore_file.is_file() {
        if let Some(err) = ignores.add(&ignore_file) {
            return Err(format!("{}: {err}", ignore_file.display()).into());
        }
    }
    let ignores = ignores.build()?;
    let mut found = Vec::new();
    walk(dir, dir, &ignores, &mut found)?;
    found.sort();
    if !found
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "tf") || p.to_string_lossy().ends_with(".tf.json"))
    {
        return Err(format!("{} holds no .tf or .tf.json file: not a module", dir.display()).into());
    }
    Ok(found)
}

fn walk(root: &Path, dir: &Path, ignores: &Gitignore, found: &mut Vec<PathBuf>) -> crate::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        let name = entry.file_name();
        if (kind.is_dir() && (name == ".terraform" || name == ".git")) || name == ".terraformignore" {
            continue;
        }
        if ignores.matched_path_or_any_parents(&path, kind.is_dir()).is_ignore() {
            continue;
        }
        if kind.is_dir() {
            walk(root, &path, ignores, found)?;
        } else if kind.is_file() {
            found.push(path.strip_prefix(root)?.to_path_buf());
        }
    }
    Ok(())
}

/// `files` of `dir` as a `.tar.gz`.
pub(crate) fn pack(dir: &Path, files: &[PathBuf]) -> crate::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for file in files {
        tar.append_path_with_name(dir.join(file), file)?;
    }
    Ok(tar.into_inner()?.finish()?)
}

#[derive(Deserialize)]
struct Opened {
    id: String,
    upload_url: String,
    #[serde(default)]
    upload_headers: std::collections::BTreeMap<String, String>,
}

/// Publishes `archive` as `address` `version`: one `PUT`, or an upload session and a publish of
/// what was uploaded when `via_session` or when something in front of the registry (an API
/// gateway's 6 MB limit before a Lambda) answers 413. The registry's answer.
pub(crate) async fn module(
    remote: &Remote,
    address: &str,
    version: &str,
    archive: Vec<u8>,
    metadata: &[(&str, String)],
    via_session: bool,
) -> crate::Result<serde_json::Value> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in metadata {
        query.append_pair(key, value);
    }
    let publish = remote.api(&format!("modules/{address}/{version}"))?;
    let publish = if metadata.is_empty() { publish } else { format!("{publish}?{}", query.finish()) };
    if !via_session {
        let answer =
            remote.client.put(&publish).bearer_auth(&remote.token).body(archive.clone()).send().await?;
        if answer.status() != reqwest::StatusCode::PAYLOAD_TOO_LARGE {
            return remote.answer(answer).await;
        }
    }
    // Too large for a request body: through an upload session.
    let opened =
        remote.client.post(remote.api("uploads")?).bearer_auth(&remote.token).body("{}").send().await?;
    let opened: Opened = serde_json::from_value(remote.answer(opened).await?)?;
    let mut upload = remote.client.put(&opened.upload_url).body(archive);
    for (name, value) in &opened.upload_headers {
        upload = upload.header(name, value);
    }
    remote.answer(upload.send().await?).await?;
    let separator = if publish.contains('?') { '&' } else { '?' };
    let answer = remote
        .client
        .put(format!("{publish}{separator}upload={}", opened.id))
        .bearer_auth(&remote.token)
        .send()
        .await?;
    remote.answer(answer).await
}
