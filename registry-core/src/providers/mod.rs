//! The provider registry protocol: package checks, the per-provider version index, the
//! registry's signing keys, publishing and the download descriptions Terraform verifies.

pub(crate) mod handlers;
pub mod index;
pub mod keyring;
pub mod package;

pub use handlers::ProviderFile;
