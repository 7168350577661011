//! The OpenAPI 3.1 document's objects, as far as the registry uses them: a typed form that
//! serialises to the document `GET /v1/openapi.json` answers.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// The root object.
#[derive(Debug, Serialize)]
pub(crate) struct OpenApi {
    pub(crate) openapi: &'static str,
    pub(crate) info: Info,
    pub(crate) servers: Vec<Server>,
    pub(crate) tags: Vec<Tag>,
    /// Path template -> method (`get`, `put`, ...) -> operation.
    pub(crate) paths: BTreeMap<&'static str, BTreeMap<&'static str, Operation>>,
    pub(crate) components: Components,
}

/// `info`.
#[derive(Debug, Serialize)]
pub(crate) struct Info {
    pub(crate) title: &'static str,
    pub(crate) version: &'static str,
    pub(crate) description: &'static str,
}

/// One entry of `servers`.
#[derive(Debug, Serialize)]
pub(crate) struct Server {
    pub(crate) url: String,
}

/// One entry of `tags`: a group of operations.
#[derive(Debug, Serialize)]
pub(crate) struct Tag {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
}

/// An operation on a path.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Operation {
    pub(crate) operation_id: &'static str,
    pub(crate) summary: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<&'static str>,
    pub(crate) tags: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) parameters: Vec<Parameter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) request_body: Option<RequestBody>,
    /// Status (`200`, `default`) -> response.
    pub(crate) responses: BTreeMap<String, Response>,
    /// Each entry one way to be let in; `{}` is "without credentials".
    pub(crate) security: Vec<BTreeMap<&'static str, Vec<String>>>,
    /// Where the operation lives when not under the document's server: the root of the host,
    /// for what clients look for there whatever the base path (discovery, `/v2/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) servers: Option<Vec<Server>>,
}

/// Where a parameter is.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum In {
    Path,
    Query,
}

/// A path or query parameter.
#[derive(Debug, Serialize)]
pub(crate) struct Parameter {
    pub(crate) name: &'static str,
    #[serde(rename = "in")]
    pub(crate) location: In,
    pub(crate) required: bool,
    pub(crate) description: &'static str,
    pub(crate) schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) example: Option<&'static str>,
}

/// A request body.
#[derive(Debug, Serialize)]
pub(crate) struct RequestBody {
    pub(crate) required: bool,
    pub(crate) content: BTreeMap<&'static str, MediaType>,
}

/// A body's schema for one media type.
#[derive(Debug, Serialize)]
pub(crate) struct MediaType {
    pub(crate) schema: Value,
}

/// One response.
#[derive(Debug, Serialize)]
pub(crate) struct Response {
    pub(crate) description: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<&'static str, Header>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) content: BTreeMap<&'static str, MediaType>,
}

/// A response header.
#[derive(Debug, Serialize)]
pub(crate) struct Header {
    pub(crate) description: &'static str,
    pub(crate) required: bool,
    pub(crate) schema: Value,
}

/// `components`: the schemas of every document, and how callers authenticate.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Components {
    pub(crate) schemas: Map<String, Value>,
    pub(crate) security_schemes: BTreeMap<&'static str, SecurityScheme>,
}

/// An HTTP authentication scheme.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecurityScheme {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) scheme: &'static str,
    pub(crate) description: &'static str,
}
