//! The values every request names, each checked when parsed: module and provider addresses,
//! Terraform versions and version constraints, platforms and provider type names.

pub mod address;
pub mod constraint;
mod error;
pub mod platform;
pub mod provider_address;
pub mod provider_type;
pub mod version;

pub(crate) use address::truncate;
pub use address::{ModuleAddress, Name, System};
pub use constraint::{ConstraintError, Constraints};
pub use error::InvalidValue;
pub use platform::Platform;
pub use provider_address::{validate_host, ProviderAddress, LOCAL_HOST};
pub use provider_type::{package_filename, validate_type};
pub use version::{Version, VersionError};
