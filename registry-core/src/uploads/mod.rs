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
//! [`crate::Registry::sweep_uploads`], which the registry runs now and then as sessions are opened.
//! Removing a session (used, abandoned, swept) removes everything in its folder, including what
//! an upload interrupted by a crash left there (`folders.rs`).

pub(crate) mod folders;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{Action, Authorizer, Principal};
use crate::clock::SharedClock;
use crate::http::body::Body;
use crate::http::router::AuditTarget;
use crate::http::slots::UploadSlots;
use crate::http::{response, Links, RequestContext};
use crate::protocol::{OpenUpload, UploadOpened, UploadReceived, UploadStatus};
use crate::spool::{spool, SpooledFile};
use crate::storage::{layout, read_json, write_json, ByteStream, PutMode, Storage};
use crate::types::parse_upload_id;
use crate::{Error, RegistryConfig, Result};

/// How often, at most, one instance sweeps expired sessions while opening new ones.
const SWEEP_INTERVAL_SECS: u64 = 300;

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

/// Upload sessions.
#[derive(Debug)]
pub(crate) struct UploadService {
    storage: Arc<dyn Storage>,
    links: Arc<Links>,
    clock: SharedClock,
    authorizer: Arc<dyn Authorizer>,
    /// Whether links are absolute already (a public URL is configured).
    absolute_links: bool,
    ttl: Duration,
    max_session_bytes: u64,
    max_upload_bytes: u64,
    /// When this instance last swept expired upload sessions (seconds since the epoch).
    last_sweep: AtomicU64,
    /// The uploads in progress, shared with the registry's publishing routes.
    slots: UploadSlots,
}

impl UploadService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        links: Arc<Links>,
        authorizer: Arc<dyn Authorizer>,
        slots: UploadSlots,
        config: &RegistryConfig,
    ) -> Self {
        Self {
            slots,
            clock: links.clock().clone(),
            storage,
            links,
            authorizer,
            absolute_links: config.public_url.is_some(),
            ttl: config.upload_ttl,
            max_session_bytes: config.max_session_upload_bytes,
            max_upload_bytes: config.max_upload_bytes,
            last_sweep: AtomicU64::new(0),
        }
    }

    /// The session named by `?upload=` in a publishing request, if any; a publish by session
    /// must not also carry a body.
    pub(crate) fn session_param(&self, ctx: &RequestContext, body: &Bytes) -> Result<Option<String>> {
        let Some(id) = ctx.query.get("upload") else {
            return Ok(None);
        };
        if !body.is_empty() {
            return Err(Error::bad_request(
                "send either the file as the request body or ?upload=<session id>, not both",
            ));
        }
        parse_upload_id(id).map(Some)
    }

    /// `POST /v1/uploads`: opens a session for the caller.
    pub(crate) async fn create(&self, ctx: &RequestContext, body: &Bytes) -> Result<Response<Body>> {
        if !body.is_empty() {
            serde_json::from_slice::<OpenUpload>(body)
                .map_err(|e| Error::invalid_body("invalid upload session request", e))?;
        }
        let session = self.begin(ctx.principal.as_ref()).await?;
        let (id, now) = (session.id.clone(), self.clock.unix_now());
        let presigned = self.storage.presign_put(&layout::upload_object(&id), self.ttl).await?;
        let direct = presigned.is_some();
        let (url, headers) = match presigned {
            Some(presigned) => (presigned.url, presigned.headers),
            None => {
                let link = self.links.signed_until(&format!("/v1/uploads/{id}"), session.expires);
                let origin = if self.absolute_links { None } else { ctx.origin() };
                (format!("{}{link}", origin.unwrap_or_default()), Vec::new())
            }
        };
        self.maybe_sweep(now).await;
        tracing::info!(upload = %id, by = %session.created_by, direct, "upload session opened");
        crate::observe::upload_session_opened();
        let opened = UploadOpened {
            id: id.clone(),
            upload_url: url,
            upload_method: "PUT".into(),
            upload_headers: headers.into_iter().collect(),
            direct_to_storage: direct,
            expires_at: crate::clock::rfc3339(session.expires),
            max_bytes: self.max_session_bytes,
        };
        let mut response = response::json(StatusCode::CREATED, &opened);
        response.extensions_mut().insert(AuditTarget(id));
        Ok(response)
    }

    /// Opens a session for `principal` (with a fresh id) and stores its record.
    pub(crate) async fn begin(&self, principal: Option<&Principal>) -> Result<UploadSession> {
        let principal = principal.ok_or_else(|| Error::unauthorized("a token is required to upload"))?;
        let id = hex::encode(crate::random::bytes::<16>()?);
        let session = self.session(id, &principal.id);
        write_json(self.storage.as_ref(), &layout::upload_session(&session.id), &session, PutMode::Create)
            .await?;
        Ok(session)
    }

    /// Keeps the folder `id` (a staged OCI blob's) for `created_by` for another session
    /// lifetime from now: its record, written over any before.
    pub(crate) async fn keep(&self, id: &str, created_by: &str) -> Result<()> {
        let session = self.session(id.to_owned(), created_by);
        write_json(self.storage.as_ref(), &layout::upload_session(id), &session, PutMode::Overwrite).await?;
        Ok(())
    }

    /// A session record opened now.
    fn session(&self, id: String, created_by: &str) -> UploadSession {
        let now = self.clock.unix_now();
        UploadSession {
            id,
            created_by: created_by.to_owned(),
            created_at: crate::clock::rfc3339(now),
            expires: now + self.ttl.as_secs(),
        }
    }

    /// The most bytes one session may hold.
    pub(crate) fn max_session_bytes(&self) -> u64 {
        self.max_session_bytes
    }

    /// The store sessions live in.
    pub(crate) fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// `GET /v1/uploads/{id}`: the session and what has been uploaded to it.
    pub(crate) async fn status(&self, principal: Option<&Principal>, id: &str) -> Result<Response<Body>> {
        let session = self.usable_session(principal, id).await?;
        let object = self.storage.head(&layout::upload_object(id)).await?;
        let status = UploadStatus {
            id: session.id,
            created_by: session.created_by,
            created_at: session.created_at,
            expires_at: crate::clock::rfc3339(session.expires),
            uploaded: object.is_some(),
            size: object.map(|o| o.size),
        };
        Ok(response::json(StatusCode::OK, &status))
    }

    /// `DELETE /v1/uploads/{id}`: abandons a session and its upload.
    pub(crate) async fn delete(&self, principal: Option<&Principal>, id: &str) -> Result<Response<Body>> {
        self.usable_session(principal, id).await?;
        self.remove_session(id).await?;
        crate::observe::upload_sessions_closed("abandoned", 1);
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    /// `PUT /v1/uploads/{id}?expires&signature`: checks the signature, then streams the body to
    /// the session's object, refusing it past
    /// [`RegistryConfig::max_session_upload_bytes`]. Answers with the size and SHA-256 of what
    /// was stored, so the client can compare.
    pub(crate) async fn receive<S>(
        &self,
        ctx: &RequestContext,
        id: &str,
        declared_len: Option<u64>,
        mut body: S,
    ) -> Result<Response<Body>>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        self.links.verify(&ctx.path, ctx.raw_query.as_deref(), &crate::http::signing::UPLOAD_URL)?;
        let session = self.load_session(id).await?;
        if session.expires < self.clock.unix_now() {
            return Err(expired(id));
        }
        let _slot = self.slots.acquire(&session.created_by)?;
        let limit = self.max_session_bytes;
        if declared_len.is_some_and(|len| len > limit) {
            return Err(Error::PayloadTooLarge { limit });
        }
        let key = layout::upload_object(id);
        let (size, sha256) = stream_to_store(self.storage.as_ref(), &key, &mut body, limit, true).await?;
        tracing::info!(upload = %id, size, %sha256, "upload received");
        Ok(response::json(StatusCode::OK, &UploadReceived { id: id.to_owned(), size, sha256 }))
    }

    /// The content uploaded to session `id`, read whole (module archives, which are checked in
    /// memory under the request body limit).
    pub(crate) async fn bytes(&self, principal: Option<&Principal>, id: &str) -> Result<Bytes> {
        let limit = self.max_upload_bytes;
        let (size, mut stream) = self.open(principal, id, limit).await?;
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
    pub(crate) async fn file(&self, principal: Option<&Principal>, id: &str) -> Result<SpooledFile> {
        let limit = self.max_session_bytes;
        let (_, stream) = self.open(principal, id, limit).await?;
        spool(stream, limit).await
    }

    /// Opens what was uploaded to session `id`, if `principal` may use the session: its size
    /// and content, refused (413) when the store says it is larger than `limit`. Readers still
    /// count the bytes, as an object may be replaced while it is read.
    async fn open(&self, principal: Option<&Principal>, id: &str, limit: u64) -> Result<(u64, ByteStream)> {
        self.usable_session(principal, id).await?;
        let key = layout::upload_object(id);
        let object = self.storage.get_stream(&key).await?.ok_or_else(|| nothing_uploaded(id))?;
        if object.info.size > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        Ok((object.info.size, object.body))
    }

    /// Forgets a session once its upload is published (or abandoned): everything in its folder,
    /// the record last, so no file outlives its record for long.
    pub(crate) async fn remove_session(&self, id: &str) -> Result<()> {
        let storage = self.storage.as_ref();
        for contents in folders::list(storage, &layout::upload_folder(id)).await? {
            folders::remove(storage, &contents).await?;
        }
        Ok(())
    }

    /// Forgets a session whose upload was just published; a failure only leaves work for
    /// [`UploadService::sweep`].
    pub(crate) async fn used(&self, id: &str) {
        if let Err(err) = self.remove_session(id).await {
            tracing::warn!(upload = %id, error = %err, "could not remove a used upload session");
        }
        crate::observe::upload_sessions_closed("published", 1);
    }

    /// Removes expired sessions with everything in their folders, and the files of sessions
    /// whose record is gone (see [`crate::Registry::sweep_uploads`]).
    pub(crate) async fn sweep(&self) -> Result<usize> {
        let storage = self.storage.as_ref();
        let mut removed = 0;
        for folder in folders::scan(storage, layout::UPLOADS_PREFIX, self.clock.unix_now()).await? {
            if let folders::SessionState::Unreadable(err) = &folder.state {
                // Not ours to judge; `tfreg fsck` reports it to an operator.
                let id = &folder.contents.id;
                tracing::warn!(upload = %id, error = %err, "skipping an unreadable upload session");
            }
            if !folder.is_leftover() {
                continue;
            }
            folders::remove(storage, &folder.contents).await?;
            removed += 1;
        }
        if removed > 0 {
            tracing::info!(removed, "swept expired upload sessions");
            crate::observe::upload_sessions_closed("expired", removed as u64);
        }
        Ok(removed)
    }

    /// Sweeps when this instance has not for [`SWEEP_INTERVAL_SECS`]; failures are logged only.
    async fn maybe_sweep(&self, now: u64) {
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now.saturating_sub(last) < SWEEP_INTERVAL_SECS
            || self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        if let Err(err) = self.sweep().await {
            tracing::warn!(error = %err, "could not sweep expired upload sessions");
        }
    }

    async fn load_session(&self, id: &str) -> Result<UploadSession> {
        read_json(self.storage.as_ref(), &layout::upload_session(id), "upload session").await?.ok_or_else(
            || Error::not_found(format!("no upload session {id}: it was used, abandoned or expired")),
        )
    }

    /// The session, if it has not expired and `principal` opened it (or administers the
    /// registry).
    pub(crate) async fn usable_session(
        &self,
        principal: Option<&Principal>,
        id: &str,
    ) -> Result<UploadSession> {
        let session = self.load_session(id).await?;
        let own = principal.is_some_and(|p| p.id == session.created_by);
        if !own {
            self.authorizer
                .authorize(principal, &Action::Administer)
                .map_err(|_| Error::forbidden(format!("upload session {id} belongs to another caller")))?;
        }
        if session.expires < self.clock.unix_now() {
            return Err(expired(id));
        }
        Ok(session)
    }
}

/// Writes the chunks of `body` to `key`, refusing (413) past `limit` bytes in all and, when
/// `required`, an empty body; the size and SHA-256 of what was stored. On any failure the
/// write is aborted, so nothing is left at `key`.
pub(crate) async fn stream_to_store<S>(
    storage: &dyn Storage,
    key: &str,
    body: &mut S,
    limit: u64,
    required: bool,
) -> Result<(u64, String)>
where
    S: Stream<Item = Result<Bytes>> + Unpin,
{
    let mut writer = storage.writer(key).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let failure = loop {
        let chunk = match std::future::poll_fn(|cx| std::pin::Pin::new(&mut *body).poll_next(cx)).await {
            None => break None,
            Some(Ok(chunk)) => chunk,
            Some(Err(err)) => break Some(err),
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
        (required && size == 0)
            .then(|| Error::bad_request("the request body is empty: send the file to upload"))
    });
    if let Some(err) = failure {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(%key, error = %abort, "could not abort an upload");
        }
        return Err(err);
    }
    writer.finish().await?;
    Ok((size, hex::encode(hasher.finalize())))
}

fn expired(id: &str) -> Error {
    Error::not_found(format!("upload session {id} has expired; open a new one with POST /v1/uploads"))
}

fn nothing_uploaded(id: &str) -> Error {
    Error::conflict(format!(
        "nothing has been uploaded to session {id} yet: PUT the file to its upload_url first"
    ))
}
