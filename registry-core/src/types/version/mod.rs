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
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashSet;

    use proptest::prelude::*;
    use serde::de::value::{Error as ValueError, StrDeserializer};
    use serde::de::IntoDeserializer;

    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn hash_of(v: &Version) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn accepts_and_normalises() {
        let cases = [
            ("1.2.3", "1.2.3", 3),
            ("v1.2.3", "1.2.3", 3),
            ("1", "1.0.0", 1),
            ("1.2", "1.2.0", 2),
            ("v1", "1.0.0", 1),
            ("0.0.0", "0.0.0", 3),
            ("01.002.0003", "1.2.3", 3),
            ("00", "0.0.0", 1),
            ("1.2.0-beta", "1.2.0-beta", 3),
            ("1.2-beta.1", "1.2.0-beta.1", 2),
            ("1-rc-1", "1.0.0-rc-1", 1),
            ("1.0.0-0", "1.0.0-0", 3),
            ("1.0.0-0a", "1.0.0-0a", 3),
            ("1.0.0--", "1.0.0--", 3),
            ("1.0.0-x.7.z.92", "1.0.0-x.7.z.92", 3),
            ("1.2.0+build.5", "1.2.0+build.5", 3),
            ("1.2.0+001", "1.2.0+001", 3),
            ("1.2.0-beta.1+build-5.x", "1.2.0-beta.1+build-5.x", 3),
            ("v2+meta", "2.0.0+meta", 1),
            ("18446744073709551615.0.1", "18446744073709551615.0.1", 3),
        ];
        for (input, display, parts) in cases {
            let (parsed, written) = parse_written(input).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.to_string(), display, "{input}");
            assert_eq!(written, parts, "{input}");
            assert_eq!(semver::Version::parse(display).unwrap(), *parsed.as_semver(), "{input}");
            assert_eq!(input.parse::<Version>().unwrap(), parsed);
        }
    }

    #[test]
    fn rejects_with_messages() {
        let long = format!("1.0.0-{}", "a".repeat(123));
        let padded = format!("1-{}", "a".repeat(124));
        let cases: Vec<(&str, String)> = vec![
            ("", r#"invalid version "": empty string; expected a version such as "1.2.0""#.into()),
            ("1..2", r#"invalid version "1..2": empty numeric part"#.into()),
            (".1", r#"invalid version ".1": empty numeric part"#.into()),
            ("1.", r#"invalid version "1.": empty numeric part"#.into()),
            ("-beta", r#"invalid version "-beta": empty numeric part"#.into()),
            (
                "1.2.3.4",
                r#"invalid version "1.2.3.4": too many numeric parts (4); at most three (major.minor.patch) are allowed"#.into(),
            ),
            (" 1.0.0", r#"invalid version " 1.0.0": leading or trailing whitespace"#.into()),
            ("1.0.0\n", r#"invalid version "1.0.0\n": leading or trailing whitespace"#.into()),
            ("v", r#"invalid version "v": no version number after the "v" prefix"#.into()),
            ("vv1", r#"invalid version "vv1": numeric part "v1" is not a number"#.into()),
            ("V1", r#"invalid version "V1": numeric part "V1" is not a number"#.into()),
            ("1.x", r#"invalid version "1.x": numeric part "x" is not a number"#.into()),
            (
                "1.0.0beta",
                r#"invalid version "1.0.0beta": numeric part "0beta" is not a number; a pre-release must follow a "-", as in "1.0.0-beta""#.into(),
            ),
            (
                "18446744073709551616",
                r#"invalid version "18446744073709551616": numeric part "18446744073709551616" is too large (over 18446744073709551615)"#.into(),
            ),
            ("1.0.0-", r#"invalid version "1.0.0-": empty pre-release after '-'"#.into()),
            (
                "1.0.0-a..b",
                r#"invalid version "1.0.0-a..b": empty pre-release identifier in "a..b""#.into(),
            ),
            (
                "1.0.0-beta_1",
                r#"invalid version "1.0.0-beta_1": pre-release "beta_1" contains '_'; only ASCII letters, digits, '-' and '.' are allowed"#.into(),
            ),
            (
                "1.0.0-01",
                r#"invalid version "1.0.0-01": numeric pre-release identifier "01" has a leading zero, which semver forbids"#.into(),
            ),
            ("1.0.0+", r#"invalid version "1.0.0+": empty build metadata after '+'"#.into()),
            (
                "1.0.0+a+b",
                r#"invalid version "1.0.0+a+b": build metadata "a+b" contains '+'; only ASCII letters, digits, '-' and '.' are allowed"#.into(),
            ),
            (
                "1.0.0+a.",
                r#"invalid version "1.0.0+a.": empty build metadata identifier in "a.""#.into(),
            ),
            (
                "1.0.0-é",
                r#"invalid version "1.0.0-é": pre-release "é" contains 'é'; only ASCII letters, digits, '-' and '.' are allowed"#.into(),
            ),
            (
                &long,
                format!(
                    "invalid version {:?}... (129 bytes): too long: 129 bytes, at most 128 are allowed",
                    &long[..64]
                ),
            ),
            (
                &padded,
                format!(
                    "invalid version {:?}... (126 bytes): too long once normalised to {:?}: 130 bytes, at most 128 are allowed",
                    &padded[..64],
                    format!("1.0.0-{}", "a".repeat(124)),
                ),
            ),
        ];
        for (input, message) in cases {
            let err = Version::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input:?}");
            assert!(message.ends_with(err.reason()));
        }
    }

    #[test]
    fn max_len_boundary() {
        let at_limit = format!("1.0.0-{}", "a".repeat(Version::MAX_LEN - 6));
        assert_eq!(at_limit.len(), Version::MAX_LEN);
        assert_eq!(v(&at_limit).to_string(), at_limit);
    }

    #[test]
    fn quote_cuts_at_char_boundary() {
        let input = format!("{}é", "a".repeat(63));
        assert_eq!(quote(&input), format!("{:?}... (65 bytes)", "a".repeat(63)));
    }

    #[test]
    fn equality_ignores_build_metadata() {
        let (a, b) = (v("1.0.0+a"), v("1.0.0+b"));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_eq!(a.build(), "a");
        assert_eq!(b.to_string(), "1.0.0+b");
        let set: HashSet<Version> = [a, b, v("1.0"), v("v1")].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn ordering_is_semver_precedence() {
        let ordered = [
            "0.9.9",
            "1.0.0-0",
            "1.0.0-1",
            "1.0.0-10",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.2",
            "1.10.0",
            "2",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn accessors() {
        let x = v("v1.2.3-rc.1+b.7");
        assert_eq!((x.major(), x.minor(), x.patch()), (1, 2, 3));
        assert!(x.is_prerelease());
        assert_eq!(x.prerelease(), "rc.1");
        assert_eq!(x.build(), "b.7");
        assert_eq!(x.as_semver().to_string(), "1.2.3-rc.1+b.7");
        assert!(!v("1.2.3+b").is_prerelease());
        assert_eq!(Version::new(1, 2, 3), v("1.2.3"));
        assert_eq!(format!("{:?}", x), r#"Version("1.2.3-rc.1+b.7")"#);
        assert!(x.same_core(&v("1.2.3")));
    }

    #[test]
    fn deserializes_from_a_string() {
        let de: StrDeserializer<'_, ValueError> = "v1.2".into_deserializer();
        assert_eq!(Version::deserialize(de).unwrap().to_string(), "1.2.0");
        let de: StrDeserializer<'_, ValueError> = "1..2".into_deserializer();
        let err = Version::deserialize(de).unwrap_err();
        assert_eq!(err.to_string(), r#"invalid version "1..2": empty numeric part"#);
    }

    /// A valid version as written (with optional `v`, short forms and leading zeros) and the
    /// normalised form it must display as.
    fn written_version() -> impl Strategy<Value = (String, String)> {
        let number = prop_oneof![0u64..5, any::<u64>()];
        let identifier = |numeric_leading_zero_ok: bool| {
            "[0-9A-Za-z-]{1,6}".prop_map(move |id: String| {
                if !numeric_leading_zero_ok && id.bytes().all(|b| b.is_ascii_digit()) {
                    let trimmed = id.trim_start_matches('0');
                    if trimmed.is_empty() {
                        "0".to_owned()
                    } else {
                        trimmed.to_owned()
                    }
                } else {
                    id
                }
            })
        };
        (
            any::<bool>(),
            prop::collection::vec((number, 0usize..3), 1..=3),
            prop::option::of(prop::collection::vec(identifier(false), 1..4)),
            prop::option::of(prop::collection::vec(identifier(true), 1..4)),
        )
            .prop_map(|(v_prefix, nums, pre, build)| {
                let mut written = String::from(if v_prefix { "v" } else { "" });
                let written_nums: Vec<String> =
                    nums.iter().map(|(n, zeros)| format!("{}{n}", "0".repeat(*zeros))).collect();
                written.push_str(&written_nums.join("."));
                let mut full: Vec<u64> = nums.iter().map(|(n, _)| *n).collect();
                full.resize(3, 0);
                let mut normal = format!("{}.{}.{}", full[0], full[1], full[2]);
                if let Some(pre) = pre {
                    written.push('-');
                    written.push_str(&pre.join("."));
                    normal.push('-');
                    normal.push_str(&pre.join("."));
                }
                if let Some(build) = build {
                    written.push('+');
                    written.push_str(&build.join("."));
                    normal.push('+');
                    normal.push_str(&build.join("."));
                }
                (written, normal)
            })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip((written, normal) in written_version()) {
            let parsed = Version::parse(&written).unwrap();
            prop_assert_eq!(parsed.to_string(), normal.clone());
            let again = Version::parse(&parsed.to_string()).unwrap();
            prop_assert_eq!(&again, &parsed);
            prop_assert_eq!(again.as_semver(), parsed.as_semver());
            prop_assert_eq!(semver::Version::parse(&normal).unwrap(), parsed.as_semver().clone());
        }

        #[test]
        fn ordering_agrees_with_semver((a, _) in written_version(), (b, _) in written_version()) {
            let (a, b) = (Version::parse(&a).unwrap(), Version::parse(&b).unwrap());
            prop_assert_eq!(a.cmp(&b), a.as_semver().cmp_precedence(b.as_semver()));
            prop_assert_eq!(a == b, a.as_semver().cmp_precedence(b.as_semver()).is_eq());
            if a == b {
                prop_assert_eq!(hash_of(&a), hash_of(&b));
            }
            // Build metadata never changes precedence.
            let shown = a.to_string();
            let stripped = Version::parse(shown.split('+').next().unwrap()).unwrap();
            prop_assert_eq!(stripped.cmp(&b), a.cmp(&b));
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,40}") {
            if let Ok(parsed) = Version::parse(&input) {
                prop_assert_eq!(Version::parse(&parsed.to_string()).unwrap(), parsed);
            }
        }
    }
}
