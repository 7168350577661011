//! The operations of publishing from source control: the webhooks hosts deliver to, the
//! sources API, the record of deliveries and the syncs (see [`crate::scm`]).

use serde_json::json;

use crate::openapi::builder::{Auth, Op, Schemas};
use crate::protocol::{CreateSource, DeliveryList, DeliveryView, SourceList, SourceView, SyncReport};

const TAG: &str = "source control";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let delivery = s.answer::<DeliveryView>();
    let webhook = |op: Op| {
        op.auth(Auth::Public)
            .body(true, json!({"type": "object", "description": "The host's event payload, as it sends it."}))
            .answers(
                200,
                "What the delivery did (or, for a delivery handled before, what it did then).",
                delivery.clone(),
            )
            .empty(502, "Some of it failed (fetching an archive, publishing); a redelivery tries again.")
    };
    let source = s.answer::<SourceView>();
    let sync = s.answer::<SyncReport>();
    vec![
        webhook(
            Op::post("/v1/webhooks/github", "githubAppWebhook", TAG, "A delivery to the GitHub App")
                .describe(
                "Signed with the App's webhook secret in `X-Hub-Signature-256` (HMAC-SHA256, `sha256=`); \
             unsigned or wrongly signed deliveries are refused with 401. Events: `installation`, \
             `installation_repositories`, `create`, `push`, `release`, `repository`, `ping`; \
             `X-GitHub-Delivery` makes a redelivery do nothing twice.",
            ),
        ),
        webhook(
            Op::post("/v1/webhooks/{kind}/{id}", "sourceWebhook", TAG, "A delivery to a source's own hook")
                .describe(
                "GitHub: `X-Hub-Signature-256`, tag `push`/`create`/`release`. GitLab: `X-Gitlab-Token`, \
             `Tag Push Hook`. Bitbucket Cloud and Data Center: `X-Hub-Signature` (HMAC-SHA256), \
             `repo:push` / `repo:refs_changed` with tag changes.",
            ),
        ),
        Op::get("/v1/webhooks/deliveries", "listDeliveries", TAG, "The recent deliveries and what each did")
            .auth(Auth::Token)
            .describe("Master tokens only.")
            .param(
                "limit",
                "How many (1 to 500, 50 by default).",
                json!({"type": "integer", "minimum": 1, "maximum": 500}),
            )
            .answers(200, "The deliveries, newest first.", s.answer::<DeliveryList>()),
        Op::post(
            "/v1/github/installations/{installation}/sync",
            "syncInstallation",
            TAG,
            "Read an App installation again",
        )
        .auth(Auth::Token)
        .describe(
            "Master tokens only. Publishes every version tag of its module repositories not yet published.",
        )
        .answers(200, "What it found and did.", sync.clone()),
        Op::post("/v1/sources", "createSource", TAG, "Register a repository with its own webhook")
            .auth(Auth::Token)
            .describe("Master or an uploader of the namespace.")
            .body(true, s.request::<CreateSource>())
            .answers(201, "The source, with the hook URL to give the host.", source.clone()),
        Op::get("/v1/sources", "listSources", TAG, "The sources in namespaces the caller may publish to")
            .auth(Auth::Token)
            .answers(200, "The sources.", s.answer::<SourceList>()),
        Op::get("/v1/sources/{id}", "getSource", TAG, "A source").auth(Auth::Token).answers(
            200,
            "The source.",
            source,
        ),
        Op::delete("/v1/sources/{id}", "deleteSource", TAG, "Remove a source (what it published stays)")
            .auth(Auth::Token)
            .empty(204, "Removed."),
        Op::post("/v1/sources/{id}/sync", "syncSource", TAG, "Publish every version tag not yet published")
            .auth(Auth::Token)
            .answers(200, "What it found and did.", sync),
    ]
}
