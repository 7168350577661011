//! The relying party's view of the provider: its discovery document (read once), its keys
//! (read again when a token names a key not seen yet: key rotation), and ID tokens checked
//! against them: signature (asymmetric algorithms only), issuer, audience, expiry and
//! not-before by the registry's clock (with a minute of leeway), and the nonce of the sign-in.

use std::sync::Arc;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::http::OidcHttp;
use crate::clock::SharedClock;
use crate::{Error, Result};

/// How far clocks may disagree, in seconds.
const LEEWAY: u64 = 60;

/// The endpoints of the provider's discovery document the registry uses.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ProviderMetadata {
    pub(crate) issuer: String,
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: String,
    pub(crate) jwks_uri: String,
}

/// Checks ID tokens of one issuer for one audience.
#[derive(Debug)]
pub(crate) struct Verifier {
    http: Arc<dyn OidcHttp>,
    issuer: String,
    audience: String,
    clock: SharedClock,
    metadata: tokio::sync::OnceCell<ProviderMetadata>,
    keys: tokio::sync::RwLock<Option<JwkSet>>,
}

fn refused(why: impl std::fmt::Display) -> Error {
    Error::unauthorized(format!("the ID token is not valid: {why}"))
}

impl Verifier {
    pub(crate) fn new(http: Arc<dyn OidcHttp>, issuer: &str, audience: &str, clock: SharedClock) -> Self {
        Self {
            http,
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience: audience.to_owned(),
            clock,
            metadata: tokio::sync::OnceCell::new(),
            keys: tokio::sync::RwLock::new(None),
        }
    }

    /// The provider's discovery document, read on first use and checked to be the issuer's.
    pub(crate) async fn metadata(&self) -> Result<&ProviderMetadata> {
        self.metadata
            .get_or_try_init(|| async {
                let url = format!("{}/.well-known/openid-configuration", self.issuer);
                let document = self.http.get_json(&url).await?;
                let metadata: ProviderMetadata = serde_json::from_value(document).map_err(|e| {
                    Error::upstream(format!("{url} is not an OpenID Connect discovery document: {e}"))
                })?;
                if metadata.issuer.trim_end_matches('/') != self.issuer {
                    return Err(Error::upstream(format!(
                        "{url} names the issuer {:?}, not {:?}",
                        metadata.issuer, self.issuer
                    )));
                }
                Ok(metadata)
            })
            .await
    }

    async fn fetch_keys(&self) -> Result<JwkSet> {
        let url = self.metadata().await?.jwks_uri.clone();
        let keys: JwkSet = serde_json::from_value(self.http.get_json(&url).await?)
            .map_err(|e| Error::upstream(format!("{url} is not a JSON Web Key Set: {e}")))?;
        *self.keys.write().await = Some(keys.clone());
        Ok(keys)
    }

    /// The key `kid` names (the only key, without a `kid`), reading the keys again once when
    /// it is not among those known.
    async fn key(&self, kid: Option<&str>) -> Result<DecodingKey> {
        let find = |set: &JwkSet| match kid {
            Some(kid) => set.find(kid).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        let known = self.keys.read().await.as_ref().and_then(find);
        let jwk = match known {
            Some(jwk) => jwk,
            None => find(&self.fetch_keys().await?).ok_or_else(|| {
                refused(format!("it is signed with a key ({kid:?}) the provider does not publish"))
            })?,
        };
        DecodingKey::from_jwk(&jwk).map_err(|e| refused(format!("the provider's key cannot be used: {e}")))
    }

    /// The claims of `token` when it is a valid ID token of the issuer for the audience (with
    /// `nonce`, for a sign-in's).
    pub(crate) async fn verify(&self, token: &str, nonce: Option<&str>) -> Result<Value> {
        let header = jsonwebtoken::decode_header(token).map_err(refused)?;
        let asymmetric = matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        );
        if !asymmetric {
            return Err(refused(format!("{:?} is not an algorithm the registry accepts", header.alg)));
        }
        let key = self.key(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer, &format!("{}/", self.issuer)]);
        validation.set_audience(&[&self.audience]);
        // Time is checked below by the registry's clock.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(refused)?.claims;
        let now = self.clock.unix_now();
        let exp = claims.get("exp").and_then(Value::as_u64).ok_or_else(|| refused("no exp"))?;
        if exp + LEEWAY <= now {
            return Err(refused("it has expired"));
        }
        if claims.get("nbf").and_then(Value::as_u64).is_some_and(|nbf| nbf > now + LEEWAY) {
            return Err(refused("it is not valid yet"));
        }
        if nonce.is_some_and(|n| claims.get("nonce").and_then(Value::as_str) != Some(n)) {
            return Err(refused("its nonce is not this sign-in's"));
        }
        Ok(claims)
    }
}
