//! The operations of the registry's operators: tokens, the audit trail, signing keys and the
//! proxy's pins.

use serde_json::json;

use crate::openapi::builder::{Auth, Op, Schemas};
use crate::protocol::{
    AddKey, AuditPage, CreateToken, CreatedToken, KeyList, KeyRecord, PinList, Pinned, TokenList,
};

const TAG: &str = "admin";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let pinned = s.answer::<Pinned>();
    let constraint = |op: Op| {
        op.param(
            "constraint",
            "Copy every upstream version that meets it (`~> 1.2`) instead of one.",
            json!({"type": "string"}),
        )
    };
    let master = |op: Op| op.auth(Auth::Token).describe("Master tokens only.");
    vec![
        master(Op::post("/v1/tokens", "createToken", TAG, "Issue a token"))
            .body(true, s.request::<CreateToken>())
            .answers(201, "The token; its secret is shown only here.", s.answer::<CreatedToken>()),
        master(Op::get("/v1/tokens", "listTokens", TAG, "Every issued token (without secrets)")).answers(
            200,
            "The tokens.",
            s.answer::<TokenList>(),
        ),
        master(Op::delete("/v1/tokens/{id}", "revokeToken", TAG, "Revoke a token")).empty(204, "Revoked."),
        master(Op::get("/v1/audit", "audit", TAG, "The audit trail, newest first"))
            .param(
                "limit",
                "How many entries (1 to 500).",
                json!({"type": "integer", "minimum": 1, "maximum": 500}),
            )
            .param("after", "The `next` of the previous page.", json!({"type": "string"}))
            .answers(200, "A page of entries.", s.answer::<AuditPage>()),
        Op::get("/v1/keys", "listKeys", TAG, "The public keys provider signatures verify against")
            .auth(Auth::Public)
            .answers(200, "The keys.", s.answer::<KeyList>()),
        master(Op::post("/v1/keys", "addKey", TAG, "Register a team's public key for a namespace"))
            .body(true, s.request::<AddKey>())
            .answers(201, "The key.", s.answer::<KeyRecord>()),
        master(Op::get("/v1/pins", "listPins", TAG, "What the proxy has copied from its upstream")).answers(
            200,
            "The pins.",
            s.answer::<PinList>(),
        ),
        constraint(master(Op::post(
            "/v1/pins/{ns}/{name}/{system}",
            "pinModule",
            TAG,
            "Copy a module's versions from the upstream",
        )))
        .answers(201, "What was copied.", pinned.clone()),
        master(Op::post(
            "/v1/pins/{ns}/{name}/{system}/{version}",
            "pinModuleVersion",
            TAG,
            "Copy one module version from the upstream",
        ))
        .answers(201, "What was copied.", pinned.clone()),
        master(Op::delete(
            "/v1/pins/{ns}/{name}/{system}/{version}",
            "unpinModule",
            TAG,
            "Drop a copied module version",
        ))
        .empty(204, "Dropped."),
        constraint(master(Op::post(
            "/v1/pins/providers/{ns}/{type}",
            "pinProvider",
            TAG,
            "Copy a provider's versions from the upstream",
        )))
        .answers(201, "What was copied.", pinned.clone()),
        master(Op::post(
            "/v1/pins/providers/{ns}/{type}/{version}",
            "pinProviderVersion",
            TAG,
            "Copy one provider version from the upstream",
        ))
        .answers(201, "What was copied.", pinned),
        master(Op::delete(
            "/v1/pins/providers/{ns}/{type}/{version}",
            "unpinProvider",
            TAG,
            "Drop a copied provider version",
        ))
        .empty(204, "Dropped."),
    ]
}
