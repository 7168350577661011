//! A provider version's documentation, uploaded in the tfplugindocs layout and served with the
//! provider.

use serde::{Deserialize, Serialize};

/// Every page of a provider version's documentation, as stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderDocs {
    /// The pages, by category then slug.
    pub pages: Vec<DocPage>,
    /// Files of the bundle that are not pages (images, templates), named so the uploader sees
    /// they were not used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// One page: `docs/index.md` (category `overview`, slug `index`) or
/// `docs/{category}/{slug}.md`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DocPage {
    /// `overview`, `resources`, `data-sources`, `ephemeral-resources`, `functions`, `guides`
    /// or `list-resources`.
    pub category: String,
    /// The file name without `.md` (`instance` for `docs/resources/instance.md`).
    pub slug: String,
    /// The front matter's `page_title`, else the first heading, else the slug.
    pub title: String,
    /// The front matter's `subcategory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcategory: Option<String>,
    /// The front matter's `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The page as uploaded, front matter removed.
    pub markdown: String,
    /// The page rendered from CommonMark and sanitised (no scripts, no event handlers).
    pub html: String,
}

/// `GET /v1/providers/{ns}/{type}/{version}/docs`: the pages without their content.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DocsIndex {
    /// The pages, by category then slug.
    pub pages: Vec<DocEntry>,
}

/// One page of a [`DocsIndex`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DocEntry {
    /// The category.
    pub category: String,
    /// The slug.
    pub slug: String,
    /// The title.
    pub title: String,
    /// The subcategory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcategory: Option<String>,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the page is: `/v1/providers/{ns}/{type}/{version}/docs/{category}/{slug}`.
    pub url: String,
}

/// What a provider version records of its documentation (in its index entry).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct DocsRef {
    /// SHA-256 of the stored document; also part of its key.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// How many pages it has.
    pub pages: usize,
}
