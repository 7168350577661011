//! Where a module version's code lives when it is registered as a location rather than
//! uploaded: the source address forms Terraform's module installer (go-getter) accepts, checked
//! when the version is registered so that every consumer's `terraform init` can use it.
//!
//! Accepted (each optionally with `//subdir` after the path, before the query):
//! - `https://host/path` archives, typed by the path's suffix or `?archive=` (`zip`, `tar.gz`,
//!   `tgz`, `tar.bz2`, `tbz2`, `tar.xz`, `txz`, `tar`), GitHub tarball and archive URLs among them;
//! - `git::https://host/repo.git`, `git::ssh://git@host/repo.git`, `git::git@host:repo.git` and
//!   `git@host:repo.git`, with `?ref=` and `?depth=`;
//! - `github.com/owner/repo` (which go-getter reads as `git::https://github.com/owner/repo.git`);
//! - `hg::https://host/repo` with `?rev=`;
//! - `s3::https://s3-region.amazonaws.com/bucket/key` (or an S3-compatible endpoint) with
//!   `?version=` and `?region=`; `gcs::https://www.googleapis.com/storage/v1/bucket/key`.
//!
//! Refused: local paths and `file::` (they name the consumer's disk), credentials in the URL
//! (a password, `sshkey=`, `aws_access_key_*`: they would be served to every reader), plain
//! `http://` and `git::http://` except to a loopback address (code fetched without TLS can be
//! changed on the way; loopback is for local mirrors and tests), `git://`, `oci://`,
//! `bitbucket.org/` shorthand (go-getter resolves it through Bitbucket's API), anything that is
//! not printable ASCII (the location is sent as a header), and a `..` or empty subdirectory
//! part. A `*` in the subdirectory (`//*`, GitHub tarballs' top folder) is accepted only for an
//! import: Terraform before 1.1 records the wrong module directory for a registry answer with
//! `//*` (see [`ModuleLocation::registrable`]).
//!
//! A parsed location keeps the text as given ([`ModuleLocation::as_str`]): the registry answers
//! it verbatim in `X-Terraform-Get`.

use std::fmt;

use url::{Host, Url};

/// The longest location, in bytes.
pub const MAX_LOCATION: usize = 2048;

/// The `?archive=` values go-getter unpacks.
const ARCHIVE_TYPES: [&str; 8] = ["zip", "tar.gz", "tgz", "tar.bz2", "tbz2", "tar.xz", "txz", "tar"];

/// Query parameters that carry credentials, refused in every form.
const CREDENTIAL_PARAMS: [&str; 4] =
    ["sshkey", "aws_access_key_id", "aws_access_key_secret", "aws_access_token"];

/// Why a location was refused. Each message names what is wrong and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid location {location:?}: {reason}")]
pub struct LocationError {
    /// The location as given (at most 80 characters of it).
    pub location: String,
    /// What is wrong with it.
    pub reason: String,
}

impl From<LocationError> for crate::Error {
    fn from(err: LocationError) -> Self {
        crate::Error::bad_request(err.to_string())
    }
}

/// Which go-getter getter fetches a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Getter {
    /// An archive over HTTPS (or HTTP to a loopback address).
    Http,
    /// A git repository (`git::`, scp-like `git@host:path`, `github.com/` shorthand).
    Git,
    /// A Mercurial repository (`hg::`).
    Mercurial,
    /// An S3 object (`s3::`).
    S3,
    /// A Google Cloud Storage object (`gcs::`).
    Gcs,
}

impl Getter {
    /// The getter's name as go-getter spells it.
    pub fn name(self) -> &'static str {
        match self {
            Getter::Http => "http",
            Getter::Git => "git",
            Getter::Mercurial => "hg",
            Getter::S3 => "s3",
            Getter::Gcs => "gcs",
        }
    }
}

/// A checked external location of a module version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleLocation {
    raw: String,
    getter: Getter,
    /// The URL the getter fetches: without the forced getter, the subdirectory, and go-getter's
    /// own query parameters (`ref`, `depth`, `archive`, ...); shorthands expanded.
    url: String,
    /// `ref` (git) or `rev` (hg).
    reference: Option<String>,
    subdir: Option<String>,
}

/// What the registry fetches to import a location (see [`ModuleLocation::import_source`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportSource {
    /// An archive to download with a plain `GET`.
    Archive {
        /// The archive's URL (`https://`, or `http://` to a loopback address).
        url: String,
    },
    /// A git repository to clone over HTTPS (or HTTP to a loopback address).
    Git {
        /// The repository's URL.
        url: String,
        /// The branch or tag to check out; the default branch when absent.
        reference: Option<String>,
    },
}

impl ImportSource {
    /// The URL fetched.
    pub fn url(&self) -> &str {
        match self {
            ImportSource::Archive { url } | ImportSource::Git { url, .. } => url,
        }
    }

    /// The host fetched from, lower-case, without its port.
    pub fn host(&self) -> String {
        Url::parse(self.url())
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default()
    }
}

impl ModuleLocation {
    /// Checks `raw` against the forms listed in the [module documentation](self).
    pub fn parse(raw: &str) -> Result<Self, LocationError> {
        let refuse = |reason: &str| LocationError {
            location: crate::types::truncate(raw).to_owned(),
            reason: reason.to_owned(),
        };
        if raw.is_empty() || raw.len() > MAX_LOCATION {
            return Err(refuse(&format!("a location is 1 to {MAX_LOCATION} bytes")));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(refuse(
                "a location is printable ASCII without spaces (percent-encode anything else); it is sent as a header",
            ));
        }
        let (forced, rest) = match raw.split_once("::") {
            Some((getter, rest))
                if !getter.is_empty() && getter.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                (Some(getter), rest)
            }
            _ => (None, raw),
        };
        let (package, subdir) = split_subdir(rest);
        let package = package.as_str();
        let subdir = subdir.map(|s| check_subdir(s).map_err(|r| refuse(&r))).transpose()?;
        let (getter, url, reference) = match forced {
            Some("git") => git(package),
            Some("hg") => hg(package),
            Some("s3") => object_store(package, Getter::S3),
            Some("gcs") => object_store(package, Getter::Gcs),
            Some("file") => Err("file:: names a path on the consumer's machine; register a URL".to_owned()),
            Some(other) => Err(format!(
                "{other}:: is not a getter a module may name; use git::, hg::, s3::, gcs:: or an https:// archive"
            )),
            None => detect(package),
        }
        .map_err(|r| refuse(&r))?;
        Ok(Self { raw: raw.to_owned(), getter, url, reference, subdir })
    }

    /// The location as given, which is what `X-Terraform-Get` answers.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The getter that fetches it.
    pub fn getter(&self) -> Getter {
        self.getter
    }

    /// The URL the getter fetches (shorthands expanded, the subdirectory and the getter's own
    /// query parameters removed).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The git `ref` or Mercurial `rev`, when given.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// The subdirectory of the package that holds the module (`//subdir`), when given.
    pub fn subdir(&self) -> Option<&str> {
        self.subdir.as_deref()
    }

    /// Whether it may be registered as it is: `Err` with the reason for a subdirectory with a
    /// `*` glob, which Terraform before 1.1 joins literally onto the registry's answer (it
    /// records the wrong module directory); import such a location instead.
    pub fn registrable(&self) -> Result<(), LocationError> {
        if self.subdir.as_deref().is_some_and(|s| s.contains('*')) {
            return Err(self.refused(
                "a `*` in the subdirectory is not installed reliably from a registry answer (Terraform before 1.1 records the wrong module directory); import it instead, which strips the top folder",
            ));
        }
        Ok(())
    }

    /// What the registry fetches to import it: an archive over HTTPS, or a git repository over
    /// HTTPS (HTTP only to a loopback address, as for registering). Other getters (ssh, s3,
    /// gcs, hg) need the consumer's own credentials and tools: register those instead.
    pub fn import_source(&self) -> Result<ImportSource, LocationError> {
        let scheme = self.url.split_once("://").map(|(s, _)| s);
        match (self.getter, scheme) {
            (Getter::Http, _) => Ok(ImportSource::Archive { url: self.url.clone() }),
            (Getter::Git, Some("https" | "http")) => {
                Ok(ImportSource::Git { url: self.url.clone(), reference: self.reference.clone() })
            }
            (getter, _) => Err(self.refused(&format!(
                "the registry imports https:// archives and git over https://, not {} locations; register it without importing",
                if getter == Getter::Git { "git over ssh" } else { getter.name() }
            ))),
        }
    }

    fn refused(&self, reason: &str) -> LocationError {
        LocationError { location: crate::types::truncate(&self.raw).to_owned(), reason: reason.to_owned() }
    }
}

impl fmt::Display for ModuleLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Splits `//subdir` off as go-getter's `SourceDirSubdir` does: the first `//` after the
/// scheme's `://` and before the query; the query stays with the package.
fn split_subdir(src: &str) -> (String, Option<&str>) {
    let stop = src.find('?').unwrap_or(src.len());
    let offset = src[..stop].find("://").map_or(0, |i| i + 3);
    let Some(at) = src[offset..stop].find("//").map(|i| i + offset) else {
        return (src.to_owned(), None);
    };
    let subdir = &src[at + 2..stop];
    (format!("{}{}", &src[..at], &src[stop..]), Some(subdir))
}

/// A subdirectory: relative `/`-separated parts, none empty, `.` or `..`, no backslashes; a
/// part may be `*` alone.
fn check_subdir(subdir: &str) -> Result<String, String> {
    let subdir = subdir.trim_end_matches('/');
    let bad = |part: &str| {
        part.is_empty()
            || part == "."
            || part == ".."
            || part.contains('\\')
            || (part.contains(['*', '?', '[']) && part != "*")
    };
    if subdir.is_empty() || subdir.split('/').any(bad) {
        return Err(format!(
            "the subdirectory {:?} must be a relative path without empty, `.` or `..` parts (a part may be `*`)",
            crate::types::truncate(subdir)
        ));
    }
    Ok(subdir.to_owned())
}

/// A location without a forced getter: an https archive, scp-like git, or GitHub shorthand.
fn detect(src: &str) -> Result<(Getter, String, Option<String>), String> {
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
fn git(src: &str) -> Result<(Getter, String, Option<String>), String> {
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
fn hg(src: &str) -> Result<(Getter, String, Option<String>), String> {
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
fn object_store(src: &str, getter: Getter) -> Result<(Getter, String, Option<String>), String> {
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
pub(crate) fn is_loopback(host: &Host<&str>) -> bool {
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

#[cfg(test)]
mod tests;
