//! The documents of the registry's administration API: tokens, audit, pins and keys. The audit
//! entries, key records and pin records are stored as they are served.

use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// A token as the token API shows it: everything but its digest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct TokenView {
    /// The token's public id.
    pub id: String,
    /// What it may do.
    pub tier: Role,
    /// The namespaces it is limited to; `null` covers all.
    pub namespaces: Option<Vec<String>>,
    /// Free text.
    pub description: Option<String>,
    /// When it was made.
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// When it stops working, if ever.
    pub expires_at: Option<String>,
    /// Whom it was minted for at a sign-in (`terraform login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<crate::auth::TokenOwner>,
}

/// `POST /v1/tokens`: the new token's view and its secret, shown this once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct CreatedToken {
    /// The token's record.
    #[serde(flatten)]
    pub view: TokenView,
    /// The secret.
    pub token: String,
}

/// `GET /v1/tokens`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct TokenList {
    /// Every issued token, oldest first.
    pub tokens: Vec<TokenView>,
}

/// `GET /v1/audit`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// The cursor of the next page (`?after=`), if there is one.
    pub next: Option<String>,
}

/// `GET /v1/pins`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PinList {
    /// Every pin.
    pub pins: Vec<PinRecord>,
}

/// The answer to a pin request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Pinned {
    /// The pinned module or provider.
    pub address: String,
    /// The versions now pinned.
    pub pinned: Vec<String>,
}

/// `GET /v1/keys`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct KeyList {
    /// Every public key.
    pub keys: Vec<KeyRecord>,
}

/// One recorded change.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct AuditEntry {
    /// The entry's id (also its paging cursor).
    pub id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: a principal id (a token id, `master`, or the host's own), `anonymous`, or
    /// `invalid-token`; never a secret.
    pub actor: String,
    /// What kind of change: `module.publish`, `token.create`, `token.revoke`, ...
    pub action: String,
    /// What it was applied to: a module version, a token id, ...
    pub target: String,
    /// `success`, `denied` (401/403), `rejected` (other 4xx) or `failed` (5xx).
    pub outcome: String,
    /// The HTTP status answered.
    pub status: u16,
}

/// A public key as the registry lists it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct KeyRecord {
    /// 16 upper-case hex digits.
    pub key_id: String,
    /// The ASCII-armored public key.
    pub ascii_armor: String,
    /// `registry` for the registry's own keys, `namespace` for a team's.
    pub owner: String,
    /// For team keys: the (lower-case) namespace whose signatures it verifies.
    pub namespace: Option<String>,
    /// When it was added (RFC 3339).
    pub created_at: String,
}

/// A pin as `GET /v1/pins` lists it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PinRecord {
    /// `module` or `provider`.
    pub kind: String,
    /// `namespace/name/system` or `host/namespace/type`.
    pub address: String,
    /// The pinned version.
    pub version: String,
    /// For providers: the pinned platforms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// The upstream it came from.
    pub upstream: String,
    /// When (RFC 3339).
    pub pinned_at: String,
    /// Who pinned it.
    pub pinned_by: String,
}

/// What `tfreg reindex` did ([`crate::Registry::reindex`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ReindexReport {
    /// Module versions whose documentation was read again from their archive.
    pub docs_read: usize,
    /// Versions whose documentation could not be read, with why.
    pub docs_failed: Vec<String>,
    /// Modules the catalogue lists.
    pub modules: usize,
    /// Providers the catalogue lists.
    pub providers: usize,
    /// Catalogue entries removed because what they listed no longer exists.
    pub removed: usize,
}
