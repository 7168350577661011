//! The documents of the registry's administration API: tokens, audit, pins and keys.

use serde::{Deserialize, Serialize};

use crate::admin::AuditEntry;
use crate::auth::Role;
use crate::providers::keyring::KeyRecord;
use crate::proxy::PinRecord;

/// A token as the token API shows it: everything but its digest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
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
}

/// `POST /v1/tokens`: the new token's view and its secret, shown this once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreatedToken {
    /// The token's record.
    #[serde(flatten)]
    pub view: TokenView,
    /// The secret.
    pub token: String,
}

/// `GET /v1/tokens`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenList {
    /// Every issued token, oldest first.
    pub tokens: Vec<TokenView>,
}

/// `GET /v1/audit`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// The cursor of the next page (`?after=`), if there is one.
    pub next: Option<String>,
}

/// `GET /v1/pins`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PinList {
    /// Every pin.
    pub pins: Vec<PinRecord>,
}

/// The answer to a pin request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pinned {
    /// The pinned module or provider.
    pub address: String,
    /// The versions now pinned.
    pub pinned: Vec<String>,
}

/// `GET /v1/keys`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyList {
    /// Every public key.
    pub keys: Vec<KeyRecord>,
}
