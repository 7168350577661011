//! What fetches the source of an import. The core carries no HTTP client and runs no programs,
//! so the host implements [`SourceFetcher`] (the `tfreg` server with `reqwest` for archives and
//! the `git` CLI for repositories) and decides which hosts may be reached.

use async_trait::async_trait;
use bytes::Bytes;

use crate::types::ImportSource;
use crate::Error;

/// Fetches what an import names, once, for the publish pipeline to check and store.
#[async_trait]
pub trait SourceFetcher: Send + Sync + std::fmt::Debug + 'static {
    /// The package `source` names as a `.tar.gz` or `.zip` of at most `limit` bytes: the
    /// archive as downloaded, or a git repository's tree at its ref (without `.git`). The
    /// location's subdirectory is not applied here: the registry takes it from the archive.
    async fn fetch(&self, source: &ImportSource, limit: u64) -> Result<Bytes, FetchError>;
}

/// Why a fetch gave no archive. Messages name the source's URL (never a credential).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The registry may not fetch from there: imports are off, or the host is not allowed (400).
    #[error("{0}")]
    Refused(String),
    /// More than the limit (400: the source, not the request, is too large).
    #[error("{0}")]
    TooLarge(String),
    /// The source could not be reached or answered with an error (502).
    #[error("{0}")]
    Failed(String),
    /// The source did not answer in time (504).
    #[error("{0}")]
    Timeout(String),
}

impl From<FetchError> for Error {
    fn from(err: FetchError) -> Self {
        match err {
            FetchError::Refused(message) | FetchError::TooLarge(message) => Error::bad_request(message),
            FetchError::Failed(message) => Error::Upstream { message, timeout: false, source: None },
            FetchError::Timeout(message) => Error::Upstream { message, timeout: true, source: None },
        }
    }
}
