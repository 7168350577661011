//! The lifecycle marks a version can carry (deprecated, yanked), kept in the version indexes
//! and shown by the detail views, and the request bodies that set them.

use serde::{Deserialize, Serialize};

/// A version its publisher wants people to move off: still listed and installable, shown with
/// its message (for providers also as a warning of the versions document Terraform prints).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Deprecation {
    /// Why, and what to use instead.
    pub message: String,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// When it was deprecated (RFC 3339).
    pub at: String,
    /// Who deprecated it (a principal id).
    pub by: String,
}

/// A version withdrawn from resolution: no longer in the versions document, so no new
/// constraint picks it, while its download answer and archive links keep working for
/// configurations and lock files that name it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Yank {
    /// Why, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was yanked (RFC 3339).
    pub at: String,
    /// Who yanked it (a principal id).
    pub by: String,
}

/// The body of `PUT .../{version}/deprecation`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeprecateRequest {
    /// Why, and what to use instead.
    pub message: String,
    /// Where to read more (an `https://` or `http://` URL).
    #[serde(default)]
    pub link: Option<String>,
}

/// The body of `PUT .../{version}/yank` (it may also be empty).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct YankRequest {
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
}
