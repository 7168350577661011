//! Provider platforms: an operating system and a CPU architecture.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::InvalidValue;

/// Longest accepted operating system or architecture name.
const MAX_PART_LEN: usize = 32;

/// The platform a provider package is built for, such as `linux_amd64`.
///
/// Terraform knows the operating systems `linux`, `darwin`, `windows`,
/// `freebsd`, `openbsd`, `netbsd` and `solaris` and the architectures
/// `amd64`, `arm64`, `386` and `arm`, but the registry does not keep a list,
/// so that packages for new platforms can be published without an upgrade.
/// Instead both parts are checked against a pattern that every Go `GOOS` and
/// `GOARCH` value fits:
///
/// - `os`: `^[a-z][a-z0-9]{0,31}$`: a lower-case letter, then lower-case
///   letters and digits, at most 32 characters;
/// - `arch`: `^[a-z0-9]{1,32}$`: lower-case letters and digits, at most 32
///   characters (it may start with a digit, as `386` does).
///
/// Neither part may contain `_`, so the joined form `{os}_{arch}` always
/// splits back unambiguously.
///
/// The fields are public for convenience; values built with
/// [`Platform::new`], [`Platform::parse`], [`str::parse`] or deserialized
/// are always valid. Serializes as `{"os": "linux", "arch": "amd64"}`, the
/// shape the provider registry protocol uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Platform {
    /// The operating system, e.g. `linux`.
    pub os: String,
    /// The CPU architecture, e.g. `amd64`.
    pub arch: String,
}

impl Platform {
    /// Checks and builds a platform from its two parts.
    ///
    /// ```
    /// # use tfreg_core::types::Platform;
    /// let platform = Platform::new("linux", "amd64").unwrap();
    /// assert_eq!(platform.to_string(), "linux_amd64");
    /// assert!(Platform::new("Linux", "amd64").is_err());
    /// ```
    pub fn new(os: &str, arch: &str) -> Result<Platform, InvalidValue> {
        check_part("os", os, true)?;
        check_part("arch", arch, false)?;
        Ok(Platform { os: os.to_owned(), arch: arch.to_owned() })
    }

    /// Parses the joined form `{os}_{arch}`, e.g. `linux_amd64`.
    pub fn parse(joined: &str) -> Result<Platform, InvalidValue> {
        let Some((os, arch)) = joined.split_once('_') else {
            return Err(InvalidValue::Platform {
                field: "name",
                value: joined.to_owned(),
                reason: "expected {os}_{arch}, like linux_amd64",
            });
        };
        Platform::new(os, arch)
    }

    /// Whether this platform is Windows, whose provider executables end in
    /// `.exe`.
    pub fn is_windows(&self) -> bool {
        self.os == "windows"
    }
}

/// Checks one part of a platform against the pattern documented on
/// [`Platform`].
fn check_part(field: &'static str, value: &str, letter_first: bool) -> Result<(), InvalidValue> {
    let refuse = |reason| Err(InvalidValue::Platform { field, value: value.to_owned(), reason });
    if value.is_empty() {
        return refuse("must not be empty");
    }
    if value.len() > MAX_PART_LEN {
        return refuse("must be at most 32 characters long");
    }
    if !value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return refuse("may only contain lower-case letters a-z and digits");
    }
    if letter_first && !value.as_bytes()[0].is_ascii_lowercase() {
        return refuse("must start with a letter");
    }
    Ok(())
}

impl fmt::Display for Platform {
    /// Writes the joined form `{os}_{arch}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.os, self.arch)
    }
}

impl FromStr for Platform {
    type Err = InvalidValue;

    /// Same as [`Platform::parse`].
    fn from_str(joined: &str) -> Result<Platform, InvalidValue> {
        Platform::parse(joined)
    }
}

impl<'de> Deserialize<'de> for Platform {
    /// Reads `{"os": …, "arch": …}` and checks both parts.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Platform, D::Error> {
        #[derive(Deserialize)]
        struct Parts {
            os: String,
            arch: String,
        }
        let parts = Parts::deserialize(deserializer)?;
        Platform::new(&parts.os, &parts.arch).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use serde::de::value::{Error as ValueError, MapDeserializer};
    use serde::de::IntoDeserializer;

    use super::*;

    #[test]
    fn parses_and_displays() {
        let platform = Platform::parse("linux_amd64").unwrap();
        assert_eq!(platform, Platform { os: "linux".into(), arch: "amd64".into() });
        assert_eq!(platform.to_string(), "linux_amd64");
        assert_eq!(Platform::new("linux", "amd64").unwrap(), platform);
        assert_eq!("linux_amd64".parse::<Platform>().unwrap(), platform);
        assert!(!platform.is_windows());
        assert!(Platform::parse("windows_386").unwrap().is_windows());
    }

    #[test]
    fn accepts_every_known_platform_and_future_ones() {
        for os in ["linux", "darwin", "windows", "freebsd", "openbsd", "netbsd", "solaris", "plan9", "wasip1"]
        {
            for arch in ["amd64", "arm64", "386", "arm", "riscv64", "mips64le", "s390x", "loong64"] {
                let platform = Platform::new(os, arch).unwrap();
                assert_eq!(Platform::parse(&platform.to_string()).unwrap(), platform);
            }
        }
    }

    #[test]
    fn refuses_malformed_platforms() {
        let refused = |joined: &str| Platform::parse(joined).unwrap_err();
        for joined in [
            "",
            "Linux_amd64",
            "linux_AMD64",
            "linux-amd64",
            "linux",
            "_amd64",
            "linux_",
            "linux_amd_64",
            "386_amd64",
            "linux _amd64",
            "linüx_amd64",
        ] {
            assert!(matches!(refused(joined), InvalidValue::Platform { .. }), "{joined:?}");
        }
        assert_eq!(
            Platform::new("Linux", "amd64").unwrap_err().to_string(),
            "invalid platform os \"Linux\": may only contain lower-case letters a-z and digits"
        );
        assert_eq!(
            refused("linux-amd64").to_string(),
            "invalid platform name \"linux-amd64\": expected {os}_{arch}, like linux_amd64"
        );
        assert_eq!(
            Platform::new("", "amd64").unwrap_err().to_string(),
            "invalid platform os \"\": must not be empty"
        );
        assert!(Platform::new("a".repeat(32).as_str(), "b".repeat(32).as_str()).is_ok());
        assert!(Platform::new("a".repeat(33).as_str(), "amd64").is_err());
        assert!(Platform::new("linux", "b".repeat(33).as_str()).is_err());
    }

    #[test]
    fn deserializes_with_validation() {
        let from = |os: &str, arch: &str| {
            let map = vec![("os", os), ("arch", arch)].into_iter().map(|(k, v)| (k, v.into_deserializer()));
            Platform::deserialize(MapDeserializer::<_, ValueError>::new(map))
        };
        assert_eq!(from("darwin", "arm64").unwrap(), Platform::parse("darwin_arm64").unwrap());
        let err = from("Darwin", "arm64").unwrap_err();
        assert!(err.to_string().contains("invalid platform os \"Darwin\""), "{err}");
    }
}
