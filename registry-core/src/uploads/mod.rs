//! Upload sessions: large artifacts go straight to the store, then are published by naming the
//! session.
//!
//! `POST /v1/uploads` opens a session and answers with an upload URL: a URL presigned for `PUT`
//! when the store can presign (S3, GCS, Azure), or else the registry's own signed
//! `PUT /v1/uploads/{id}?expires&signature`, which streams the body to the store without
//! holding it in memory. The client `PUT`s the file there, then publishes with the usual
//! module or provider `PUT` and `?upload={id}` instead of a body. The uploaded object is checked
//! exactly as a body would be; on success the session is gone, on failure nothing is published
//! and the session stays until it expires, so a corrected file can be uploaded again.
//! Expired sessions (and objects whose session is gone) are removed by
//! [`Registry::sweep_uploads`], which the registry runs now and then as sessions are opened.

use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom};
use std::sync::atomic::Ordering;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::auth::{Action, Principal};
use crate::http::response;
use crate::registry::Registry;
use crate::storage::layout;
use crate::storage::{PutMode, StorageError};
use crate::Error;
use crate::Result;

/// How often, at most, one instance sweeps expired sessions while opening new ones.
const SWEEP_INTERVAL_SECS: u64 = 300;

/// Length of a session id: 128 random bits in lower-case hex.
const ID_LEN: usize = 32;

/// A session's record at [`layout::upload_session`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadSession {
    pub(crate) id: String,
    /// The principal who opened it; only they (or an administrator) may use it.
    pub(crate) created_by: String,
    pub(crate) created_at: String,
    /// Seconds since the Unix epoch after which the session can no longer be used.
    pub(crate) expires: u64,
}

/// The body of `POST /v1/uploads`: nothing is required.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSession {}

/// Checks a session id from a path or query: 32 lower-case hex digits.
pub(crate) fn parse_id(id: &str) -> Result<String> {
    if id.len() == ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(id.to_owned())
    } else {
        Err(Error::bad_request(format!(
            "malformed upload session id {:?}: expected the id POST /v1/uploads returned",
            crate::types::address::truncate(id)
        )))
    }
}

/// The session named by `?upload=` in a publishing request, if any; a publish by session must
/// not also carry a body.
pub(crate) fn session_param(query: Option<&str>, body: &Bytes) -> Result<Option<String>> {
    let Some(id) = crate::http::query::query_value(query, "upload") else {
        return Ok(None);
    };
    if !body.is_empty() {
        return Err(Error::bad_request(
            "send either the file as the request body or ?upload=<session id>, not both",
        ));
    }
    parse_id(id).map(Some)
}

/// A provider package uploaded through a session, copied to a temporary file.
#[derive(Debug)]
pub(crate) struct SpooledFile {
    pub(crate) file: std::fs::File,
    pub(crate) size: u64,
}

impl Registry {
    /// `POST /v1/uploads`: opens a session for `principal`.
    pub(crate) async fn upload_create(
        &self,
        parts: &http::request::Parts,
        principal: Option<Principal>,
        body: &Bytes,
    ) -> Result<Response<Bytes>> {
        if !body.is_empty() {
            serde_json::from_slice::<NewSession>(body)
                .map_err(|e| Error::bad_request(format!("invalid upload session request: {e}")))?;
        }
        let principal = principal.ok_or_else(|| Error::unauthorized("a token is required to upload"))?;
        let id = hex::encode(crate::random::bytes::<16>()?);
        let now = crate::clock::unix_now();
        let ttl = self.inner.config.upload_ttl;
        let session = UploadSession {
            id: id.clone(),
            created_by: principal.id,
            created_at: crate::clock::rfc3339(now),
            expires: now + ttl.as_secs(),
        };
        let record = serde_json::to_vec(&session).map_err(|e| Error::internal(e.to_string()))?;
        let storage = self.inner.storage.as_ref();
        storage.put(&layout::upload_session(&id), Bytes::from(record), PutMode::Create).await?;
        let presigned = storage.presign_put(&layout::upload_object(&id), ttl).await?;
        let direct = presigned.is_some();
        let (url, headers) = match presigned {
            Some(presigned) => (presigned.url, presigned.headers),
            None => {
                let path = format!("/v1/uploads/{id}");
                let query = self.inner.signer.sign(&path, session.expires);
                (format!("{}{}?{query}", self.request_origin(parts), self.link(&path)), Vec::new())
            }
        };
        let headers: serde_json::Map<String, serde_json::Value> =
            headers.into_iter().map(|(name, value)| (name, value.into())).collect();
        self.maybe_sweep(now).await;
        tracing::info!(upload = %id, by = %session.created_by, direct, "upload session opened");
        Ok(response::json(
            StatusCode::CREATED,
            &serde_json::json!({
                "id": id,
                "upload_url": url,
                "upload_method": "PUT",
                "upload_headers": headers,
                "direct_to_storage": direct,
                "expires_at": crate::clock::rfc3339(session.expires),
                "max_bytes": self.inner.config.max_session_upload_bytes,
            }),
        ))
    }

    /// `GET /v1/uploads/{id}`: the session and what has been uploaded to it.
    pub(crate) async fn upload_status(
        &self,
        principal: Option<&Principal>,
        id: &str,
    ) -> Result<Response<Bytes>> {
        let session = self.usable_session(principal, id).await?;
        let object = self.inner.storage.head(&layout::upload_object(id)).await?;
        Ok(response::json(
            StatusCode::OK,
            &serde_json::json!({
                "id": session.id,
                "created_by": session.created_by,
                "created_at": session.created_at,
                "expires_at": crate::clock::rfc3339(session.expires),
                "uploaded": object.is_some(),
                "size": object.map(|o| o.size),
            }),
        ))
    }

    /// `DELETE /v1/uploads/{id}`: abandons a session and its upload.
    pub(crate) async fn upload_delete(
        &self,
        principal: Option<&Principal>,
        id: &str,
    ) -> Result<Response<Bytes>> {
        self.usable_session(principal, id).await?;
        self.remove_session(id).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    /// `PUT /v1/uploads/{id}?expires&signature` (`path` relative to the base path): checks the
    /// signature, then streams the body to the session's object, refusing it past
    /// [`RegistryConfig::max_session_upload_bytes`](crate::RegistryConfig). Answers with the size
    /// and SHA-256 of what was stored, so the client can compare.
    pub(crate) async fn upload_receive<S, E>(
        &self,
        path: &str,
        query: Option<&str>,
        id: &str,
        declared_len: Option<u64>,
        mut body: S,
    ) -> Result<Response<Bytes>>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.inner.signer.verify(path, query, crate::clock::unix_now())?;
        let session = self.load_session(id).await?;
        if session.expires < crate::clock::unix_now() {
            return Err(expired(id));
        }
        let limit = self.inner.config.max_session_upload_bytes;
        if declared_len.is_some_and(|len| len > limit) {
            return Err(Error::PayloadTooLarge { limit });
        }
        let key = layout::upload_object(id);
        let mut writer = self.inner.storage.writer(&key).await?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let failure = loop {
            let chunk = match std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_next(cx)).await {
                None => break None,
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    break Some(Error::bad_request(format!("failed to read the request body: {e}")))
                }
            };
            size += chunk.len() as u64;
            if size > limit {
                break Some(Error::PayloadTooLarge { limit });
            }
            hasher.update(&chunk);
            if let Err(err) = writer.write(chunk).await {
                break Some(err.into());
            }
        };
        let failure = failure.or_else(|| {
            (size == 0).then(|| Error::bad_request("the request body is empty: send the file to upload"))
        });
        if let Some(err) = failure {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(%key, error = %abort, "could not abort an upload");
            }
            return Err(err);
        }
        writer.finish().await?;
        let sha256 = hex::encode(hasher.finalize());
        tracing::info!(upload = %id, size, %sha256, "upload received");
        Ok(response::json(StatusCode::OK, &serde_json::json!({ "id": id, "size": size, "sha256": sha256 })))
    }

    /// The content uploaded to session `id`, read whole (module archives, which are checked in
    /// memory under the request body limit).
    pub(crate) async fn session_bytes(&self, principal: Option<&Principal>, id: &str) -> Result<Bytes> {
        let limit = self.inner.config.max_upload_bytes;
        let (size, mut stream) = self.session_object(principal, id, limit).await?;
        let mut body = BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
        while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            let chunk = chunk?;
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(Error::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// The content uploaded to session `id`, copied chunk by chunk into an unnamed temporary
    /// file (provider packages, which may be hundreds of megabytes).
    pub(crate) async fn session_file(&self, principal: Option<&Principal>, id: &str) -> Result<SpooledFile> {
        let limit = self.inner.config.max_session_upload_bytes;
        let (_, mut stream) = self.session_object(principal, id, limit).await?;
        let temp = |e: std::io::Error| Error::internal(format!("cannot write a temporary file: {e}"));
        let file = tempfile::tempfile().map_err(temp)?;
        let mut writer = tokio::fs::File::from_std(file.try_clone().map_err(temp)?);
        let mut size = 0u64;
        while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(Error::PayloadTooLarge { limit });
            }
            writer.write_all(&chunk).await.map_err(temp)?;
        }
        writer.flush().await.map_err(temp)?;
        drop(writer);
        let mut file = file;
        file.seek(SeekFrom::Start(0)).map_err(temp)?;
        Ok(SpooledFile { file, size })
    }

    /// Opens what was uploaded to session `id`, if `principal` may use the session: its size
    /// and content, refused (413) when the store says it is larger than `limit`. Readers still
    /// count the bytes, as an object may be replaced while it is read.
    async fn session_object(
        &self,
        principal: Option<&Principal>,
        id: &str,
        limit: u64,
    ) -> Result<(u64, crate::storage::ByteStream)> {
        self.usable_session(principal, id).await?;
        let key = layout::upload_object(id);
        let object = self.inner.storage.get_stream(&key).await?.ok_or_else(|| nothing_uploaded(id))?;
        if object.info.size > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        Ok((object.info.size, object.body))
    }

    /// Forgets a session once its upload is published (or abandoned): the object first, so no
    /// object outlives its record for long.
    pub(crate) async fn remove_session(&self, id: &str) -> Result<()> {
        let storage = self.inner.storage.as_ref();
        storage.delete(&layout::upload_object(id)).await?;
        storage.delete(&layout::upload_session(id)).await?;
        Ok(())
    }

    /// Forgets a session whose upload was just published; a failure only leaves work for
    /// [`Registry::sweep_uploads`].
    pub(crate) async fn session_used(&self, id: &str) {
        if let Err(err) = self.remove_session(id).await {
            tracing::warn!(upload = %id, error = %err, "could not remove a used upload session");
        }
    }

    /// Removes expired sessions with their uploads, and uploads whose session is gone. Returns
    /// how many sessions and stray objects were removed. Runs on its own every few minutes as
    /// sessions are opened; hosts may also call it on a schedule. Lists `uploads/`, so it is
    /// kept off every hot path.
    pub async fn sweep_uploads(&self) -> Result<usize> {
        let storage = self.inner.storage.as_ref();
        let now = crate::clock::unix_now();
        // id -> (has a record, stored keys)
        let mut sessions: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
        for object in storage.list(layout::UPLOADS_PREFIX).await? {
            let rest = &object.key[layout::UPLOADS_PREFIX.len()..];
            let Some((id, name)) = rest.split_once('/') else { continue };
            let entry = sessions.entry(id.to_owned()).or_default();
            if name == layout::UPLOAD_SESSION_NAME {
                entry.0 = true;
            }
            entry.1.push(object.key.clone());
        }
        let mut removed = 0;
        for (id, (has_record, keys)) in sessions {
            let expired = if has_record {
                match self.load_session(&id).await {
                    Ok(session) => session.expires < now,
                    Err(Error::NotFound { .. }) => true,
                    // An unreadable record is not ours to judge; leave it to an operator.
                    Err(err) => {
                        tracing::warn!(upload = %id, error = %err, "skipping an unreadable upload session");
                        false
                    }
                }
            } else {
                true
            };
            if !expired {
                continue;
            }
            // The record last, so a crash part-way leaves a record the next sweep finds.
            let mut keys = keys;
            keys.sort_by_key(|k| k.ends_with(layout::UPLOAD_SESSION_NAME));
            for key in &keys {
                match storage.delete(key).await {
                    Ok(()) | Err(StorageError::InvalidKey { .. }) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            removed += 1;
        }
        if removed > 0 {
            tracing::info!(removed, "swept expired upload sessions");
        }
        Ok(removed)
    }

    /// Sweeps when this instance has not for [`SWEEP_INTERVAL_SECS`]; failures are logged only.
    async fn maybe_sweep(&self, now: u64) {
        let last = self.inner.last_upload_sweep.load(Ordering::Relaxed);
        if now.saturating_sub(last) < SWEEP_INTERVAL_SECS
            || self
                .inner
                .last_upload_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(err) = self.sweep_uploads().await {
            tracing::warn!(error = %err, "could not sweep expired upload sessions");
        }
    }

    async fn load_session(&self, id: &str) -> Result<UploadSession> {
        let object = self.inner.storage.get(&layout::upload_session(id)).await?.ok_or_else(|| {
            Error::not_found(format!("no upload session {id}: it was used, abandoned or expired"))
        })?;
        serde_json::from_slice(&object.body)
            .map_err(|e| Error::internal(format!("unreadable upload session {id}: {e}")))
    }

    /// The session, if it has not expired and `principal` opened it (or administers the
    /// registry).
    async fn usable_session(&self, principal: Option<&Principal>, id: &str) -> Result<UploadSession> {
        let session = self.load_session(id).await?;
        let own = principal.is_some_and(|p| p.id == session.created_by);
        if !own {
            self.inner
                .authorizer
                .authorize(principal, &Action::Administer)
                .map_err(|_| Error::forbidden(format!("upload session {id} belongs to another caller")))?;
        }
        if session.expires < crate::clock::unix_now() {
            return Err(expired(id));
        }
        Ok(session)
    }

    /// `scheme://host` of the request, for the absolute upload URL when no public URL is set:
    /// the scheme from `X-Forwarded-Proto` (HTTPS otherwise, as Terraform registries are).
    fn request_origin(&self, parts: &http::request::Parts) -> String {
        if self.inner.config.public_url.is_some() {
            return String::new();
        }
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let Some(host) = header("host").or(parts.uri.authority().map(|a| a.as_str())) else {
            return String::new();
        };
        let scheme = header("x-forwarded-proto")
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|s| *s == "http" || *s == "https")
            .or(parts.uri.scheme_str())
            .unwrap_or("https");
        format!("{scheme}://{host}")
    }
}

fn expired(id: &str) -> Error {
    Error::not_found(format!("upload session {id} has expired; open a new one with POST /v1/uploads"))
}

fn nothing_uploaded(id: &str) -> Error {
    Error::conflict(format!(
        "nothing has been uploaded to session {id} yet: PUT the file to its upload_url first"
    ))
}
