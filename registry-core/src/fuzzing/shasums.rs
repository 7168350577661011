//! The `shasums` target: parsing `SHA256SUMS` files, and the check of the files a team's own
//! `SHA256SUMS` may list.

use super::{assert_explained, Verdict};
use crate::providers::package::{ProviderError, ShaSums};
use crate::providers::publish::check_listed_packages;
use crate::types::{package_filename, Platform, ProviderAddress, Version};

/// The provider version a team's `SHA256SUMS` is checked against.
const PROVIDER: (&str, &str, &str) = ("acme", "demo", "1.0.0");

/// Checks [`ShaSums::parse`] on `text`:
///
/// - a refusal is [`ProviderError::InvalidShaSums`] naming a line of the text, with a reason;
/// - an accepted file lists at least one file, each with 64 lower-case hex digits that
///   [`ShaSums::get`] finds again; [`ShaSums::render`] parses back to the same list, and gives
///   back the text itself when its lines were sorted and it ended with a newline; inserting each
///   entry into an empty list rebuilds it;
/// - the registry's check of a team's `SHA256SUMS` for `acme/demo` 1.0.0 never panics, refuses
///   with a 400, and accepts only names that are [`package_filename`] of a platform that parses.
pub fn check_shasums(text: &[u8]) -> Verdict {
    let sums = match ShaSums::parse(text) {
        Ok(sums) => sums,
        Err(ProviderError::InvalidShaSums { line, reason }) => {
            let lines = text.split(|&b| b == b'\n').count();
            assert!((1..=lines).contains(&line), "line {line} of {lines}: {reason}");
            assert_explained(&reason);
            return Verdict::Refused;
        }
        Err(other) => panic!("a SHA256SUMS refusal of another kind: {other:?}"),
    };
    assert!(!sums.is_empty() && sums.len() == sums.iter().count());
    let mut rebuilt = ShaSums::new();
    for (name, hash) in sums.iter() {
        assert_eq!(sums.get(name), Some(hash));
        assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert!(!name.is_empty() && !name.contains(['/', '\\']) && !name.chars().any(char::is_whitespace));
        rebuilt.insert(name.to_owned(), hash.to_owned());
    }
    assert_eq!(rebuilt, sums, "inserting every entry does not rebuild the list");
    let rendered = sums.render();
    assert_eq!(ShaSums::parse(rendered.as_bytes()).as_ref(), Ok(&sums), "render does not parse back");
    if text.ends_with(b"\n") && names_sorted(text) {
        assert_eq!(rendered.as_bytes(), text, "render of a sorted file is not the file");
    }
    check_listed(&sums);
    Verdict::Accepted
}

/// Whether the names of a parsed `SHA256SUMS` text come in strictly increasing byte order.
fn names_sorted(text: &[u8]) -> bool {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let names: Vec<&[u8]> = body.split(|&b| b == b'\n').map(|line| &line[66..]).collect();
    names.windows(2).all(|w| w[0] < w[1])
}

/// The check of the files a team's `SHA256SUMS` lists, against [`PROVIDER`].
fn check_listed(sums: &ShaSums) {
    let (namespace, type_, version) = PROVIDER;
    let addr = ProviderAddress::local(namespace, type_).expect("a provider address");
    let version = Version::parse(version).expect("a version");
    let prefix = format!("terraform-provider-{type_}_{version}_");
    match check_listed_packages(sums, &addr, &version) {
        Ok(()) => {
            for (name, _) in sums.iter() {
                let joined = name.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".zip"));
                let platform = joined.and_then(|p| Platform::parse(p).ok());
                let platform = platform.unwrap_or_else(|| panic!("{name:?} accepted as a package"));
                assert_eq!(package_filename(type_, &version.to_string(), &platform), name);
            }
        }
        Err(err) => assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{err}"),
    }
}
