//! `/v1/keys`: the public keys providers are signed with, and registering a team's key.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::http::response;
use crate::registry::Registry;
use crate::types::address::Name;
use crate::Error;
use crate::Result;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddKey {
    namespace: String,
    ascii_armor: String,
}

impl Registry {
    /// `GET /v1/keys`: every public key (public information: no token needed).
    pub(crate) async fn key_list(&self) -> Result<Response<Bytes>> {
        let keys = self.inner.keys.list().await?;
        Ok(response::json(StatusCode::OK, &json!({ "keys": keys })))
    }

    /// `POST /v1/keys` with `{"namespace": "acme", "ascii_armor": "-----BEGIN PGP PUBLIC KEY..."}`.
    pub(crate) async fn key_add(&self, body: &[u8]) -> Result<Response<Bytes>> {
        let body: AddKey = serde_json::from_slice(body).map_err(|e| {
            Error::bad_request(format!(
                "the body must be JSON: {{\"namespace\": \"acme\", \"ascii_armor\": \"-----BEGIN PGP PUBLIC KEY BLOCK-----...\"}}: {e}"
            ))
        })?;
        let namespace = Name::parse(&body.namespace, "namespace")?;
        let record = self.inner.keys.register_namespace_key(namespace.key(), &body.ascii_armor).await?;
        Ok(response::json(StatusCode::CREATED, &record))
    }
}
