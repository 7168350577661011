//! Administering the registry: issued tokens (`/v1/tokens`), signing keys (`/v1/keys`) and the
//! audit trail (`/v1/audit`).

pub mod audit;
mod keys;
pub(crate) mod tokens;

use std::sync::Arc;

use crate::auth::TokenStore;
use crate::providers::keyring::KeyRing;

pub use crate::protocol::AuditEntry;
pub use audit::AuditLog;

/// The administration API: for `master` only, but for the public key list.
#[derive(Debug)]
pub(crate) struct AdminService {
    tokens: Arc<TokenStore>,
    keys: Arc<KeyRing>,
    audit: AuditLog,
}

impl AdminService {
    pub(crate) fn new(tokens: Arc<TokenStore>, keys: Arc<KeyRing>, audit: AuditLog) -> Self {
        Self { tokens, keys, audit }
    }
}
