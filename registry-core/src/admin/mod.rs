//! Administering the registry: issued tokens (`/v1/tokens`), signing keys (`/v1/keys`) and the
//! audit trail (`/v1/audit`).

pub mod audit;
pub(crate) mod keys;
pub(crate) mod tokens;

pub use audit::{AuditEntry, AuditLog};
