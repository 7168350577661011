//! The handlers, one file per concern, as `impl Registry` blocks.

pub(crate) mod archives;
pub(crate) mod keys;
pub(crate) mod mirror;
pub(crate) mod modules;
pub(crate) mod pins;
pub(crate) mod providers;
pub(crate) mod tokens;
pub(crate) mod upload;
pub(crate) mod uploads;

/// The raw value of `name` in a query string, if present.
pub(crate) fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
}
