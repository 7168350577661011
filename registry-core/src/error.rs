//! The one error type of the registry, which knows its HTTP status and renders itself as
//! `{"errors": ["..."]}`.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};

use crate::storage::StorageError;

/// Everything that can go wrong while answering a request.
///
/// Each variant maps to one HTTP status ([`Error::status`]); the `Display` text is the message a
/// person reads in the `{"errors": [...]}` body, so it says what is wrong and what to do about it.
/// Nothing secret (tokens, signatures) is ever put into a message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is malformed: a bad address, version, body or archive (400).
    #[error("{message}")]
    BadRequest {
        /// What is wrong with the request.
        message: String,
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
    /// The request body is larger than the configured limit (413).
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: u64,
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
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The upstream registry of the proxy failed (502), or did not answer in time (504).
    #[error("upstream error: {message}")]
    Upstream {
        /// What went wrong, naming the upstream.
        message: String,
        /// Whether it timed out.
        timeout: bool,
    },
    /// A bug or an unexpected state inside the registry (500).
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// A 400 Bad Request with the given message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest { message: message.into() }
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
        Self::Internal { message: message.into() }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Storage { transient: true, .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Storage { .. } | Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Upstream { timeout: true, .. } => StatusCode::GATEWAY_TIMEOUT,
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
        }
    }

    /// Renders the error as a response: its status, `{"errors": ["<message>"]}`, and the
    /// headers the status calls for (`WWW-Authenticate` on 401, `Allow` on 405).
    pub fn into_response(self) -> Response<Bytes> {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
        }
        let body = serde_json::json!({ "errors": [self.to_string()] });
        let mut response = crate::http::response::json(status, &body);
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized { .. } => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::MethodNotAllowed { allowed, .. } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allowed));
            }
            Self::Storage { transient: true, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
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

impl From<crate::types::version::VersionError> for Error {
    fn from(err: crate::types::version::VersionError) -> Self {
        Self::bad_request(err.to_string())
    }
}

impl From<crate::types::constraint::ConstraintError> for Error {
    fn from(err: crate::types::constraint::ConstraintError) -> Self {
        Self::bad_request(err.to_string())
    }
}

impl From<crate::modules::archive::ArchiveError> for Error {
    fn from(err: crate::modules::archive::ArchiveError) -> Self {
        Self::bad_request(format!("invalid module archive: {err}"))
    }
}

/// The result type of the registry.
pub type Result<T, E = Error> = std::result::Result<T, E>;
