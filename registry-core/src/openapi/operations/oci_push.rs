//! The push side of the OCI distribution API ([`crate::oci::push`]): blob uploads and the
//! manifests that publish them, for `providers/` and `modules/` repositories.

use serde_json::json;

use crate::oci::errors::OciErrors;
use crate::oci::manifest::{ImageIndex, ImageManifest, IMAGE_INDEX, IMAGE_MANIFEST};
use crate::openapi::builder::{Auth, Op, Schemas};

const TAG: &str = "oci";

/// The paths of one kind of repository, and the ids of its operations (open, status, chunk,
/// close, cancel, manifest).
struct Repository {
    ids: [&'static str; 6],
    uploads: &'static str,
    upload: &'static str,
    manifests: &'static str,
}

const REPOSITORIES: [Repository; 2] = [
    Repository {
        ids: [
            "ociProviderUploadOpen",
            "ociProviderUploadStatus",
            "ociProviderUploadChunk",
            "ociProviderUploadClose",
            "ociProviderUploadCancel",
            "ociProviderManifestPush",
        ],
        uploads: "/v2/providers/{ns}/{type}/blobs/uploads/",
        upload: "/v2/providers/{ns}/{type}/blobs/uploads/{id}",
        manifests: "/v2/providers/{ns}/{type}/manifests/{reference}",
    },
    Repository {
        ids: [
            "ociModuleUploadOpen",
            "ociModuleUploadStatus",
            "ociModuleUploadChunk",
            "ociModuleUploadClose",
            "ociModuleUploadCancel",
            "ociModuleManifestPush",
        ],
        uploads: "/v2/modules/{ns}/{name}/{system}/blobs/uploads/",
        upload: "/v2/modules/{ns}/{name}/{system}/blobs/uploads/{id}",
        manifests: "/v2/modules/{ns}/{name}/{system}/manifests/{reference}",
    },
];

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let errors = s.answer::<OciErrors>();
    let index = s.request::<ImageIndex>();
    let manifest = s.request::<ImageManifest>();
    let digest = || json!({"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"});
    let blob = ["application/octet-stream"];
    let mut ops = Vec::new();
    for repo in REPOSITORIES {
        let [open, status, chunk, close, cancel, push] = repo.ids;
        let documents = if repo.uploads.starts_with("/v2/modules/") {
            vec![(IMAGE_MANIFEST, manifest.clone())]
        } else {
            vec![(IMAGE_INDEX, index.clone()), (IMAGE_MANIFEST, manifest.clone())]
        };
        ops.extend([
            Op::post(repo.uploads, open, TAG, "Opens a blob upload, or uploads a blob whole")
                .describe("Without `digest`, opens an upload session (`202`, `Location` where to send its chunks). With `digest`, the body is the whole blob (`201`). With `mount`, a blob this registry holds already is not sent again (`201`).")
                .param("digest", "The digest of the blob in the body.", digest())
                .param("mount", "The digest of a blob to reuse.", digest())
                .param("from", "The repository the blob to reuse is in (any repository here will do).", json!({"type": "string"}))
                .file(&blob)
                .empty(201, "The blob is stored.")
                .header(201, "Location", "The blob.")
                .header(201, "Docker-Content-Digest", "Its digest.")
                .empty(202, "The upload session is open.")
                .header(202, "Location", "Where to send its chunks.")
                .header(202, "Range", "What it holds (`0-0` when empty).")
                .header(202, "Docker-Upload-UUID", "The session's id."),
            Op::get(repo.upload, status, TAG, "How much a blob upload holds")
                .empty(204, "The session.")
                .header(204, "Range", "What it holds: `0-{last byte}`.")
                .header(204, "Location", "Where to send its chunks."),
            Op::patch(repo.upload, chunk, TAG, "Appends a chunk to a blob upload")
                .describe("`Content-Range`, when sent, must start where the upload stands (`416` otherwise). The chunk streams to the store.")
                .file(&blob)
                .empty(202, "The chunk is stored.")
                .header(202, "Range", "What the upload holds now.")
                .header(202, "Location", "Where to send the next chunk."),
            Op::put(repo.upload, close, TAG, "Closes a blob upload")
                .describe("The body, if any, is the last chunk; the whole must have `digest` (`DIGEST_INVALID` otherwise). The blob then waits, staged, for a manifest to publish it.")
                .query("digest", "The digest of the whole blob.", true, digest())
                .file(&blob)
                .empty(201, "The blob is stored.")
                .header(201, "Location", "The blob.")
                .header(201, "Docker-Content-Digest", "Its digest."),
            Op::delete(repo.upload, cancel, TAG, "Abandons a blob upload")
                .empty(204, "The session and its chunks are gone."),
            Op::put(repo.manifests, push, TAG, "Publishes a pushed version")
                .describe("A module: its image manifest (`application/vnd.opentofu.modulepkg`, one `archive/zip` layer) tagged with the version. A provider: each platform's manifest (`application/vnd.opentofu.provider-target`) by digest, then the image index (`application/vnd.opentofu.provider`, the platform of each) tagged with the version, optionally annotated `dev.tfreg.provider.protocols`. The packages are checked and published as uploads are; the documents are served back byte for byte.")
                .body_as(documents)
                .empty(201, "Published (or, for a platform manifest, kept for its index).")
                .header(201, "Location", "The manifest by digest.")
                .header(201, "Docker-Content-Digest", "Its digest."),
        ]);
    }
    ops.into_iter().map(|op| op.auth(Auth::Token).oci_errors(errors.clone())).collect()
}
