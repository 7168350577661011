//! The one error type of the registry, which knows its HTTP status, keeps its cause, and
//! renders itself as `{"errors": ["..."]}`.

use std::sync::Arc;

use http::{header, HeaderValue, Response, StatusCode};

use crate::http::body::Body;
use crate::modules::archive::ArchiveError;
use crate::pgp::PgpError;
use crate::providers::package::ProviderError;
use crate::storage::StorageError;
use crate::types::{ConstraintError, InvalidValue, VersionError};
use crate::upstream::UpstreamError;

/// A boxed cause.
type Source = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong while answering a request.
///
/// Each variant maps to one HTTP status ([`Error::status`]); the `Display` text is the message a
/// person reads in the `{"errors": [...]}` body, so it says what is wrong and what to do about it.
/// Nothing secret (tokens, signatures) is ever put into a message. Variants that wrap another
/// error keep it as their [`source`](std::error::Error::source), so logs show the whole chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is malformed: a bad address, query, header or body (400).
    #[error("{message}")]
    BadRequest {
        /// What is wrong with the request.
        message: String,
    },
    /// A request body that is not the JSON document the endpoint takes (400).
    #[error("{message}: {source}")]
    InvalidBody {
        /// What the body should have been.
        message: String,
        /// What the JSON parser found.
        #[source]
        source: serde_json::Error,
    },
    /// A version that is not one Terraform accepts (400).
    #[error(transparent)]
    InvalidVersion(#[from] VersionError),
    /// A version constraint Terraform would not accept (400).
    #[error(transparent)]
    InvalidConstraint(#[from] ConstraintError),
    /// A malformed platform or provider type (400).
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    /// A module archive that was refused (400).
    #[error("invalid module archive: {0}")]
    InvalidArchive(#[from] ArchiveError),
    /// A provider package or `SHA256SUMS` that was refused (400).
    #[error("invalid provider package: {0}")]
    InvalidPackage(#[from] ProviderError),
    /// A public key or signature someone sent that cannot be used (400).
    #[error("{message}: {source}")]
    InvalidKey {
        /// What was refused.
        message: String,
        /// Why the OpenPGP code refused it.
        #[source]
        source: PgpError,
    },
    /// No credentials, or credentials that are not valid (401).
    #[error("{message}")]
    Unauthorized {
        /// Why the credentials were refused.
        message: String,
    },
    /// Valid credentials without the right for this request (403).
    #[error("{message}")]
    Forbidden {
        /// Which right is missing.
        message: String,
    },
    /// The thing asked for does not exist (404).
    #[error("{message}")]
    NotFound {
        /// What was not found.
        message: String,
    },
    /// The method is not allowed on this path (405).
    #[error("method {method} is not allowed here; allowed: {allowed}")]
    MethodNotAllowed {
        /// The method the client used.
        method: String,
        /// The methods the path accepts, as for the `Allow` header.
        allowed: &'static str,
    },
    /// The thing to create exists already (409).
    #[error("{message}")]
    Conflict {
        /// What exists already.
        message: String,
    },
    /// The request body arrived too slowly, or stalled (408).
    #[error("{message}")]
    RequestTimeout {
        /// How slow it was, against which limit.
        message: String,
    },
    /// The request body is larger than the configured limit (413).
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A `Range` that lies outside the file (416).
    #[error("the requested range is not satisfiable: the file has {size} bytes")]
    RangeNotSatisfiable {
        /// The file's size, for `Content-Range: bytes */size`.
        size: u64,
    },
    /// Too many uploads in progress, for this principal or in total (429); retry later.
    #[error("{message}")]
    TooManyRequests {
        /// Which limit was reached.
        message: String,
    },
    /// The storage backend failed (500), or is unavailable (503).
    #[error("storage error: {message}")]
    Storage {
        /// What the backend said, without secrets.
        message: String,
        /// Whether retrying later may succeed (answers 503 rather than 500).
        transient: bool,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },
    /// A record in the store that cannot be read back (500).
    #[error("the {what} {key} is corrupt: {source}")]
    Corrupt {
        /// What kind of record (`version index`, `token record`, ...).
        what: &'static str,
        /// Its storage key.
        key: String,
        /// What the decoder found.
        #[source]
        source: serde_json::Error,
    },
    /// The upstream registry of the proxy failed (502), or did not answer in time (504).
    #[error("upstream error: {message}")]
    Upstream {
        /// What went wrong, naming the upstream.
        message: String,
        /// Whether it timed out.
        timeout: bool,
        /// The underlying error, when there is one.
        #[source]
        source: Option<Source>,
    },
    /// A bug or an unexpected state inside the registry (500).
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<Source>,
    },
    /// An answer of the OCI distribution API with its own error code, whose status it
    /// answers with (see [`crate::oci::ErrorCode`]).
    #[error("{message}")]
    Oci {
        /// The OCI error code.
        code: crate::oci::ErrorCode,
        /// What went wrong.
        message: String,
    },
    /// The error of a load that several requests waited on together (see
    /// [`TtlCache::get_or_load`](crate::cache::TtlCache::get_or_load)); it answers as the
    /// original does.
    #[error(transparent)]
    Shared(Arc<Error>),
}

impl Error {
    /// A 400 Bad Request with the given message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest { message: message.into() }
    }

    /// A 400 for a request body that is not the JSON document `expected` describes.
    pub fn invalid_body(expected: impl Into<String>, source: serde_json::Error) -> Self {
        Self::InvalidBody { message: expected.into(), source }
    }

    /// A 401 Unauthorized with the given message.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized { message: message.into() }
    }

    /// A 403 Forbidden with the given message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden { message: message.into() }
    }

    /// A 404 Not Found with the given message.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound { message: message.into() }
    }

    /// A 409 Conflict with the given message.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into() }
    }

    /// A 500 Internal Server Error with the given message.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal { message: message.into(), source: None }
    }

    /// A 500 Internal Server Error caused by `source`.
    pub fn internal_with(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Internal { message: message.into(), source: Some(Box::new(source)) }
    }

    /// A 500 for a stored record that does not decode.
    pub fn corrupt(what: &'static str, key: impl Into<String>, source: serde_json::Error) -> Self {
        Self::Corrupt { what, key: key.into(), source }
    }

    /// A 502 Bad Gateway naming what the upstream did wrong.
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::Upstream { message: message.into(), timeout: false, source: None }
    }

    /// A 502 Bad Gateway caused by `source`.
    pub fn upstream_with(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Upstream { message: message.into(), timeout: false, source: Some(Box::new(source)) }
    }

    /// An error of the OCI distribution API with its own `code`.
    pub fn oci(code: crate::oci::ErrorCode, message: impl Into<String>) -> Self {
        Self::Oci { code, message: message.into() }
    }

    /// The OCI error code the error was raised with, if any.
    pub fn oci_code(&self) -> Option<crate::oci::ErrorCode> {
        match self.original() {
            Self::Oci { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The error of a shared load, unwrapped when nobody else holds it.
    pub(crate) fn shared(err: Arc<Error>) -> Self {
        Arc::try_unwrap(err).unwrap_or_else(Self::Shared)
    }

    /// The error itself, looking through [`Error::Shared`].
    fn original(&self) -> &Error {
        match self {
            Self::Shared(inner) => inner.original(),
            other => other,
        }
    }

    /// The error an answer of the registry's own API says: its `status` and `message` (how the
    /// UI carries an API error on).
    pub(crate) fn with_status(status: StatusCode, message: String) -> Self {
        match status {
            StatusCode::BAD_REQUEST => Self::bad_request(message),
            StatusCode::UNAUTHORIZED => Self::unauthorized(message),
            StatusCode::FORBIDDEN => Self::forbidden(message),
            StatusCode::NOT_FOUND => Self::not_found(message),
            StatusCode::CONFLICT => Self::conflict(message),
            _ => Self::internal(message),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. }
            | Self::InvalidBody { .. }
            | Self::InvalidVersion(_)
            | Self::InvalidConstraint(_)
            | Self::InvalidValue(_)
            | Self::InvalidPackage(_)
            | Self::InvalidKey { .. } => StatusCode::BAD_REQUEST,
            Self::InvalidArchive(err) if err.is_upload_error() => StatusCode::BAD_REQUEST,
            Self::InvalidArchive(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Storage { transient: true, .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Storage { .. } | Self::Corrupt { .. } | Self::Internal { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::Upstream { timeout: true, .. } => StatusCode::GATEWAY_TIMEOUT,
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Self::Oci { code, .. } => code.status(),
            Self::Shared(inner) => inner.status(),
        }
    }

    /// Renders the error as a response: its status, `{"errors": ["<message>"]}`, and the
    /// headers the status calls for (`WWW-Authenticate` on 401, `Allow` on 405, `Retry-After`
    /// on 429 and 503, and `Content-Range` on 416).
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
        }
        let body = crate::protocol::Errors { errors: vec![self.to_string()] };
        let mut response = crate::http::response::json(status, &body);
        let headers = response.headers_mut();
        match self.original() {
            Self::Unauthorized { .. } => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::MethodNotAllowed { allowed, .. } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allowed));
            }
            Self::Storage { transient: true, .. } | Self::TooManyRequests { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Self::RangeNotSatisfiable { size } => {
                if let Ok(value) = HeaderValue::try_from(format!("bytes */{size}")) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        let transient = err.is_transient();
        Self::Storage { message: err.to_string(), transient, source: Some(Box::new(err)) }
    }
}

impl From<UpstreamError> for Error {
    fn from(err: UpstreamError) -> Self {
        let timeout = matches!(err, UpstreamError::Timeout(_));
        Self::Upstream { message: err.to_string(), timeout, source: Some(Box::new(err)) }
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::internal_with("a background task failed", err)
    }
}

/// The result type of the registry.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_kept_and_shared_errors_answer_as_the_original() {
        let io = std::io::Error::other("disk on fire");
        let err = Error::internal_with("cannot write a temporary file", io);
        let source = std::error::Error::source(&err).expect("a source");
        assert_eq!(source.to_string(), "disk on fire");

        let shared = Error::Shared(Arc::new(Error::unauthorized("no")));
        assert_eq!(shared.status(), StatusCode::UNAUTHORIZED);
        let response = shared.into_response();
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(response.body().as_bytes().unwrap().as_ref(), br#"{"errors":["no"]}"#);
    }

    #[test]
    fn a_range_past_the_end_names_the_size() {
        let response = Error::RangeNotSatisfiable { size: 10 }.into_response();
        assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(response.headers()[header::CONTENT_RANGE], "bytes */10");
    }
}
