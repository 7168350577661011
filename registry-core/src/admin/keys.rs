//! `/v1/keys`: the public keys providers are signed with, and registering a team's key.

use http::{Response, StatusCode};

use super::AdminService;
use crate::http::body::Body;
use crate::http::router::AuditTarget;
use crate::protocol::{AddKey, KeyList};

use crate::http::response;
use crate::types::address::Name;
use crate::Error;
use crate::Result;

impl AdminService {
    /// `GET /v1/keys`: every public key (public information: no token needed).
    pub(crate) async fn key_list(&self) -> Result<Response<Body>> {
        Ok(response::json(StatusCode::OK, &KeyList { keys: self.keys.list().await? }))
    }

    /// `POST /v1/keys` with `{"namespace": "acme", "ascii_armor": "-----BEGIN PGP PUBLIC KEY..."}`.
    pub(crate) async fn key_add(&self, body: &[u8]) -> Result<Response<Body>> {
        let body: AddKey = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_body(
                "the body must be JSON: {\"namespace\": \"acme\", \"ascii_armor\": \"-----BEGIN PGP PUBLIC KEY BLOCK-----...\"}",
                e,
            )
        })?;
        let namespace = Name::parse(&body.namespace, "namespace")?;
        let record = self.keys.register_namespace_key(namespace.key(), &body.ascii_armor).await?;
        let id = record.key_id.clone();
        let mut response = response::json(StatusCode::CREATED, &record);
        response.extensions_mut().insert(AuditTarget(id));
        Ok(response)
    }
}
