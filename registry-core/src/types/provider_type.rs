//! Provider type names and the package file names built from them.

use super::{InvalidValue, Platform};

/// Longest accepted provider type name.
const MAX_TYPE_LEN: usize = 64;

/// Checks a provider type name, the last part of an address such as
/// `hashicorp/null`.
///
/// Accepted names are 1 to 64 characters of lower-case ASCII letters, digits
/// and dashes, neither starting nor ending with a dash and without two dashes
/// in a row. Terraform itself also refuses leading, trailing and doubled
/// dashes; it folds upper case to lower case and accepts some non-ASCII
/// letters, but a registry only ever serves the canonical lower-case ASCII
/// form, so anything else is refused rather than folded.
///
/// ```
/// # use tfreg_core::types::validate_type;
/// assert!(validate_type("null").is_ok());
/// assert!(validate_type("google-beta").is_ok());
/// assert!(validate_type("Null").is_err());
/// ```
pub fn validate_type(name: &str) -> Result<(), InvalidValue> {
    let refuse = |reason| Err(InvalidValue::ProviderType { name: name.to_owned(), reason });
    if name.is_empty() {
        return refuse("must not be empty");
    }
    if name.len() > MAX_TYPE_LEN {
        return refuse("must be at most 64 characters long");
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return refuse("must be lower-case");
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return refuse("may only contain lower-case letters a-z, digits and dashes");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return refuse("must not start or end with a dash");
    }
    if name.contains("--") {
        return refuse("must not contain two dashes in a row");
    }
    Ok(())
}

/// The conventional file name of a provider package,
/// `terraform-provider-{type}_{version}_{os}_{arch}.zip`.
///
/// The parts are not checked: pass a type name accepted by
/// [`validate_type`] and a version already parsed as semver (without a
/// leading `v`).
///
/// ```
/// # use tfreg_core::types::{package_filename, Platform};
/// let platform = Platform::parse("linux_amd64").unwrap();
/// assert_eq!(package_filename("null", "2.1.2", &platform), "terraform-provider-null_2.1.2_linux_amd64.zip");
/// ```
pub fn package_filename(type_: &str, version: &str, platform: &Platform) -> String {
    format!("terraform-provider-{type_}_{version}_{platform}.zip")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_types() {
        for name in ["null", "a", "0", "aws", "google-beta", "a-b-c", "x509", &"a".repeat(64)] {
            assert_eq!(validate_type(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn refuses_malformed_types() {
        for name in
            ["", "-a", "a-", "-", "A", "Null", "a_b", "a.b", "a b", "a--b", "nüll", "a/b", &"a".repeat(65)]
        {
            assert!(matches!(validate_type(name), Err(InvalidValue::ProviderType { .. })), "{name:?}");
        }
        assert_eq!(
            validate_type("a_b").unwrap_err().to_string(),
            "invalid provider type \"a_b\": may only contain lower-case letters a-z, digits and dashes"
        );
        assert_eq!(
            validate_type("-a").unwrap_err().to_string(),
            "invalid provider type \"-a\": must not start or end with a dash"
        );
        assert_eq!(
            validate_type("A").unwrap_err().to_string(),
            "invalid provider type \"A\": must be lower-case"
        );
        assert!(validate_type(&"a".repeat(65)).unwrap_err().to_string().contains("at most 64 characters"));
    }

    #[test]
    fn builds_package_filenames() {
        let windows = Platform::parse("windows_386").unwrap();
        assert_eq!(
            package_filename("google-beta", "5.0.0-rc.1", &windows),
            "terraform-provider-google-beta_5.0.0-rc.1_windows_386.zip"
        );
    }
}
