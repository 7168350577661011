//! The names an OCI distribution request carries: the repository (which provider or module),
//! and a manifest reference (a tag or a digest), each checked when parsed.

use std::fmt;

use super::errors::ErrorCode;
use crate::types::{ModuleAddress, ProviderAddress, Version};
use crate::{Error, Result};

/// An OCI repository this registry serves: one per provider or module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repository {
    /// `providers/{ns}/{type}`: one of this registry's own providers.
    Provider(ProviderAddress),
    /// `mirror/{host}/{ns}/{type}`: a provider by its source address's host (imported or pinned
    /// ones, or this registry's own under one of its host names, as the network mirror serves).
    Mirror(ProviderAddress),
    /// `modules/{ns}/{name}/{system}`: a module.
    Module(ModuleAddress),
}

impl Repository {
    /// Reads a repository name from its `/`-separated parts: `NAME_UNKNOWN` for a name this
    /// registry does not serve, `NAME_INVALID` for a malformed address in one it does.
    pub fn parse(parts: &[&str]) -> Result<Self> {
        let invalid = |err: Error| Error::oci(ErrorCode::NameInvalid, err.to_string());
        match parts {
            ["providers", ns, ty] => ProviderAddress::local(ns, ty).map(Self::Provider).map_err(invalid),
            ["mirror", host, ns, ty] => {
                ProviderAddress::on_host(host, ns, ty).map(Self::Mirror).map_err(invalid)
            }
            ["modules", ns, name, system] => {
                ModuleAddress::parse(ns, name, system).map(Self::Module).map_err(invalid)
            }
            _ => Err(Error::oci(
                ErrorCode::NameUnknown,
                format!(
                    "no repository {:?} here: repositories are providers/{{ns}}/{{type}}, mirror/{{host}}/{{ns}}/{{type}} and modules/{{ns}}/{{name}}/{{system}}",
                    crate::types::truncate(&parts.join("/"))
                ),
            )),
        }
    }

    /// The audit action of publishing to it by a push.
    pub fn publish_action(&self) -> &'static str {
        match self {
            Self::Provider(_) | Self::Mirror(_) => "provider.publish",
            Self::Module(_) => "module.publish",
        }
    }

    /// The namespace reads of it are authorized in.
    pub fn namespace(&self) -> &str {
        match self {
            Self::Provider(addr) | Self::Mirror(addr) => addr.namespace.key(),
            Self::Module(addr) => addr.namespace.key(),
        }
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Provider(addr) => write!(f, "providers/{}/{}", addr.namespace.key(), addr.r#type),
            Self::Mirror(addr) => write!(f, "mirror/{}/{}/{}", addr.host, addr.namespace.key(), addr.r#type),
            Self::Module(addr) => write!(f, "modules/{}", addr.key()),
        }
    }
}

/// A content digest: `sha256:` and 64 lower-case hex digits (the only algorithm served).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    hex: String,
}

impl Digest {
    /// Parses `sha256:<hex>`: `DIGEST_INVALID` otherwise.
    pub fn parse(value: &str) -> Result<Self> {
        let invalid = || {
            Error::oci(
                ErrorCode::DigestInvalid,
                format!(
                    "{:?} is not a sha256 digest (sha256:<64 hex digits>)",
                    crate::types::truncate(value)
                ),
            )
        };
        let hex = value.strip_prefix("sha256:").ok_or_else(invalid)?;
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid());
        }
        Ok(Self { hex: hex.to_owned() })
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest as _;
        Self { hex: hex::encode(sha2::Sha256::digest(bytes)) }
    }

    /// The digest whose SHA-256 is `hex` (lower-case, as the indexes keep it).
    pub(crate) fn from_hex(hex: &str) -> Self {
        Self { hex: hex.to_owned() }
    }

    /// The lower-case hex SHA-256.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

/// What a manifest request names: a tag or a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// A tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    Tag(String),
    /// A digest.
    Digest(Digest),
}

impl Reference {
    /// Parses a tag or a digest; a name that is neither is `MANIFEST_UNKNOWN` (no tag has it).
    pub fn parse(value: &str) -> Result<Self> {
        if value.contains(':') {
            return Digest::parse(value).map(Self::Digest);
        }
        let bytes = value.as_bytes();
        let first = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let rest = |b: &u8| b.is_ascii_alphanumeric() || matches!(*b, b'_' | b'.' | b'-');
        let valid = bytes.first().is_some_and(first) && bytes.len() <= 128 && bytes[1..].iter().all(rest);
        if !valid {
            return Err(Error::oci(
                ErrorCode::ManifestUnknown,
                format!("{:?} is not a tag", crate::types::truncate(value)),
            ));
        }
        Ok(Self::Tag(value.to_owned()))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tag(tag) => f.write_str(tag),
            Self::Digest(digest) => digest.fmt(f),
        }
    }
}

/// The version a tag names: the tag with `+` in place of `_` (see [`version_tag`]); `None`
/// when it is no version (`latest`).
pub fn tag_version(tag: &str) -> Option<Version> {
    Version::parse(&tag.replace('_', "+")).ok()
}

/// The tag of a version: the version with `_` in place of `+`, as OpenTofu looks it up (OCI
/// tags cannot hold a `+`).
pub fn version_tag(version: &Version) -> String {
    version.to_string().replace('+', "_")
}
