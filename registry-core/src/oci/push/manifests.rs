//! `PUT /v2/{repo}/manifests/{reference}`: a pushed document published as a version, through
//! the same pipeline as the registry API's uploads.
//!
//! - `modules/{ns}/{name}/{system}`, tagged with the version: the module manifest; its zip is
//!   checked, normalised and published as an uploaded `.zip` is.
//! - `providers/{ns}/{type}`, by digest: a platform manifest, staged (like a blob) for the
//!   index that lists it.
//! - `providers/{ns}/{type}`, tagged with the version: the index; every platform's package is
//!   checked as an upload is, and the version is published with SHA256SUMS signed by the
//!   registry, all platforms at once.
//!
//! Tags are versions with `_` for `+` (as OpenTofu looks them up); `latest` is derived, never
//! pushed. The documents are kept byte for byte, so pulling the tag gives back the digest the
//! push was answered with. The blobs a publish used (and the empty config, which is always
//! served) are no longer staged after it.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};

use super::documents::{invalid, Kind, Pushed};
use crate::http::body::Body;
use crate::http::{response, RequestContext};
use crate::oci::errors::ErrorCode;
use crate::oci::manifest::{
    EMPTY_CONTENT, MAX_MANIFEST_BYTES, MODULE_ARTIFACT, PROVIDER_ARTIFACT, PROVIDER_TARGET_ARTIFACT,
};
use crate::oci::repository::tag_version;
use crate::oci::{Digest, OciService, Reference, Repository, CONTENT_DIGEST_HEADER};
use crate::providers::index::PushedRelease;
use crate::providers::publish::Package;
use crate::storage::layout;
use crate::types::Version;
use crate::uploads::UploadService;
use crate::{Error, Result};

/// The index annotation that names the plugin protocols of a pushed provider version
/// (`5.0`, `6.0` or `5.0,6.0`; `5.0` without it), as `?protocols=` does for uploads.
pub const PROTOCOLS_ANNOTATION: &str = "dev.tfreg.provider.protocols";

impl OciService {
    /// `PUT /v2/{repo}/manifests/{reference}` (see the module's documentation): 201 with the
    /// document's digest.
    pub(crate) async fn push_manifest(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        repo: &Repository,
        reference: &Reference,
        body: Bytes,
    ) -> Result<Response<Body>> {
        if body.len() > MAX_MANIFEST_BYTES {
            return Err(invalid(format!("manifests have at most {MAX_MANIFEST_BYTES} bytes")));
        }
        let digest = Digest::of(&body);
        if let Reference::Digest(named) = reference {
            if *named != digest {
                return Err(Error::oci(
                    ErrorCode::DigestInvalid,
                    format!("the manifest pushed as {named} has digest {digest}"),
                ));
            }
        }
        let text = std::str::from_utf8(&body).map_err(|_| invalid("the manifest is not UTF-8 JSON"))?;
        let (kind, pushed) = Pushed::parse(&body, ctx.header(header::CONTENT_TYPE))?;
        let by = ctx.actor();
        match (repo, kind, reference) {
            (Repository::Module(addr), Kind::Manifest, Reference::Tag(tag)) => {
                let version = version_of(tag)?;
                let layer = pushed.zip_layer(MODULE_ARTIFACT)?;
                let zip = self.staged(uploads, &layer, self.modules.max_upload_bytes).await?;
                let zip = zip.ok_or_else(|| blob_unknown(&layer))?;
                self.modules.publish_pushed(addr, &version, zip, layer.hex(), text.to_owned(), by).await?;
                self.unstage(uploads, &[layer, Digest::of(EMPTY_CONTENT)]).await;
            }
            (Repository::Provider(_), Kind::Manifest, Reference::Digest(_)) => {
                let layer = pushed.zip_layer(PROVIDER_TARGET_ARTIFACT)?;
                if !self.has_blob(uploads, repo, &layer).await? {
                    return Err(blob_unknown(&layer));
                }
                self.stage(uploads, ctx, &digest, body.clone()).await?;
            }
            (Repository::Provider(addr), Kind::Index, Reference::Tag(tag)) => {
                let version = version_of(tag)?;
                let protocols = crate::providers::publish::protocols(
                    pushed.annotations.get(PROTOCOLS_ANNOTATION).map(String::as_str),
                )?;
                let mut packages = Vec::new();
                let mut manifests = Vec::new();
                let mut used = vec![Digest::of(EMPTY_CONTENT)];
                for (platform, manifest) in pushed.platforms(PROVIDER_ARTIFACT, PROVIDER_TARGET_ARTIFACT)? {
                    let document = self.staged(uploads, &manifest, MAX_MANIFEST_BYTES as u64).await?;
                    let document = document.ok_or_else(|| blob_unknown(&manifest))?;
                    let document = document.read_all(MAX_MANIFEST_BYTES as u64).await?;
                    let (_, target) = Pushed::parse(&document, None)?;
                    let layer = target.zip_layer(PROVIDER_TARGET_ARTIFACT)?;
                    let package = self.staged(uploads, &layer, uploads.max_session_bytes()).await?;
                    let package = package.ok_or_else(|| blob_unknown(&layer))?;
                    packages.push((platform, Package::File(package)));
                    manifests.push(String::from_utf8_lossy(&document).into_owned());
                    used.extend([manifest, layer]);
                }
                let release = PushedRelease { index: text.to_owned(), manifests };
                self.providers.publish_pushed(addr, &version, packages, &protocols, release, by).await?;
                self.unstage(uploads, &used).await;
            }
            (Repository::Module(_), _, _) => {
                return Err(invalid(format!(
                    "push a module as an image manifest ({MODULE_ARTIFACT}) tagged with its version"
                )))
            }
            _ => {
                return Err(invalid(format!(
                    "push a provider as an image index ({PROVIDER_ARTIFACT}) tagged with its version, after its platform manifests ({PROVIDER_TARGET_ARTIFACT}) by digest"
                )))
            }
        }
        let mut answer = response::empty(StatusCode::CREATED);
        for (name, value) in [
            (header::LOCATION.as_str(), format!("/v2/{repo}/manifests/{digest}")),
            (CONTENT_DIGEST_HEADER, digest.to_string()),
        ] {
            if let Ok(value) = HeaderValue::try_from(value) {
                answer.headers_mut().insert(name, value);
            }
        }
        Ok(answer)
    }

    /// Stages a platform manifest pushed by digest, for the index that lists it.
    async fn stage(
        &self,
        uploads: &UploadService,
        ctx: &RequestContext,
        digest: &Digest,
        body: Bytes,
    ) -> Result<()> {
        let id = layout::staged_blob_id(digest.hex());
        uploads.keep(&id, ctx.actor()).await?;
        crate::storage::create_only(uploads.storage(), &layout::upload_object(&id), body).await?;
        Ok(())
    }

    /// Forgets the staged blobs a publish used; a failure only leaves them for the sweep.
    async fn unstage(&self, uploads: &UploadService, digests: &[Digest]) {
        for digest in digests {
            let id = layout::staged_blob_id(digest.hex());
            if let Err(err) = uploads.remove_session(&id).await {
                tracing::warn!(%digest, error = %err, "could not remove a staged OCI blob");
            }
        }
    }
}

/// The version a pushed tag names.
fn version_of(tag: &str) -> Result<Version> {
    tag_version(tag).ok_or_else(|| {
        invalid(format!(
            "tag {tag:?} is not a version: push a version's tag (1.2.0, 1.2.0-rc.1; `latest` follows by itself)"
        ))
    })
}

fn blob_unknown(digest: &Digest) -> Error {
    Error::oci(
        ErrorCode::ManifestBlobUnknown,
        format!("the manifest names {digest}, which was not pushed: push its blobs first"),
    )
}
