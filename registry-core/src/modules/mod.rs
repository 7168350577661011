//! The module registry protocol: the per-module version index, archive checks and
//! normalisation, publishing, and the read endpoints Terraform calls.

pub mod archive;
pub mod index;
pub(crate) mod publish;
pub(crate) mod read;

pub use read::X_TERRAFORM_GET;
