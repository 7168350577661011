//! The forms of each getter: what follows `git::`, `hg::`, `s3::` and `gcs::`, and what
//! go-getter detects without one (`https://` archives, scp-like git, GitHub shorthand). Each
//! gives the getter, the URL it fetches and its ref, or why the form is refused.

use url::{Host, Url};

use super::Getter;

/// A getter, the URL it fetches and its ref (git `ref`, hg `rev`).
pub(super) type Parsed = (Getter, String, Option<String>);

/// The `?archive=` values go-getter unpacks.
const ARCHIVE_TYPES: [&str; 8] = ["zip", "tar.gz", "tgz", "tar.bz2", "tbz2", "tar.xz", "txz", "tar"];

/// Query parameters that carry credentials, refused in every form.
const CREDENTIAL_PARAMS: [&str; 4] =
    ["sshkey", "aws_access_key_id", "aws_access_key_secret", "aws_access_token"];

/// A location without a forced getter: an https archive, scp-like git, or GitHub shorthand.
pub(super) fn detect(src: &str) -> Result<Parsed, String> {
    if let Some(rest) = src.strip_prefix("github.com/") {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
            return Err("GitHub shorthand is github.com/owner/repo (put a subdirectory after //)".into());
        }
        let repo = parts[1].strip_suffix(".git").unwrap_or(parts[1]);
        return git(&format!(
            "https://github.com/{}/{repo}.git{}{query}",
            parts[0],
            if query.is_empty() { "" } else { "?" }
        ));
    }
    if src.starts_with("bitbucket.org/") {
        return Err("bitbucket.org/ shorthand needs Bitbucket's API to resolve; write git::https://bitbucket.org/owner/repo.git".into());
    }
    if is_scp_like(src) {
        return git(src);
    }
    if src.starts_with('/') || src.starts_with("./") || src.starts_with("../") || src.contains('\\') {
        return Err("a local path names the consumer's disk; register a URL".into());
    }
    let url = Url::parse(src).map_err(|e| {
        format!("not a URL ({e}); use an https:// archive, git::https://..., git::ssh://..., s3::https://... or gcs::https://...")
    })?;
    match url.scheme() {
        "https" | "http" => {}
        "git" => {
            return Err("git:// is unauthenticated and unencrypted; use git::https:// or git::ssh://".into())
        }
        "ssh" => return Err("write an ssh:// repository as git::ssh://".into()),
        "s3" | "gcs" | "gs" => {
            return Err(
                "write an object as s3::https://... or gcs::https://www.googleapis.com/storage/v1/...".into(),
            )
        }
        other => return Err(format!("{other}: URLs cannot be fetched by Terraform's module installer")),
    }
    check_web_url(&url)?;
    let mut kept = Vec::new();
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "archive" if !ARCHIVE_TYPES.contains(&value.as_ref()) => {
                return Err(format!(
                    "archive={value} is not an archive type; use one of {}",
                    ARCHIVE_TYPES.join(", ")
                ))
            }
            // go-getter's own parameters, not sent to the server.
            "archive" | "checksum" | "filename" => {}
            key if CREDENTIAL_PARAMS.contains(&key) => return Err(credentials(key)),
            _ => kept.push((key.into_owned(), value.into_owned())),
        }
    }
    Ok((Getter::Http, with_query(&url, &kept), None))
}

/// `git::` locations: `https://`, `http://` to loopback, `ssh://` (a user but no password), or
/// scp-like `user@host:path`.
pub(super) fn git(src: &str) -> Result<Parsed, String> {
    let (base, query) = src.split_once('?').unwrap_or((src, ""));
    let mut reference = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "ref" if value.is_empty() || value.starts_with('-') => {
                return Err("ref= names a branch, tag or commit (not empty, not starting with -)".into())
            }
            "ref" => reference = Some(value.into_owned()),
            "depth" if value.parse::<u32>().is_ok_and(|d| d > 0) => {}
            "depth" => return Err("depth= is a positive number".into()),
            key if CREDENTIAL_PARAMS.contains(&key) => return Err(credentials(key)),
            other => return Err(format!("{other}= is not a parameter of git locations; use ref= or depth=")),
        }
    }
    if is_scp_like(base) {
        let (user_host, path) = base.split_once(':').unwrap_or((base, ""));
        let host = user_host.rsplit('@').next().unwrap_or_default();
        if host.is_empty() || path.is_empty() || path.starts_with('/') && path.len() == 1 {
            return Err("an scp-like git location is user@host:path".into());
        }
        return Ok((Getter::Git, base.to_owned(), reference));
    }
    let url = Url::parse(base).map_err(|e| format!("not a git URL ({e}); use git::https://host/repo.git"))?;
    match url.scheme() {
        "https" | "http" => check_web_url(&url)?,
        "ssh" => {
            if url.password().is_some() {
                return Err(credentials("a password"));
            }
            if url.host_str().is_none_or(str::is_empty) {
                return Err("a git::ssh:// location names a host".into());
            }
        }
        "file" => return Err("git::file:// names a path on the consumer's machine".into()),
        other => return Err(format!("git::{other}:// is not supported; use git::https:// or git::ssh://")),
    }
    Ok((Getter::Git, base.to_owned(), reference))
}

/// `hg::https://host/repo?rev=`.
pub(super) fn hg(src: &str) -> Result<Parsed, String> {
    let url = Url::parse(src).map_err(|e| format!("not a URL ({e}); use hg::https://host/repo"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("hg:: locations are https:// URLs".into());
    }
    check_web_url(&url)?;
    let mut reference = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "rev" => reference = Some(value.into_owned()),
            other => return Err(format!("{other}= is not a parameter of hg locations; use rev=")),
        }
    }
    Ok((Getter::Mercurial, with_query(&url, &[]), reference))
}

/// `s3::https://...` and `gcs::https://www.googleapis.com/storage/v1/...`.
pub(super) fn object_store(src: &str, getter: Getter) -> Result<Parsed, String> {
    let name = getter.name();
    let url =
        Url::parse(src).map_err(|e| format!("not a URL ({e}); {name}:: is followed by an https:// URL"))?;
    if url.scheme() != "https" {
        return Err(format!("{name}:: is followed by an https:// URL"));
    }
    check_web_url(&url)?;
    if getter == Getter::Gcs
        && !(url.host_str() == Some("www.googleapis.com") && url.path().starts_with("/storage/v"))
    {
        return Err("gcs:: locations are https://www.googleapis.com/storage/v1/BUCKET/PATH".into());
    }
    let parts = url.path().split('/').filter(|p| !p.is_empty()).count();
    // Path-style S3 and GCS name the bucket in the path; virtual-hosted S3 in the host.
    let virtual_hosted = getter == Getter::S3 && url.host_str().is_some_and(|h| h.contains(".s3"));
    let needed = match getter {
        Getter::Gcs => 4, // storage, v1, bucket, object
        _ if virtual_hosted => 1,
        _ => 2,
    };
    if parts < needed {
        return Err(format!("a {name}:: location names a bucket and an object"));
    }
    for (key, _) in url.query_pairs() {
        match key.as_ref() {
            "version" | "region" | "archive" | "checksum" | "aws_profile" if getter == Getter::S3 => {}
            "archive" | "checksum" if getter == Getter::Gcs => {}
            key if CREDENTIAL_PARAMS.contains(&key) => return Err(credentials(key)),
            other => return Err(format!("{other}= is not a parameter of {name}:: locations")),
        }
    }
    Ok((getter, with_query(&url, &[]), None))
}

/// An `https://` (or loopback `http://`) URL with a host and no credentials.
fn check_web_url(url: &Url) -> Result<(), String> {
    if url.password().is_some() || !url.username().is_empty() {
        return Err(credentials("a user name or password"));
    }
    let host = url.host().ok_or("the URL names no host")?;
    if url.scheme() == "http" && !is_loopback(&host) {
        return Err(
            "plain http:// is refused (the code could be changed on the way); use https://, or http:// to a loopback address for a local mirror".into(),
        );
    }
    Ok(())
}

/// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// `user@host:path` (scp-like ssh), without a scheme.
fn is_scp_like(src: &str) -> bool {
    match src.split_once(':') {
        Some((user_host, _)) => {
            !user_host.contains('/') && user_host.contains('@') && !src[user_host.len()..].starts_with("://")
        }
        None => false,
    }
}

fn credentials(what: &str) -> String {
    format!(
        "{what} in a location would be served to every reader; leave credentials to the consumer's own configuration (git credential helper, ssh agent, AWS or Google environment)"
    )
}

/// `url` with its query replaced by `kept` (none: no query).
fn with_query(url: &Url, kept: &[(String, String)]) -> String {
    let mut url = url.clone();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}
