//! The documents of trusted publishing: the rules that let a CI job's own OIDC token stand for
//! a short-lived tfreg token, and the exchange.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /v1/auth/trust`: which workload tokens may be exchanged, for what.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrust {
    /// The CI platform's issuer (`https://token.actions.githubusercontent.com`,
    /// `https://gitlab.com`), or `aws` for AWS callers (claims `arn`, `account`, `user_id`,
    /// `role`, `session`).
    pub issuer: String,
    /// The audience the token must be for (`aud`; for AWS, the signed `X-Tfreg-Audience`
    /// header); absent: `tfreg`.
    #[serde(default)]
    pub audience: Option<String>,
    /// Claims the token must have, each a glob (`*` for any text): `{"repository":
    /// "acme/terraform-aws-network", "ref": "refs/tags/v*"}`. At least one.
    pub claims: BTreeMap<String, String>,
    /// `uploader` or `downloader`.
    pub tier: String,
    /// The namespaces the token is limited to (at least one).
    pub namespaces: Vec<String>,
    /// How long the minted token lives, in seconds (60 to 43,200; 900 by default).
    #[serde(default)]
    pub lifetime_secs: Option<u64>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A trust rule as stored and shown.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct TrustView {
    /// Its id.
    pub id: String,
    /// The issuer.
    pub issuer: String,
    /// The audience.
    pub audience: String,
    /// The claims, as globs.
    pub claims: BTreeMap<String, String>,
    /// The tier it grants.
    pub tier: String,
    /// The namespaces it grants.
    pub namespaces: Vec<String>,
    /// The minted token's lifetime in seconds.
    pub lifetime_secs: u64,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// `GET /v1/auth/trust`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct TrustList {
    /// The rules.
    pub rules: Vec<TrustView>,
}

/// `POST /v1/auth/exchange`: the CI platform's OIDC token (`token`), or an AWS caller's signed
/// `sts:GetCallerIdentity` request in the fields of Vault's `aws` auth method (`iam_*`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRequest {
    /// The JSON Web Token the CI job got from its platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// AWS: the signed request's method, `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_http_request_method: Option<String>,
    /// AWS: its URL (`https://sts.amazonaws.com/`), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_request_url: Option<String>,
    /// AWS: its body (`Action=GetCallerIdentity&Version=2011-06-15`), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_request_body: Option<String>,
    /// AWS: its headers as JSON (`{"Authorization": ["AWS4-HMAC-SHA256 ..."], ...}`, with
    /// `X-Tfreg-Audience` among the signed ones), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_request_headers: Option<String>,
}

/// The answer to an exchange: a short-lived tfreg token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Exchanged {
    /// The token (shown this once).
    pub token: String,
    /// Its id in the token API.
    pub id: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    /// Its tier.
    pub tier: String,
    /// Its namespaces.
    pub namespaces: Vec<String>,
    /// The trust rule that granted it.
    pub rule: String,
}
