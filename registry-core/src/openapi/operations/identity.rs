//! The operations of `terraform login` (see [`crate::identity`]): the OAuth 2.0 authorization
//! server Terraform's `login.v1` client talks to, and the return from the identity provider.

use serde_json::json;

use crate::openapi::builder::{Auth, Op, Schemas};
use crate::protocol::{CreateTrust, ExchangeRequest, Exchanged, TrustList, TrustView};

const TAG: &str = "identity";

pub(crate) fn operations(s: &mut Schemas) -> Vec<Op> {
    let text = |description: &'static str| json!({"type": "string", "description": description});
    vec![
        Op::get("/oauth/authorization", "loginAuthorization", TAG, "Terraform's authorization request")
            .auth(Auth::Public)
            .describe("Sent on to the identity provider. Only when the registry signs people in (`login.v1` in discovery).")
            .query("response_type", "`code`.", true, text("code"))
            .query("client_id", "`terraform-cli`.", true, text("terraform-cli"))
            .query("redirect_uri", "Terraform's `http://localhost:PORT/login`, PORT from 10000 to 10010.", true, text("URL"))
            .query("state", "Terraform's state, handed back.", true, text("state"))
            .query("code_challenge", "The base64url SHA-256 of Terraform's PKCE verifier.", true, text("challenge"))
            .query("code_challenge_method", "`S256`.", true, text("S256"))
            .redirect("To the identity provider's sign-in."),
        Op::get("/oauth/callback", "loginCallback", TAG, "Back from the identity provider")
            .auth(Auth::Public)
            .query("state", "The sign-in's state.", true, text("state"))
            .param("code", "The provider's authorization code.", text("code"))
            .param("error", "The provider's error, when it refused.", text("error"))
            .redirect("To Terraform's redirect URI with a one-time code."),
        Op::post("/oauth/token", "loginToken", TAG, "Trade the one-time code for a tfreg token")
            .auth(Auth::Public)
            .describe(
                "A form: `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id`, `code_verifier`. \
                 Answers `{\"access_token\", \"token_type\": \"bearer\", \"expires_in\"}`, or 400 with OAuth's \
                 `error` (`invalid_grant`, ...) beside `errors`.",
            )
            .body_as(vec![("application/x-www-form-urlencoded", json!({"type": "object",
                "required": ["grant_type", "code", "redirect_uri", "client_id", "code_verifier"],
                "properties": {"grant_type": {"type": "string"}, "code": {"type": "string"},
                    "redirect_uri": {"type": "string"}, "client_id": {"type": "string"},
                    "code_verifier": {"type": "string"}}}))])
            .answers(200, "The token.", json!({"type": "object", "required": ["access_token", "token_type"],
                "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"}, "expires_in": {"type": "integer"}}})),
        Op::post("/v1/auth/exchange", "exchangeToken", TAG, "Trade a CI job's OIDC token, or an AWS caller's signed request, for a short-lived token")
            .auth(Auth::Public)
            .describe("Trusted publishing: `{\"token\"}` is checked against its issuer's keys, then against the trust rules. \
                       AWS callers send a signed `sts:GetCallerIdentity` request in Vault's `iam_*` fields (with `X-Tfreg-Audience` signed); \
                       the registry forwards it to AWS STS and matches the caller's ARN against the rules with issuer `aws`. \
                       400 for a request it would not forward, 401 when the token or STS refuses, 403 saying which claim of which rule did not match.")
            .body(true, s.request::<ExchangeRequest>())
            .answers(200, "The token, shown this once.", s.answer::<Exchanged>()),
        Op::post("/v1/auth/trust", "createTrust", TAG, "Add a trusted publishing rule")
            .auth(Auth::Token)
            .describe("Master tokens only.")
            .body(true, s.request::<CreateTrust>())
            .answers(201, "The rule.", s.answer::<TrustView>()),
        Op::get("/v1/auth/trust", "listTrust", TAG, "The trusted publishing rules")
            .auth(Auth::Token)
            .describe("Master tokens only.")
            .answers(200, "The rules.", s.answer::<TrustList>()),
        Op::delete("/v1/auth/trust/{id}", "deleteTrust", TAG, "Remove a trusted publishing rule")
            .auth(Auth::Token)
            .describe("Master tokens only.")
            .empty(204, "Removed."),
    ]
}
