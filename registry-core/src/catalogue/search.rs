//! Ranking entries against a search query.

use super::snapshot::Indexed;

/// How well `entry` matches the lower-case `terms`: `None` unless every term matches its
/// namespace, name, system or description. Exact names rank above prefixes, prefixes above
/// substrings, and names above namespaces above descriptions.
pub(super) fn score<E>(entry: &Indexed<E>, terms: &[String]) -> Option<u32> {
    let mut total = 0;
    for term in terms {
        let field = |text: &str, exact: u32, prefix: u32, inside: u32| {
            if text == term {
                exact
            } else if text.starts_with(term.as_str()) {
                prefix
            } else if text.contains(term.as_str()) {
                inside
            } else {
                0
            }
        };
        let best = [
            field(&entry.name, 100, 60, 30),
            field(&entry.namespace, 40, 25, 12),
            field(&entry.system, 20, 10, 5),
            if entry.description.contains(term.as_str()) { 8 } else { 0 },
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        if best == 0 {
            return None;
        }
        total += best;
    }
    Some(total)
}

/// The query's terms: lower case, split on spaces, slashes and commas; at most 8.
pub(super) fn terms(query: &str) -> Vec<String> {
    query.split([' ', '/', ',', '\t']).filter(|t| !t.is_empty()).take(8).map(str::to_lowercase).collect()
}
