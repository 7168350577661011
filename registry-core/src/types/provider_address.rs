//! Provider addresses: `[host/]namespace/type`, and the host names they may name.

use std::fmt;

use super::{validate_type, Name};
use crate::Error;
use crate::Result;

/// The host segment under which this registry's own providers are stored. Providers imported
/// from a mirror directory keep their original host name instead.
pub const LOCAL_HOST: &str = "_local";

/// A provider: `[host/]namespace/type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderAddress {
    /// [`LOCAL_HOST`] for this registry's providers, or the host name of imported ones.
    pub host: String,
    /// The namespace.
    pub namespace: Name,
    /// The provider type (`null`, `aws`).
    pub r#type: String,
}

impl ProviderAddress {
    /// A provider of this registry.
    pub fn local(namespace: &str, r#type: &str) -> Result<Self> {
        Self::on_host(LOCAL_HOST, namespace, r#type)
    }

    /// A provider whose source address names `host` (`registry.terraform.io`), or
    /// [`LOCAL_HOST`].
    pub fn on_host(host: &str, namespace: &str, r#type: &str) -> Result<Self> {
        if host != LOCAL_HOST {
            validate_host(host)?;
        }
        validate_type(r#type)?;
        Ok(Self {
            host: host.to_ascii_lowercase(),
            namespace: Name::parse(namespace, "namespace")?,
            r#type: r#type.to_owned(),
        })
    }

    /// The case-folded `host/namespace/type` used for storage keys and caching.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.host, self.namespace.key(), self.r#type)
    }
}

impl fmt::Display for ProviderAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host != LOCAL_HOST {
            write!(f, "{}/", self.host)?;
        }
        write!(f, "{}/{}", self.namespace, self.r#type)
    }
}

/// Checks a host name as it appears in provider source addresses: lower-case letters, digits,
/// `-` and `.`, an optional `:port`, at most 253 characters.
pub fn validate_host(host: &str) -> Result<()> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if name_ok && port_ok {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "invalid host name {:?}: use a lower-case DNS name such as registry.example.com",
            super::truncate(host)
        )))
    }
}
