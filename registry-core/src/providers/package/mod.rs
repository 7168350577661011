//! Provider packages: package checks and hashes, and `SHA256SUMS` files.
//!
//! A provider release is a set of zip packages, one per [`Platform`](crate::types::Platform), named
//! by [`package_filename`](crate::types::package_filename) (`terraform-provider-{type}_{version}_{os}_{arch}.zip`),
//! each holding the provider's executable at its root, plus a `SHA256SUMS`
//! file ([`ShaSums`]) listing the SHA-256 of every zip, and its signature.
//!
//! [`check_package`] (over bytes in memory) and [`check_package_reader`]
//! (over any [`Read`](std::io::Read) + [`Seek`](std::io::Seek), such as a
//! temporary file, without loading it) refuse uploads that Terraform could
//! not install, or that would be unsafe or ambiguous to unpack, and compute
//! the package's hashes, in the forms Terraform's lock file
//! (`.terraform.lock.hcl`) uses:
//!
//! - `zh:` + the hex SHA-256 of the zip file ([`CheckedPackage::zh`]);
//! - `h1:`, Go's `dirhash` Hash1 over the package's files
//!   ([`CheckedPackage::h1`], [`h1_of_zip`], [`h1_of_files`]).
//!
//! Nothing here touches the file system or the network: packages come as
//! bytes or as readers the caller opened.

mod check;
mod dirhash;
mod error;
mod shasums;
mod zip_entries;

#[cfg(test)]
mod tests;

pub use check::{check_package, check_package_reader, h1_of_zip, CheckedPackage, PackageLimits};
pub use dirhash::h1_of_files;
pub use error::ProviderError;
pub use shasums::ShaSums;
