//! Why a value from a request (a platform, a provider type name) was refused.

/// A malformed platform or provider type name. Every message names the value and says what is
/// wrong with it, so it can be shown as is to whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidValue {
    /// An operating system, architecture or `{os}_{arch}` pair is malformed.
    #[error("invalid platform {field} {value:?}: {reason}")]
    Platform {
        /// Which part was refused: `"os"`, `"arch"` or `"name"` (the joined
        /// `{os}_{arch}` form).
        field: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A provider type name is malformed.
    #[error("invalid provider type {name:?}: {reason}")]
    ProviderType {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}
