//! Errors as the OCI distribution specification words them: a code each client understands,
//! in `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"...","detail":...}]}`.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde::{Deserialize, Serialize};

use crate::http::body::Body;
use crate::Error;

/// The error codes of the OCI distribution specification this registry answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A blob unknown to the repository (404).
    BlobUnknown,
    /// A blob upload session that does not exist, or no longer (404).
    BlobUploadUnknown,
    /// A blob upload that cannot go on as sent (400).
    BlobUploadInvalid,
    /// A malformed digest (400).
    DigestInvalid,
    /// A manifest (tag or digest) unknown to the repository (404).
    ManifestUnknown,
    /// A pushed manifest that is not one this registry can publish (400).
    ManifestInvalid,
    /// A pushed manifest that names a blob not uploaded (404).
    ManifestBlobUnknown,
    /// A chunk that does not continue the upload where it stands (416).
    RangeInvalid,
    /// A malformed repository name (400).
    NameInvalid,
    /// A repository this registry does not have (404).
    NameUnknown,
    /// No credentials, or credentials that are not valid (401).
    Unauthorized,
    /// Valid credentials without the right to this repository (403).
    Denied,
    /// An operation this registry does not offer, such as a delete (405).
    Unsupported,
    /// Too many requests (429).
    TooManyRequests,
    /// Anything else, on the server's side (5xx).
    Unknown,
}

impl ErrorCode {
    /// The code as the specification spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BlobUnknown => "BLOB_UNKNOWN",
            Self::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            Self::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            Self::DigestInvalid => "DIGEST_INVALID",
            Self::ManifestUnknown => "MANIFEST_UNKNOWN",
            Self::ManifestInvalid => "MANIFEST_INVALID",
            Self::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            Self::RangeInvalid => "RANGE_INVALID",
            Self::NameInvalid => "NAME_INVALID",
            Self::NameUnknown => "NAME_UNKNOWN",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::Denied => "DENIED",
            Self::Unsupported => "UNSUPPORTED",
            Self::TooManyRequests => "TOOMANYREQUESTS",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// The HTTP status the code answers with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::BlobUnknown
            | Self::BlobUploadUnknown
            | Self::ManifestUnknown
            | Self::ManifestBlobUnknown
            | Self::NameUnknown => StatusCode::NOT_FOUND,
            Self::DigestInvalid | Self::NameInvalid | Self::BlobUploadInvalid | Self::ManifestInvalid => {
                StatusCode::BAD_REQUEST
            }
            Self::RangeInvalid => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Denied => StatusCode::FORBIDDEN,
            Self::Unsupported => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code an error of the registry answers an OCI client with: its own, when it was
    /// raised as one ([`Error::Oci`]), else the code for its status.
    pub fn of(err: &Error) -> Self {
        if let Some(code) = err.oci_code() {
            return code;
        }
        match err.status() {
            StatusCode::UNAUTHORIZED => Self::Unauthorized,
            StatusCode::FORBIDDEN => Self::Denied,
            StatusCode::NOT_FOUND => Self::NameUnknown,
            StatusCode::METHOD_NOT_ALLOWED => Self::Unsupported,
            StatusCode::TOO_MANY_REQUESTS => Self::TooManyRequests,
            status if status.is_client_error() => Self::NameInvalid,
            _ => Self::Unknown,
        }
    }
}

/// The error document of the OCI distribution API.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct OciErrors {
    /// The errors (this registry sends one).
    pub errors: Vec<OciError>,
}

/// One error of an [`OciErrors`] document.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct OciError {
    /// The code ([`ErrorCode::as_str`]).
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// More about it: the HTTP status, here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// The answer to an OCI request that failed: the status and headers the registry's own error
/// answer has (`Allow`, `Retry-After`, `Content-Range`), the OCI error document as the body,
/// and `challenge` as the `WWW-Authenticate` header of a 401.
pub(crate) fn render(err: Error, challenge: Option<&str>) -> Response<Body> {
    let code = ErrorCode::of(&err);
    let message = err.to_string();
    let mut response = err.into_response();
    let status = response.status();
    let document = OciErrors {
        errors: vec![OciError {
            code: code.as_str().to_owned(),
            message,
            detail: Some(serde_json::json!({ "status": status.as_u16() })),
        }],
    };
    let body = serde_json::to_vec(&document).unwrap_or_default();
    *response.body_mut() = Body::from(Bytes::from(body));
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    if let Some(challenge) = challenge.filter(|_| status == StatusCode::UNAUTHORIZED) {
        if let Ok(value) = HeaderValue::try_from(challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}
