//! What a publisher may say about a module or provider version beside its archive or
//! package: `?description=` and `?source=` on the publish.

use crate::http::query::Query;
use crate::{Error, Result};

/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 512;
/// The longest source URL, in bytes.
pub const MAX_SOURCE: usize = 2048;

/// The URL schemes a source may have (`git::` and `hg::` forced getters allowed before them).
const SOURCE_SCHEMES: [&str; 6] = ["https", "http", "git", "ssh", "s3", "gcs"];

/// A publisher's description and source URL of a version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// What the module is for.
    pub description: Option<String>,
    /// Where its code lives.
    pub source: Option<String>,
}

impl Metadata {
    /// Reads `description` and `source` from a publish's query; any other parameter but
    /// `upload` and those in `also` (which the caller reads) is refused, as are values that are
    /// not plain text or not a URL.
    pub fn from_query(query: &Query, also: &[&str]) -> Result<Self> {
        let mut metadata = Metadata::default();
        for (key, value) in query.pairs() {
            match key {
                "upload" => {}
                "description" => metadata.description = Some(description(value)?),
                "source" => metadata.source = Some(source(value)?),
                other if also.contains(&other) => {}
                other => {
                    let mut known = vec!["upload", "description", "source"];
                    known.extend(also);
                    return Err(Error::bad_request(format!(
                        "unknown query parameter {:?} for a publish; use {}",
                        crate::text::printable_detail(other),
                        known.join(", ")
                    )));
                }
            }
        }
        Ok(metadata)
    }

    /// Checks a description and source sent as fields of a JSON body (registering an external
    /// version) as [`Metadata::from_query`] checks the query's.
    pub fn from_fields(description: Option<&str>, source: Option<&str>) -> Result<Self> {
        Ok(Metadata {
            description: description.map(self::description).transpose()?,
            source: source.map(self::source).transpose()?,
        })
    }
}

fn description(value: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > MAX_DESCRIPTION || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::bad_request(format!(
            "description must be text of at most {MAX_DESCRIPTION} characters without control characters"
        )));
    }
    Ok(value.to_owned())
}

fn source(value: &str) -> Result<String> {
    let bare = value.strip_prefix("git::").or_else(|| value.strip_prefix("hg::")).unwrap_or(value);
    let url =
        url::Url::parse(bare).ok().filter(|u| SOURCE_SCHEMES.contains(&u.scheme()) && u.host_str().is_some());
    if value.len() > MAX_SOURCE || url.is_none() {
        return Err(Error::bad_request(format!(
            "source must be the URL of the module's code (https://, git::https://, ssh://, s3:// or gcs://), at most {MAX_SOURCE} bytes; got {:?}",
            crate::text::printable_detail(&value.chars().take(80).collect::<String>())
        )));
    }
    Ok(value.to_owned())
}

/// A link for people to follow (a deprecation's): an `https://` or `http://` URL with a host, at
/// most [`MAX_SOURCE`] bytes.
pub(crate) fn web_link(value: &str) -> Result<String> {
    let url = url::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some());
    if value.len() > MAX_SOURCE || url.is_none() {
        return Err(Error::bad_request(format!(
            "the link must be an https:// or http:// URL of at most {MAX_SOURCE} bytes; got {:?}",
            crate::text::printable_detail(&value.chars().take(80).collect::<String>())
        )));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::Metadata;
    use crate::http::query::Query;

    #[test]
    fn descriptions_and_sources_are_checked() {
        let ok = Metadata::from_query(
            &Query::parse(Some(
                "description=Creates%20a%20VPC&source=git::https://github.com/acme/net.git?ref=v1&upload=x",
            )),
            &[],
        )
        .unwrap();
        assert_eq!(ok.description.as_deref(), Some("Creates a VPC"));
        assert_eq!(ok.source.as_deref(), Some("git::https://github.com/acme/net.git?ref=v1"));
        for bad in [
            "source=javascript:alert(1)",
            "source=not%20a%20url",
            "source=file:///etc/passwd",
            "description=a%07b",
            "tag=1",
        ] {
            let err = Metadata::from_query(&Query::parse(Some(bad)), &[]).unwrap_err();
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(Metadata::from_query(&Query::parse(None), &[]).unwrap(), Metadata::default());
    }
}
