//! The values every request names, each checked when parsed: module and provider addresses,
//! Terraform versions and version constraints, platforms, provider type names, the files of a
//! provider version, upload session ids, and the external locations of module versions.

pub mod address;
pub mod constraint;
mod error;
pub mod location;
pub mod platform;
pub mod provider_address;
mod provider_file;
pub mod provider_type;
mod upload_id;
pub mod version;

pub(crate) use address::truncate;
pub use address::{ModuleAddress, Name, System};
pub use constraint::{ConstraintError, Constraints};
pub use error::InvalidValue;
pub use location::{ImportSource, LocationError, ModuleLocation};
pub use platform::Platform;
pub use provider_address::{validate_host, ProviderAddress, LOCAL_HOST};
pub use provider_file::ProviderFile;
pub use provider_type::{package_filename, validate_type};
pub(crate) use upload_id::parse_upload_id;
pub use version::{Version, VersionError};
