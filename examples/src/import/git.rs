//! Fetching a git repository to import with the `git` CLI: one commit (`--depth 1`) of the
//! ref into a temporary folder, with a configuration of its own (no system or user config, no
//! prompts, no redirects, https and http only), then its tree packed as a `.tar.gz` without
//! `.git`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use tfreg_core::modules::external::fetch::FetchError;
use tokio::process::Command;
use tokio::time::Instant;

/// Fetches `reference` (the default branch when `None`) of the repository at `url` and packs
/// its tree; `credential` is an `Authorization` header value for that host.
pub(super) async fn fetch(
    url: &str,
    reference: Option<&str>,
    credential: Option<&str>,
    limit: u64,
    timeout: Duration,
) -> Result<Bytes, FetchError> {
    let scratch = tempfile::tempdir().map_err(|e| FetchError::Failed(format!("no temporary folder: {e}")))?;
    let (home, tree) = (scratch.path().join("home"), scratch.path().join("tree"));
    for dir in [&home, &tree] {
        std::fs::create_dir(dir).map_err(|e| FetchError::Failed(format!("no temporary folder: {e}")))?;
    }
    let deadline = Instant::now() + timeout;
    let tree_arg = tree.to_string_lossy().into_owned();
    run(&home, None, &["init", "-q", &tree_arg], "init", url, deadline).await?;
    let wanted = reference.unwrap_or("HEAD");
    let fetch = ["-C", &tree_arg, "fetch", "-q", "--depth", "1", "--no-tags", "--", url, wanted];
    run(&home, credential, &fetch, "fetch", url, deadline).await?;
    run(
        &home,
        None,
        &["-C", &tree_arg, "checkout", "-q", "--detach", "FETCH_HEAD"],
        "checkout",
        url,
        deadline,
    )
    .await?;
    let packed = tokio::task::spawn_blocking(move || {
        let files = crate::client::publish::files(&tree)?;
        crate::client::publish::pack(&tree, &files)
    })
    .await
    .map_err(|e| FetchError::Failed(format!("packing {url} failed: {e}")))?
    .map_err(|e| FetchError::Failed(format!("the tree of {url} at {wanted} cannot be packed: {e}")))?;
    if packed.len() as u64 > limit {
        return Err(FetchError::TooLarge(format!(
            "the tree of {url} at {wanted} packs to more than the limit of {limit} bytes"
        )));
    }
    Ok(Bytes::from(packed))
}

/// Runs `git args` with the importer's own configuration, by `deadline`; `what` and `url` name
/// it in errors (with the end of git's own message).
async fn run(
    home: &Path,
    credential: Option<&str>,
    args: &[&str],
    what: &str,
    url: &str,
    deadline: Instant,
) -> Result<(), FetchError> {
    let mut config = vec![
        ("http.followRedirects", "false"),
        ("protocol.allow", "never"),
        ("protocol.https.allow", "always"),
        ("protocol.http.allow", "always"),
        ("advice.detachedHead", "false"),
        ("init.defaultBranch", "main"),
    ];
    let header;
    if let Some(credential) = credential {
        header = format!("Authorization: {credential}");
        config.push(("http.extraHeader", &header));
    }
    let mut command = Command::new("git");
    command
        .args(args)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("GIT_CONFIG_COUNT", config.len().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (i, (key, value)) in config.iter().enumerate() {
        command.env(format!("GIT_CONFIG_KEY_{i}"), key).env(format!("GIT_CONFIG_VALUE_{i}"), value);
    }
    let output = tokio::time::timeout_at(deadline, command.output())
        .await
        .map_err(|_| FetchError::Timeout(format!("git {what} of {url} did not finish in time")))?
        .map_err(|e| FetchError::Failed(format!("cannot run git (is it installed?): {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(FetchError::Failed(format!("git {what} of {url} failed: {}", tail.join(" / "))));
    }
    Ok(())
}
