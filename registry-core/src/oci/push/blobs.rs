//! Blob uploads, as the OCI distribution specification has clients push them: `POST` opens a
//! session (or, with `?digest=`, uploads the blob whole; with `?mount=`, finds it here already),
//! `PATCH`es append chunks, and the closing `PUT ?digest=` checks the digest of the whole.
//!
//! A session is an upload session of the registry ([`crate::uploads`]): its record, and a
//! chunk object per `PATCH` (`uploads/{id}/chunk-{offset}`), so every instance behind a load
//! balancer sees the same upload and the sweep removes abandoned ones. A closed upload becomes
//! a *staged* blob: the session folder `uploads/sha256-{hex}/`, its object the blob, kept for a
//! session's lifetime from its last push for a manifest to publish it. Nothing is held in
//! memory: chunks stream to the store, and closing reads them back through a temporary file.

use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use http::{header, HeaderValue, Response, StatusCode};
use sha2::{Digest as _, Sha256};

use crate::http::body::Body;
use crate::http::{response, RequestContext};
use crate::oci::errors::ErrorCode;
use crate::oci::{Digest, OciService, Repository, CONTENT_DIGEST_HEADER};
use crate::spool::{Spool, SpooledFile};
use crate::storage::layout;
use crate::uploads::{stream_to_store, UploadService};
use crate::{Error, Result};

/// The header that names an upload session.
const UPLOAD_UUID_HEADER: &str = "docker-upload-uuid";

impl OciService {
    /// `POST /v2/{repo}/blobs/uploads/`: a new session (202); the blob stored whole from the
    /// body with `?digest=` (201); or with `?mount={digest}`, the blob found here already (201).
    pub(crate) async fn open_upload<S>(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        repo: &Repository,
        mut body: S,
    ) -> Result<Response<Body>>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        if let Some(mounted) = ctx.query.get("mount") {
            let digest = Digest::parse(mounted)?;
            if self.has_blob(uploads, repo, &digest).await? {
                return Ok(created(repo, &digest));
            }
        }
        let session = uploads.begin(ctx.principal.as_ref()).await?;
        let Some(digest) = ctx.query.get("digest") else {
            return Ok(progress(StatusCode::ACCEPTED, repo, &session.id, 0));
        };
        let digest = Digest::parse(digest)?;
        let limit = uploads.max_session_bytes();
        stream_to_store(uploads.storage(), &layout::upload_chunk(&session.id, 0), &mut body, limit, false)
            .await?;
        self.close(uploads, ctx, repo, &session.id, &digest).await
    }

    /// `GET /v2/{repo}/blobs/uploads/{id}`: how much the session holds (204 with `Range`).
    pub(crate) async fn upload_status(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        repo: &Repository,
        id: &str,
    ) -> Result<Response<Body>> {
        let size = self.session_size(uploads, ctx, id).await?;
        Ok(progress(StatusCode::NO_CONTENT, repo, id, size))
    }

    /// `PATCH /v2/{repo}/blobs/uploads/{id}`: appends the body where the upload stands; a
    /// `Content-Range` that starts elsewhere is refused (416).
    pub(crate) async fn upload_chunk<S>(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        repo: &Repository,
        id: &str,
        mut body: S,
    ) -> Result<Response<Body>>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        let size = self.session_size(uploads, ctx, id).await?;
        if let Some(range) = ctx.header(header::CONTENT_RANGE) {
            let start = range.trim().trim_start_matches("bytes").trim_start_matches([' ', '=']);
            let start = start.split_once('-').map_or(start, |(start, _)| start);
            if start.parse::<u64>().ok() != Some(size) {
                return Err(Error::oci(
                    ErrorCode::RangeInvalid,
                    format!(
                        "Content-Range {:?} does not continue upload {id}, which holds {size} bytes",
                        crate::types::truncate(range)
                    ),
                ));
            }
        }
        let limit = uploads.max_session_bytes().saturating_sub(size);
        let key = layout::upload_chunk(id, size);
        let (written, _) = stream_to_store(uploads.storage(), &key, &mut body, limit, false).await?;
        Ok(progress(StatusCode::ACCEPTED, repo, id, size + written))
    }

    /// `PUT /v2/{repo}/blobs/uploads/{id}?digest=`: appends the body (the last chunk, if any),
    /// then checks the whole against the digest and stages it (201).
    pub(crate) async fn finish_upload<S>(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        repo: &Repository,
        id: &str,
        mut body: S,
    ) -> Result<Response<Body>>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        let digest = ctx.query.get("digest").ok_or_else(|| {
            Error::oci(
                ErrorCode::DigestInvalid,
                "close an upload with ?digest=sha256:<hex> of the whole blob",
            )
        })?;
        let digest = Digest::parse(digest)?;
        let size = self.session_size(uploads, ctx, id).await?;
        let limit = uploads.max_session_bytes().saturating_sub(size);
        stream_to_store(uploads.storage(), &layout::upload_chunk(id, size), &mut body, limit, false).await?;
        self.close(uploads, ctx, repo, id, &digest).await
    }

    /// `DELETE /v2/{repo}/blobs/uploads/{id}`: abandons the upload (204).
    pub(crate) async fn cancel_upload(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Response<Body>> {
        uploads.usable_session(ctx.principal.as_ref(), id).await.map_err(|e| unknown_upload(id, e))?;
        uploads.remove_session(id).await?;
        Ok(response::empty(StatusCode::NO_CONTENT))
    }

    /// The staged blob with `digest`, spooled to a temporary file; `None` when there is none.
    pub(crate) async fn staged(
        &self,
        uploads: &UploadService,
        digest: &Digest,
        limit: u64,
    ) -> Result<Option<SpooledFile>> {
        let key = layout::upload_object(&layout::staged_blob_id(digest.hex()));
        let Some(object) = uploads.storage().get_stream(&key).await? else {
            return Ok(None);
        };
        if object.info.size > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        crate::spool::spool(object.body, limit).await.map(Some)
    }

    /// Whether a blob with `digest` is in `repo`, or staged (by anyone: a blob's content is
    /// named by its digest, so knowing it already is knowing the blob).
    pub(crate) async fn has_blob(
        &self,
        uploads: &UploadService,
        repo: &Repository,
        digest: &Digest,
    ) -> Result<bool> {
        let staged = layout::upload_object(&layout::staged_blob_id(digest.hex()));
        if uploads.storage().head(&staged).await?.is_some() {
            return Ok(true);
        }
        match self.find_blob(repo, digest).await {
            Err(err) if err.oci_code() == Some(ErrorCode::NameUnknown) => Ok(false),
            found => Ok(found?.is_some()),
        }
    }

    /// The bytes the session `id` holds, if `ctx`'s caller may use it.
    async fn session_size(&self, uploads: &UploadService, ctx: &RequestContext, id: &str) -> Result<u64> {
        uploads.usable_session(ctx.principal.as_ref(), id).await.map_err(|e| unknown_upload(id, e))?;
        Ok(chunks(uploads, id).await?.iter().map(|c| c.size).sum())
    }

    /// Reads the session's chunks back in order into a temporary file, checks their digest,
    /// and stages the blob for the caller; the session is then gone.
    async fn close(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        repo: &Repository,
        id: &str,
        digest: &Digest,
    ) -> Result<Response<Body>> {
        let storage = uploads.storage();
        let mut spool = Spool::new(uploads.max_session_bytes())?;
        let mut hasher = Sha256::new();
        for chunk in chunks(uploads, id).await? {
            let mut object = storage.get_stream(&chunk.key).await?.ok_or_else(|| {
                Error::conflict(format!("a chunk of upload {id} went missing while it was closed"))
            })?;
            while let Some(part) = std::future::poll_fn(|cx| Pin::new(&mut object.body).poll_next(cx)).await {
                let part = part?;
                hasher.update(&part);
                spool.write(&part).await?;
            }
        }
        let actual = hex::encode(hasher.finalize());
        if actual != digest.hex() {
            return Err(Error::oci(
                ErrorCode::DigestInvalid,
                format!("upload {id} holds a blob with digest sha256:{actual}, not {digest}"),
            ));
        }
        let blob = spool.finish().await?;
        let staged = layout::staged_blob_id(digest.hex());
        let principal = ctx.principal.as_ref().map_or("anonymous", |p| p.id.as_str());
        // The record first: a staged object without one would be swept as a leftover.
        uploads.keep(&staged, principal).await?;
        blob.store(storage, &layout::upload_object(&staged)).await?;
        if let Err(err) = uploads.remove_session(id).await {
            tracing::warn!(upload = %id, error = %err, "could not remove a closed blob upload");
        }
        tracing::info!(repository = %repo, %digest, by = principal, "OCI blob staged");
        Ok(created(repo, digest))
    }
}

/// The chunks of session `id`, in order.
async fn chunks(uploads: &UploadService, id: &str) -> Result<Vec<crate::storage::ObjectInfo>> {
    let prefix = format!("{}chunk-", layout::upload_folder(id));
    let mut chunks = uploads.storage().list(&prefix).await?;
    chunks.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(chunks)
}

/// A session's answer: where to send the next chunk, and what it holds.
fn progress(status: StatusCode, repo: &Repository, id: &str, size: u64) -> Response<Body> {
    let mut answer = response::empty(status);
    let headers = answer.headers_mut();
    insert(headers, header::LOCATION.as_str(), &format!("/v2/{repo}/blobs/uploads/{id}"));
    insert(headers, UPLOAD_UUID_HEADER, id);
    // An empty upload says `0-0`, as the distribution registry does.
    insert(headers, header::RANGE.as_str(), &format!("0-{}", size.saturating_sub(1)));
    answer
}

/// The answer to a blob stored: 201, where it is, and its digest.
fn created(repo: &Repository, digest: &Digest) -> Response<Body> {
    let mut answer = response::empty(StatusCode::CREATED);
    let headers = answer.headers_mut();
    insert(headers, header::LOCATION.as_str(), &format!("/v2/{repo}/blobs/{digest}"));
    insert(headers, CONTENT_DIGEST_HEADER, &digest.to_string());
    answer
}

fn insert(headers: &mut http::HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::try_from(value) {
        headers.insert(name, value);
    }
}

/// A session that cannot be used (gone, expired, another caller's) is unknown to the client.
fn unknown_upload(id: &str, err: Error) -> Error {
    match err.status() {
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => {
            Error::oci(ErrorCode::BlobUploadUnknown, format!("no blob upload {id} of yours: {err}"))
        }
        _ => err,
    }
}
