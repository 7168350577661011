//! The publishing operations: module and provider uploads, signatures and docs, upload
//! sessions, and the version lifecycle.

use serde_json::json;

use crate::openapi::builder::{Auth, Op, Schemas};
use crate::protocol::{
    DeprecateRequest, DocsIndex, ModuleVersionView, OpenUpload, ProviderPublished, ProviderVersionView,
    PublishShaSums, RegisterExternal, ShaSumsPublished, UploadOpened, UploadReceived, UploadStatus,
    YankRequest,
};

const TAG: &str = "publishing";
const LIFECYCLE: &str = "lifecycle";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let mut ops = vec![
        metadata(Op::put("/v1/modules/{ns}/{name}/{system}/{version}", "publishModule", TAG, "Publish a module version"))
            .describe("An uploader for the namespace. The body is the archive (`.tar.gz` or `.zip`, sent as `application/octet-stream` or any type: the registry reads its bytes), or empty with `?upload=` naming a session the archive was sent to.")
            .file(&["application/octet-stream"])
            .answers(201, "Published.", s.answer::<ModuleVersionView>()),
        Op::post("/v1/modules/{ns}/{name}/{system}/{version}/external", "registerExternalModule", TAG, "Register a module version from an external source, or import it")
            .describe("An uploader for the namespace. The location is checked against the forms Terraform's module installer fetches (an `https://` archive, `git::https://...?ref=`, `git::ssh://...`, `github.com/owner/repo`, `s3::https://...`, `gcs::https://...`, with `//subdir`; no credentials, no plain `http://` but to loopback). Registered, the download answers it verbatim in `X-Terraform-Get`. With `\"import\": true` the registry fetches it once (https archives and git over https, from the hosts its operator allows) and stores it like an upload.")
            .auth(Auth::Token)
            .body(true, s.request::<RegisterExternal>())
            .answers(201, "Registered (or imported).", s.answer::<ModuleVersionView>()),
        metadata(Op::put("/v1/providers/{ns}/{type}/{version}/{os}/{arch}", "publishProvider", TAG, "Publish one platform of a provider version"))
            .describe("An uploader for the namespace. The body is the platform's zip, or empty with `?upload=`.")
            .param("protocols", "The plugin protocols the provider speaks, comma-separated (`5.0,6.0`).", json!({"type": "string"}))
            .file(&["application/octet-stream"])
            .answers(201, "Published.", s.answer::<ProviderPublished>()),
        Op::put("/v1/providers/{ns}/{type}/{version}/shasums", "publishShaSums", TAG, "Sign a provider version with the team's own key")
            .auth(Auth::Token)
            .body(true, s.request::<PublishShaSums>())
            .answers(201, "The signature is kept.", s.answer::<ShaSumsPublished>()),
        Op::put("/v1/providers/{ns}/{type}/{version}/docs", "publishProviderDocs", TAG, "Publish a provider version's `docs/` folder")
            .auth(Auth::Token)
            .param("upload", "A session the archive was sent to instead of the body.", json!({"type": "string"}))
            .file(&["application/octet-stream"])
            .answers(201, "The pages.", s.answer::<DocsIndex>()),
        Op::post("/v1/uploads", "openUpload", TAG, "Open an upload session (for files above the body limit)")
            .auth(Auth::Token)
            .body(false, s.request::<OpenUpload>())
            .answers(201, "The session and the signed URL to send the file to.", s.answer::<UploadOpened>()),
        Op::get("/v1/uploads/{id}", "uploadStatus", TAG, "An upload session and what it received")
            .auth(Auth::Token)
            .answers(200, "The session.", s.answer::<UploadStatus>()),
        Op::delete("/v1/uploads/{id}", "abandonUpload", TAG, "Abandon an upload session")
            .auth(Auth::Token)
            .empty(204, "Gone."),
        Op::put("/v1/uploads/{id}", "uploadData", TAG, "Send the file to a session's signed URL")
            .auth(Auth::Signed)
            .file(&["application/octet-stream"])
            .answers(200, "Received.", s.answer::<UploadReceived>()),
    ];
    let module = s.answer::<ModuleVersionView>();
    let provider = s.answer::<ProviderVersionView>();
    let (deprecate, yank) = (s.request::<DeprecateRequest>(), s.request::<YankRequest>());
    ops.extend(lifecycle(
        [
            "/v1/modules/{ns}/{name}/{system}/{version}/deprecation",
            "/v1/modules/{ns}/{name}/{system}/{version}/yank",
            "/v1/modules/{ns}/{name}/{system}/{version}",
        ],
        ["deprecateModule", "undeprecateModule", "yankModule", "unyankModule", "deleteModule"],
        module,
        [deprecate.clone(), yank.clone()],
    ));
    ops.extend(lifecycle(
        [
            "/v1/providers/{ns}/{type}/{version}/deprecation",
            "/v1/providers/{ns}/{type}/{version}/yank",
            "/v1/providers/{ns}/{type}/{version}",
        ],
        ["deprecateProvider", "undeprecateProvider", "yankProvider", "unyankProvider", "deleteProvider"],
        provider,
        [deprecate, yank],
    ));
    ops
}

fn metadata(op: Op) -> Op {
    op.auth(Auth::Token)
        .param("upload", "A session the file was sent to instead of the body.", json!({"type": "string"}))
        .param("description", "What it is for (plain text).", json!({"type": "string"}))
        .param("source", "Where its code lives (a URL).", json!({"type": "string"}))
}

/// Deprecate and undeprecate, yank and unyank (uploaders), and delete (master tokens only) a
/// version at `paths` (the deprecation, the yank, the version).
fn lifecycle(
    paths: [&'static str; 3],
    ids: [&'static str; 5],
    view: serde_json::Value,
    bodies: [serde_json::Value; 2],
) -> Vec<Op> {
    let [deprecation, yank, version] = paths;
    let [deprecate_body, yank_body] = bodies;
    vec![
        Op::put(
            deprecation,
            ids[0],
            LIFECYCLE,
            "Deprecate a version (it stays installable; clients are warned)",
        )
        .auth(Auth::Token)
        .body(false, deprecate_body)
        .answers(200, "The version as it now is.", view.clone()),
        Op::delete(deprecation, ids[1], LIFECYCLE, "Withdraw a deprecation").auth(Auth::Token).answers(
            200,
            "The version as it now is.",
            view.clone(),
        ),
        Op::put(
            yank,
            ids[2],
            LIFECYCLE,
            "Yank a version (out of the versions list; pinned users can still download it)",
        )
        .auth(Auth::Token)
        .body(false, yank_body)
        .answers(200, "The version as it now is.", view.clone()),
        Op::delete(yank, ids[3], LIFECYCLE, "Restore a yanked version").auth(Auth::Token).answers(
            200,
            "The version as it now is.",
            view,
        ),
        Op::delete(version, ids[4], LIFECYCLE, "Delete a version and its files")
            .auth(Auth::Token)
            .describe("Master tokens only.")
            .empty(204, "Deleted."),
    ]
}
