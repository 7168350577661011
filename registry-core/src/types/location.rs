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

use url::Url;

use getters::{detect, git, hg, object_store};

mod getters;

/// The longest location, in bytes.
pub const MAX_LOCATION: usize = 2048;

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

#[cfg(test)]
mod tests;
