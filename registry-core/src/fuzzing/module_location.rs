//! The `module_location` target: the external locations module versions are registered with
//! (`POST .../{version}/external`), which the registry answers verbatim to every consumer.

use url::Url;

use super::{assert_explained, Verdict};
use crate::types::{ImportSource, ModuleLocation};

/// Checks one location. Parsing never panics; a refusal explains itself; an accepted location
/// is kept verbatim, can be sent as a header, parses again to the same value, names no
/// password and no `..` subdirectory part, and is registrable unless its subdirectory has a
/// `*`; what an import would fetch is an `https://` URL (or `http://` to a loopback address).
pub fn check_module_location(raw: &str) -> Verdict {
    let parsed = ModuleLocation::parse(raw);
    let location = match &parsed {
        Ok(location) => location,
        Err(err) => {
            assert_explained(err);
            return Verdict::Refused;
        }
    };
    assert_eq!(location.as_str(), raw, "a location is kept as given");
    assert!(http::HeaderValue::try_from(raw).is_ok(), "an accepted location is a header value");
    assert_eq!(ModuleLocation::parse(raw).as_ref(), Ok(location), "parsing is deterministic");
    if let Ok(url) = Url::parse(location.url()) {
        assert!(url.password().is_none(), "a password in {raw:?}");
    }
    if let Some(subdir) = location.subdir() {
        assert!(!subdir.split('/').any(|p| p.is_empty() || p == ".."), "subdirectory {subdir:?}");
        assert_eq!(location.registrable().is_ok(), !subdir.contains('*'));
    } else {
        assert!(location.registrable().is_ok());
    }
    if let Ok(source) = location.import_source() {
        let url = Url::parse(source.url()).expect("an import fetches a URL");
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        assert!(url.scheme() == "https" || (url.scheme() == "http" && loopback), "import of {raw:?}");
        assert!(url.username().is_empty() && url.password().is_none(), "credentials in {raw:?}");
        if let ImportSource::Git { reference: Some(r), .. } = &source {
            assert!(!r.starts_with('-'), "a ref that git would read as an option");
        }
    }
    Verdict::Accepted
}
