//! The OpenAPI 3.1 document of the registry's HTTP API, served at `GET /v1/openapi.json`.
//!
//! The document is built from the same types the handlers answer with and read: each JSON
//! body's schema is derived (with `schemars`) from its [`protocol`](crate::protocol) type, so
//! a field added to a document appears here without anyone writing it twice. The operations
//! are one table (`operations/`); a test routes a request for each through the real router and
//! checks that every route the router knows is in the table, and schemathesis checks the live
//! server's answers against the document.

mod builder;
mod document;
mod operations;

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::{Error, Result};
use builder::Schemas;
use document::{Components, Info, OpenApi, SecurityScheme, Server, Tag};

/// The document for a registry mounted at `base_path` (`""` or `/registry`), as JSON.
pub fn document(base_path: &str) -> Result<Bytes> {
    let mut schemas = Schemas::new();
    // Every operation's `default` answer refers to it.
    schemas.answer::<crate::protocol::Errors>();
    let mut paths: BTreeMap<&'static str, BTreeMap<&'static str, document::Operation>> = BTreeMap::new();
    for mut op in operations::all(&mut schemas) {
        let at_root = op.path == crate::http::router::DISCOVERY_PATH || op.path.starts_with("/v2/");
        if at_root && !base_path.is_empty() {
            op.operation.servers = Some(vec![Server { url: "/".into() }]);
        }
        let methods = paths.entry(op.path).or_default();
        if methods.insert(op.method, op.operation).is_some() {
            return Err(Error::internal(format!("{} {} is listed twice", op.method, op.path)));
        }
    }
    let schemas = schemas.finish().map_err(Error::internal)?;
    let doc = OpenApi {
        openapi: "3.1.0",
        info: Info {
            title: "tfreg",
            version: env!("CARGO_PKG_VERSION"),
            description: "A private Terraform registry: the module and provider registry protocols, the network mirror, browsing, publishing and administration. Errors are `{\"errors\": [\"...\"]}` with a 4xx or 5xx status.",
        },
        servers: vec![Server { url: if base_path.is_empty() { "/".into() } else { base_path.to_owned() } }],
        tags: vec![
            Tag { name: "protocol", description: "What Terraform and OpenTofu call." },
            Tag { name: "catalogue", description: "Browsing and search." },
            Tag { name: "publishing", description: "Uploads of modules, providers, signatures and docs." },
            Tag { name: "lifecycle", description: "Deprecating, yanking and deleting versions." },
            Tag { name: "admin", description: "Tokens, audit, signing keys and pins." },
            Tag { name: "oci", description: "The OCI distribution API: providers and modules as OCI artifacts, for OpenTofu 1.10+ and OCI clients, read and pushed. Errors are OCI error documents." },
        ],
        paths,
        components: Components {
            schemas,
            security_schemes: BTreeMap::from([(
                "token",
                SecurityScheme {
                    kind: "http",
                    scheme: "bearer",
                    description: "A tfreg token: `Authorization: Bearer <token>` (what Terraform sends from its credentials).",
                },
            )]),
        },
    };
    serde_json::to_vec(&doc)
        .map(Bytes::from)
        .map_err(|e| Error::internal_with("cannot render the OpenAPI document", e))
}
