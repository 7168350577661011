//! Terraform module and provider versions.
//!
//! [`Version::parse`] accepts the version strings that HashiCorp's `go-version` library (which
//! the Terraform CLI uses for module versions) accepts in a registry, restricted so that the
//! stored form is always valid [Semantic Versioning 2.0.0](https://semver.org/):
//!
//! * an optional leading `v`;
//! * one to three dot-separated numeric parts, each fitting in a `u64`; missing parts are zero
//!   (`1` is `1.0.0`, `1.2` is `1.2.0`) and leading zeros are dropped (`01.002` is `1.2.0`);
//! * an optional pre-release after `-`: dot-separated, non-empty identifiers of ASCII letters,
//!   digits and `-`, where a purely numeric identifier has no leading zero;
//! * optional build metadata after `+`: the same identifiers, leading zeros allowed.
//!
//! The [`Display`](fmt::Display) form is the normalised one (`1.2.0`, `1.2.0-beta.1`,
//! `1.2.0+build.5`), which is what the Terraform CLI puts in download paths. Ordering and
//! equality follow semver precedence and ignore build metadata, as `go-version` does: `1.0.0+a`
//! equals `1.0.0+b`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Terraform module or provider version, normalised to semver.
///
/// Equality, ordering and hashing follow semver precedence and ignore build metadata; the
/// build metadata is still kept and shown by [`Display`](fmt::Display).
#[derive(Clone)]
pub struct Version {
    inner: semver::Version,
}

/// Why a version string was rejected. Its [`Display`](fmt::Display) form is a message for the
/// person who wrote the version, quoting it: `invalid version "1..2": empty numeric part`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid version {quoted}: {reason}")]
pub struct VersionError {
    quoted: String,
    reason: String,
}

impl VersionError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        Self { quoted: quote(input), reason: reason.into() }
    }

    /// What is wrong with the version, without the quoted input (e.g. `empty numeric part`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Quotes user input for an error message: escaped like a Rust string literal, and cut short
/// (with the full length noted) when it is long.
pub(crate) fn quote(input: &str) -> String {
    const SHOWN: usize = 64;
    if input.len() <= SHOWN {
        return format!("{input:?}");
    }
    let mut end = SHOWN;
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}... ({} bytes)", &input[..end], input.len())
}

impl Version {
    /// The longest version string accepted, in bytes, both as written and once normalised.
    pub const MAX_LEN: usize = 128;

    /// Parses a version as written in a registry or a constraint: `1`, `1.2`, `v1.2.3`,
    /// `1.2.3-beta.1`, `1.2.3+build.5`. See the [module documentation](self) for the rules.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        parse_written(input).map(|(version, _)| version)
    }

    /// The release version `major.minor.patch`.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self { inner: semver::Version::new(major, minor, patch) }
    }

    /// The major version number.
    pub fn major(&self) -> u64 {
        self.inner.major
    }

    /// The minor version number.
    pub fn minor(&self) -> u64 {
        self.inner.minor
    }

    /// The patch version number.
    pub fn patch(&self) -> u64 {
        self.inner.patch
    }

    /// Whether this is a pre-release such as `1.0.0-beta`.
    pub fn is_prerelease(&self) -> bool {
        !self.inner.pre.is_empty()
    }

    /// The pre-release without its leading `-` (`beta.1` for `1.0.0-beta.1`), or `""`.
    pub fn prerelease(&self) -> &str {
        self.inner.pre.as_str()
    }

    /// The build metadata without its leading `+` (`build.5` for `1.0.0+build.5`), or `""`.
    pub fn build(&self) -> &str {
        self.inner.build.as_str()
    }

    /// The underlying semver version, build metadata included.
    pub fn as_semver(&self) -> &semver::Version {
        &self.inner
    }

    /// Whether `major.minor.patch` are the same in both, whatever the pre-release and build.
    pub(crate) fn same_core(&self, other: &Self) -> bool {
        self.core() == other.core()
    }

    /// `[major, minor, patch]`.
    pub(crate) fn core(&self) -> [u64; 3] {
        [self.inner.major, self.inner.minor, self.inner.patch]
    }
}

/// Parses a version and also returns how many numeric parts were written (1 to 3), which the
/// pessimistic constraint operator `~>` depends on.
pub(crate) fn parse_written(input: &str) -> Result<(Version, u8), VersionError> {
    let fail = |reason: String| Err(VersionError::new(input, reason));
    if input.is_empty() {
        return fail("empty string; expected a version such as \"1.2.0\"".into());
    }
    if input.len() > Version::MAX_LEN {
        return fail(format!("too long: {} bytes, at most {} are allowed", input.len(), Version::MAX_LEN));
    }
    if input.starts_with(char::is_whitespace) || input.ends_with(char::is_whitespace) {
        return fail("leading or trailing whitespace".into());
    }
    let body = input.strip_prefix('v').unwrap_or(input);
    if body.is_empty() {
        return fail("no version number after the \"v\" prefix".into());
    }
    let (rest, build) = match body.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (body, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };

    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return fail(format!(
            "too many numeric parts ({}); at most three (major.minor.patch) are allowed",
            parts.len()
        ));
    }
    let mut numbers = [0u64; 3];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        if part.is_empty() {
            return fail("empty numeric part".into());
        }
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            let digits = part.bytes().take_while(u8::is_ascii_digit).count();
            let hint = if digits > 0 && part[digits..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                "; a pre-release must follow a \"-\", as in \"1.0.0-beta\""
            } else {
                ""
            };
            return fail(format!("numeric part {part:?} is not a number{hint}"));
        }
        *slot = match part.parse() {
            Ok(n) => n,
            Err(_) => return fail(format!("numeric part {part:?} is too large (over {})", u64::MAX)),
        };
    }

    let pre = match pre {
        None => semver::Prerelease::EMPTY,
        Some(pre) => {
            if let Err(reason) = check_identifiers(pre, "pre-release", '-', true) {
                return fail(reason);
            }
            match semver::Prerelease::new(pre) {
                Ok(pre) => pre,
                Err(err) => return fail(format!("invalid pre-release {pre:?}: {err}")),
            }
        }
    };
    let build = match build {
        None => semver::BuildMetadata::EMPTY,
        Some(build) => {
            if let Err(reason) = check_identifiers(build, "build metadata", '+', false) {
                return fail(reason);
            }
            match semver::BuildMetadata::new(build) {
                Ok(build) => build,
                Err(err) => return fail(format!("invalid build metadata {build:?}: {err}")),
            }
        }
    };

    let [major, minor, patch] = numbers;
    let version = Version { inner: semver::Version { major, minor, patch, pre, build } };
    let normalised = version.to_string();
    if normalised.len() > Version::MAX_LEN {
        return fail(format!(
            "too long once normalised to {normalised:?}: {} bytes, at most {} are allowed",
            normalised.len(),
            Version::MAX_LEN
        ));
    }
    // At most three parts were split off above, so this cannot truncate.
    Ok((version, parts.len() as u8))
}

/// Checks dot-separated semver identifiers (pre-release or build metadata).
fn check_identifiers(text: &str, what: &str, separator: char, no_leading_zero: bool) -> Result<(), String> {
    if text.is_empty() {
        return Err(format!("empty {what} after {separator:?}"));
    }
    for identifier in text.split('.') {
        if identifier.is_empty() {
            return Err(format!("empty {what} identifier in {text:?}"));
        }
        if let Some(bad) = identifier.chars().find(|&c| !(c.is_ascii_alphanumeric() || c == '-')) {
            return Err(format!(
                "{what} {text:?} contains {bad:?}; only ASCII letters, digits, '-' and '.' are allowed"
            ));
        }
        if no_leading_zero
            && identifier.len() > 1
            && identifier.starts_with('0')
            && identifier.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!(
                "numeric {what} identifier {identifier:?} has a leading zero, which semver forbids"
            ));
        }
    }
    Ok(())
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({:?})", self.inner.to_string())
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.inner.cmp_precedence(&other.inner)
    }
}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Precedence-equal versions have the same numbers and the same pre-release text:
        // identifiers are compared numerically only when purely numeric, and those cannot
        // have leading zeros, so equal precedence means equal text.
        self.core().hash(state);
        self.inner.pre.as_str().hash(state);
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.inner)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VersionVisitor;

        impl Visitor<'_> for VersionVisitor {
            type Value = Version;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a version string such as \"1.2.0\"")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Version, E> {
                Version::parse(value).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(VersionVisitor)
    }
}

#[cfg(test)]
mod tests;
