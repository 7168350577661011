//! Module addresses: namespace, name and target system, validated as the Terraform CLI and the
//! public registry do.
//!
//! Namespaces and names are 1 to 64 characters of `[0-9A-Za-z_-]` that start and end with a
//! letter or digit; the system (the target provider, `aws` in `acme/vpc/aws`) is 1 to 64
//! characters of `[0-9a-z]`. Namespaces and names match case-insensitively: `Acme/VPC/aws` and
//! `acme/vpc/aws` are one module, stored under its lower-case key and shown as first published.

use std::fmt;

use crate::Error;

/// A validated namespace or module name (`[0-9A-Za-z]`, `-`, `_` inside, at most 64).
#[derive(Clone, Debug)]
pub struct Name {
    display: String,
    key: String,
}

impl Name {
    /// Validates `value` as a namespace or module name; `what` names the field in the error.
    pub fn parse(value: &str, what: &str) -> Result<Self, Error> {
        let bytes = value.as_bytes();
        let valid_inner = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
        let ok = !bytes.is_empty()
            && bytes.len() <= 64
            && bytes.iter().all(valid_inner)
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric();
        if !ok {
            return Err(Error::bad_request(format!(
                "invalid {what} {:?}: use 1 to 64 letters, digits, '-' or '_', starting and ending with a letter or digit",
                truncate(value)
            )));
        }
        Ok(Self { display: value.to_owned(), key: value.to_ascii_lowercase() })
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The lower-case form used for matching and storage keys.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Name {}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

/// A validated target system of a module (`[0-9a-z]{1,64}`), such as `aws`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct System(String);

impl System {
    /// Validates `value` as a module's target system.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let ok = !value.is_empty()
            && value.len() <= 64
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !ok {
            return Err(Error::bad_request(format!(
                "invalid system {:?}: use 1 to 64 lower-case letters or digits, such as \"aws\"",
                truncate(value)
            )));
        }
        Ok(Self(value.to_owned()))
    }

    /// The system as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The address of a module in this registry: `namespace/name/system`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleAddress {
    /// The namespace, usually a team or organisation.
    pub namespace: Name,
    /// The module's name.
    pub name: Name,
    /// The target system (provider) of the module.
    pub system: System,
}

impl ModuleAddress {
    /// Validates the three parts of a module address.
    pub fn parse(namespace: &str, name: &str, system: &str) -> Result<Self, Error> {
        Ok(Self {
            namespace: Name::parse(namespace, "namespace")?,
            name: Name::parse(name, "module name")?,
            system: System::parse(system)?,
        })
    }

    /// The case-folded `namespace/name/system` used for matching, caching and storage keys.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.namespace.key(), self.name.key(), self.system)
    }
}

impl fmt::Display for ModuleAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.namespace, self.name, self.system)
    }
}

/// Shortens user input quoted in an error message.
pub(crate) fn truncate(value: &str) -> &str {
    match value.char_indices().nth(80) {
        Some((i, _)) => &value[..i],
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_registry_rules() {
        for ok in ["a", "acme", "Acme-Corp", "a_b", "x1", &"a".repeat(64)] {
            assert!(Name::parse(ok, "namespace").is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "_a", "a.b", "a/b", "ä", &"a".repeat(65), "a b"] {
            let err = Name::parse(bad, "namespace").unwrap_err();
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{bad}");
            assert!(err.to_string().contains("invalid namespace"), "{err}");
        }
    }

    #[test]
    fn systems_are_lower_case_alphanumerics() {
        assert!(System::parse("aws").is_ok());
        assert!(System::parse("azurerm2").is_ok());
        for bad in ["", "AWS", "a-b", "a_b", &"a".repeat(65)] {
            assert!(System::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_match_case_insensitively() {
        let a = ModuleAddress::parse("Acme", "VPC", "aws").unwrap();
        let b = ModuleAddress::parse("acme", "vpc", "aws").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.key(), "acme/vpc/aws");
        assert_eq!(a.to_string(), "Acme/VPC/aws");
    }
}
