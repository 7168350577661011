//! Service discovery, `/.well-known/terraform.json`.

use serde::{Deserialize, Serialize};

/// The discovery document: where each protocol lives. Values end in `/` (the provider client
/// does not add one) and may be relative to the document's URL.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Discovery {
    /// The module registry protocol's base URL.
    #[serde(rename = "modules.v1", default, skip_serializing_if = "Option::is_none")]
    pub modules_v1: Option<String>,
    /// The provider registry protocol's base URL.
    #[serde(rename = "providers.v1", default, skip_serializing_if = "Option::is_none")]
    pub providers_v1: Option<String>,
    /// Where `terraform login` signs in, when the registry signs people in.
    #[serde(rename = "login.v1", default, skip_serializing_if = "Option::is_none")]
    pub login_v1: Option<LoginV1>,
}

/// `login.v1`: the OAuth 2.0 client Terraform's `terraform login` is, and where it goes.
///
/// Read as Terraform reads it (`svchost/disco`): only `client` is required; `grant_types`
/// defaults to `["authz_code"]` and `ports` to `[1024, 65535]`, so another registry's document
/// (read by the proxy) parses whatever it leaves out.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct LoginV1 {
    /// The client id Terraform presents.
    pub client: String,
    /// `["authz_code"]`.
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<String>,
    /// The authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authz: Option<String>,
    /// The token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The loopback ports Terraform may listen on, `[min, max]`.
    #[serde(default = "default_ports")]
    pub ports: [u16; 2],
}

fn default_grant_types() -> Vec<String> {
    vec!["authz_code".to_owned()]
}

fn default_ports() -> [u16; 2] {
    [1024, 65535]
}

/// `GET /healthz` and `GET /readyz`: `{"status": "ok"}` (errors are the usual `{"errors"}`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}
