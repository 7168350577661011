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
}

/// `GET /healthz` and `GET /readyz`: `{"status": "ok"}` (errors are the usual `{"errors"}`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}
