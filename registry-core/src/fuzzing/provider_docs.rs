//! The `provider_docs` target: reading a provider's documentation bundle (the `docs/` folder
//! tfplugindocs writes, as a `.zip` or `.tar.gz`).

use super::module_archive::fuzz_archive_limits;
use super::Verdict;
use crate::protocol::ProviderDocs;
use crate::providers::docs::{read_bundle_within, CATEGORIES, OVERVIEW};

/// Checks [`read_bundle_within`] on `input` under the fuzz archive limits:
///
/// - it never panics and gives the same pages twice;
/// - a refusal is a 400 with a message;
/// - an accepted bundle has at least one page, pages sorted by category and slug and distinct,
///   each in a known category with a slug of letters, digits, `_`, `-` and `.`, and a title;
/// - no page's HTML holds a script or style element, an event handler or a `javascript:` URL;
/// - the document survives a JSON round trip.
pub fn check_provider_docs(input: &[u8]) -> Verdict {
    let limits = fuzz_archive_limits();
    let docs = match read_bundle_within(input, &limits) {
        Ok(docs) => docs,
        Err(err) => {
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{err}");
            assert!(!err.to_string().trim().is_empty(), "a refusal without a message");
            return Verdict::Refused;
        }
    };
    assert_eq!(read_bundle_within(input, &limits).ok().as_ref(), Some(&docs), "reading is not deterministic");
    assert!(!docs.pages.is_empty(), "accepted without a page");
    let keys: Vec<(&str, &str)> = docs.pages.iter().map(|p| (p.category.as_str(), p.slug.as_str())).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "pages not sorted and distinct: {keys:?}");
    for page in &docs.pages {
        assert!(
            page.category == OVERVIEW || CATEGORIES.contains(&page.category.as_str()),
            "{}",
            page.category
        );
        assert!(
            !page.slug.is_empty()
                && page.slug.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')),
            "slug {:?}",
            page.slug
        );
        assert!(!page.title.is_empty(), "a page without a title");
        super::module_docs::check_html(&page.html);
    }
    let encoded = serde_json::to_vec(&docs).expect("docs encode");
    assert_eq!(serde_json::from_slice::<ProviderDocs>(&encoded).ok().as_ref(), Some(&docs));
    Verdict::Accepted
}
