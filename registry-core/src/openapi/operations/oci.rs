//! The OCI distribution API under `/v2/` ([`crate::oci`]): the version check, the token realm,
//! and tag lists, manifests and blobs of each kind of repository.

use crate::oci::auth::TokenResponse;
use crate::oci::errors::OciErrors;
use crate::oci::manifest::{ImageIndex, ImageManifest, IMAGE_INDEX, IMAGE_MANIFEST};
use crate::oci::TagList;
use crate::openapi::builder::{Op, Schemas};
use crate::protocol::NoAttributes;

const TAG: &str = "oci";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let errors = s.answer::<OciErrors>();
    let index = s.answer::<ImageIndex>();
    let manifest = s.answer::<ImageManifest>();
    let tags = s.answer::<TagList>();
    let mut ops = vec![
        Op::get("/v2/", "ociVersion", TAG, "The OCI distribution API is here")
            .describe("`200` for a caller who may read; `401` with a `Bearer` challenge otherwise.")
            .answers(200, "The API answers; the caller may use it.", s.answer::<NoAttributes>()),
        Op::get("/v2/token", "ociToken", TAG, "A bearer token for basic credentials")
            .describe("Send a registry token as the password of basic authentication (any user name); the answer's token is what to send as `Bearer` after.")
            .param("service", "The service the challenge named.", serde_json::json!({"type": "string"}))
            .param("scope", "The scope the challenge named (`repository:{repo}:pull`).", serde_json::json!({"type": "string"}))
            .answers(200, "The bearer token.", s.answer::<TokenResponse>()),
    ];
    let repositories: [(&'static str, [&'static str; 3]); 3] = [
        (
            "provider",
            [
                "/v2/providers/{ns}/{type}/tags/list",
                "/v2/providers/{ns}/{type}/manifests/{reference}",
                "/v2/providers/{ns}/{type}/blobs/{digest}",
            ],
        ),
        (
            "mirror",
            [
                "/v2/mirror/{host}/{ns}/{type}/tags/list",
                "/v2/mirror/{host}/{ns}/{type}/manifests/{reference}",
                "/v2/mirror/{host}/{ns}/{type}/blobs/{digest}",
            ],
        ),
        (
            "module",
            [
                "/v2/modules/{ns}/{name}/{system}/tags/list",
                "/v2/modules/{ns}/{name}/{system}/manifests/{reference}",
                "/v2/modules/{ns}/{name}/{system}/blobs/{digest}",
            ],
        ),
    ];
    for (kind, [tag_list, manifests, blobs]) in repositories {
        let (tags_id, manifest_id, blob_id) = match kind {
            "provider" => ("ociProviderTags", "ociProviderManifest", "ociProviderBlob"),
            "mirror" => ("ociMirrorTags", "ociMirrorManifest", "ociMirrorBlob"),
            _ => ("ociModuleTags", "ociModuleManifest", "ociModuleBlob"),
        };
        let documents = if kind == "module" {
            vec![(IMAGE_MANIFEST, manifest.clone())]
        } else {
            vec![(IMAGE_INDEX, index.clone()), (IMAGE_MANIFEST, manifest.clone())]
        };
        ops.push(
            Op::get(tag_list, tags_id, TAG, "The repository's tags")
                .param(
                    "n",
                    "At most this many tags (a `Link` header names the next page).",
                    serde_json::json!({"type": "integer", "minimum": 0}),
                )
                .param(
                    "last",
                    "Only the tags after this one, in lexical order.",
                    serde_json::json!({"type": "string"}),
                )
                .answers(200, "The tags in lexical order.", tags.clone()),
        );
        ops.push(
            Op::get(manifests, manifest_id, TAG, "A manifest by tag or digest")
                .describe("A provider version's tag names an image index with one manifest per platform; a module version's an image manifest with the module as a zip. `Docker-Content-Digest` names the digest.")
                .answers_as(200, "The manifest.", documents),
        );
        ops.push(
            Op::get(blobs, blob_id, TAG, "A blob by digest")
                .describe(
                    "A provider package, a module's zip, or the empty config; `Range` is honoured (`206`).",
                )
                .file_answer("The blob.", &["application/octet-stream"])
                .redirect("The blob at a URL the store presigned."),
        );
    }
    ops.into_iter().map(|op| op.oci_errors(errors.clone())).collect()
}
