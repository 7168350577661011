//! The documents of upload sessions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /v1/uploads`: where to send the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct UploadOpened {
    /// The session id, for `?upload=` when publishing.
    pub id: String,
    /// Where to `PUT` the file (no token needed).
    pub upload_url: String,
    /// Always `PUT`.
    pub upload_method: String,
    /// Headers to send with the `PUT`.
    pub upload_headers: BTreeMap<String, String>,
    /// Whether the URL goes straight to the object store.
    pub direct_to_storage: bool,
    /// When the session expires (RFC 3339).
    pub expires_at: String,
    /// The largest file accepted.
    pub max_bytes: u64,
}

/// `GET /v1/uploads/{id}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct UploadStatus {
    /// The session id.
    pub id: String,
    /// Who opened it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// Whether a file has been uploaded.
    pub uploaded: bool,
    /// Its size, once uploaded.
    pub size: Option<u64>,
}

/// The answer to the signed upload `PUT`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct UploadReceived {
    /// The session id.
    pub id: String,
    /// How many bytes were stored.
    pub size: u64,
    /// Their SHA-256, for the client to compare.
    pub sha256: String,
}
