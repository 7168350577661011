//! The JSON bodies the registry reads from requests. Each is refused whole when it has a field
//! the type does not name.

use serde::{Deserialize, Serialize};

/// `POST /v1/tokens`: the token to issue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// `uploader` or `downloader`.
    pub tier: String,
    /// The namespaces it is limited to; absent (or `null`) for all.
    pub namespaces: Option<Vec<String>>,
    /// Free text, at most 256 characters.
    pub description: Option<String>,
    /// Its lifetime in days (1 to 3650); absent for a token that does not expire.
    pub expires_in_days: Option<u64>,
}

/// `POST /v1/keys`: a team's public key, for the signatures of its namespace's providers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddKey {
    /// The namespace whose signatures it verifies.
    pub namespace: String,
    /// The ASCII-armored public key.
    pub ascii_armor: String,
}

/// `PUT /v1/providers/{ns}/{type}/{version}/shasums`: a team's own signature of a version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishShaSums {
    /// The `SHA256SUMS` text.
    pub shasums: String,
    /// Base64 of the binary detached signature over it (`SHA256SUMS.sig`).
    pub signature: String,
}

/// `POST /v1/uploads`: nothing is required, and an empty body will do.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenUpload {}

/// `POST /v1/modules/{ns}/{name}/{system}/{version}/external`: a version whose code is
/// elsewhere, registered as its location or imported from it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterExternal {
    /// Where the code is, as Terraform's module installer reads it: an `https://` archive,
    /// `git::https://...?ref=`, `git::ssh://...`, `github.com/owner/repo`, `s3::https://...` or
    /// `gcs::https://...`, optionally with `//subdir`.
    pub location: String,
    /// Fetch it once and store it like an upload (https archives and git over https), instead
    /// of answering the location to every consumer.
    #[serde(default)]
    pub import: bool,
    /// What the module is for (as `?description=` on a publish).
    #[serde(default)]
    pub description: Option<String>,
    /// Where its code lives, for people (as `?source=` on a publish).
    #[serde(default)]
    pub source: Option<String>,
}
