//! Bearer tokens: how they look, how they are hashed, and the master token.
//!
//! A token is `tfreg_` followed by 43 characters of base64url (256 random bits), so secret
//! scanners can recognise a leaked one; tokens the registry issues add 8 characters of a keyed
//! checksum (see [`TokenStore`]), so a forged one is refused without reading the store. Only a
//! token's SHA-256 is ever stored or compared, and the comparison takes constant time.

use std::sync::Arc;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Authenticator, Principal, Role, TokenStore};
use crate::storage::layout;
use crate::storage::{PutMode, Storage, StorageError};
use crate::Error;
use crate::Result;

/// The prefix of every token the registry issues.
pub const TOKEN_PREFIX: &str = "tfreg_";

/// The shortest master token accepted from configuration.
const MIN_CONFIGURED_TOKEN_LEN: usize = 16;

/// A new random token.
pub fn generate_token() -> Result<String> {
    let bytes = crate::random::bytes::<32>()?;
    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The SHA-256 of a token: the only form in which the registry keeps one.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The bearer token of a request: `Ok(None)` without an `Authorization` header, 401 for a
/// header that is not `Bearer <token>`.
pub fn bearer_token(request: &http::request::Parts) -> Result<Option<&str>> {
    let Some(value) = request.headers.get(http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value =
        value.to_str().map_err(|_| Error::unauthorized("the Authorization header is not valid text"))?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(Error::unauthorized("the Authorization header must be `Bearer <token>`")),
    };
    if token.is_empty() {
        return Err(Error::unauthorized("the Authorization header has an empty token"));
    }
    Ok(Some(token))
}

/// The built-in authenticator: the master token, and the tokens of a [`TokenStore`].
#[derive(Clone)]
pub struct TokenAuthenticator {
    master_hash: Option<[u8; 32]>,
    tokens: Option<Arc<TokenStore>>,
}

impl std::fmt::Debug for TokenAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenAuthenticator { .. }")
    }
}

impl TokenAuthenticator {
    /// Accepts the master token with this SHA-256 (if any) and the tokens `tokens` issued (if
    /// given).
    pub fn new(master_hash: Option<[u8; 32]>, tokens: Option<Arc<TokenStore>>) -> Self {
        Self { master_hash, tokens }
    }

    /// Accepts only the master token with this SHA-256.
    pub fn master_only(master_hash: [u8; 32]) -> Self {
        Self::new(Some(master_hash), None)
    }
}

#[async_trait]
impl Authenticator for TokenAuthenticator {
    async fn authenticate(&self, request: &http::request::Parts) -> Result<Option<Principal>> {
        let Some(token) = bearer_token(request)? else {
            return Ok(None);
        };
        if let Some(master) = &self.master_hash {
            if bool::from(hash_token(token).ct_eq(master)) {
                return Ok(Some(Principal { id: "master".into(), role: Role::Master, namespaces: None }));
            }
        }
        match &self.tokens {
            Some(tokens) => tokens.principal(token).await.map(Some),
            None => Err(Error::unauthorized("the token is not valid for this registry")),
        }
    }
}

/// The master token, set up on start.
pub struct MasterToken {
    /// Its SHA-256, for [`TokenAuthenticator`].
    pub hash: [u8; 32],
    /// The token itself, only when it was generated just now: show it once, then forget it.
    pub generated: Option<String>,
}

impl std::fmt::Debug for MasterToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterToken { .. }")
    }
}

impl MasterToken {
    /// Uses `configured` (for example `TFREG_MASTER_TOKEN`) when given; otherwise the master token
    /// generated on an earlier start (its hash is in `storage`), or generates one now and stores
    /// only its hash.
    pub async fn bootstrap(storage: &dyn Storage, configured: Option<&str>) -> Result<Self> {
        if let Some(token) = configured {
            if token.len() < MIN_CONFIGURED_TOKEN_LEN || token.chars().any(char::is_whitespace) {
                return Err(Error::bad_request(format!(
                    "the configured master token must be at least {MIN_CONFIGURED_TOKEN_LEN} characters without spaces"
                )));
            }
            return Ok(Self { hash: hash_token(token), generated: None });
        }
        loop {
            if let Some(object) = storage.get(layout::MASTER_TOKEN_HASH).await? {
                let hash = hex::decode(object.body.trim_ascii())
                    .ok()
                    .and_then(|h| <[u8; 32]>::try_from(h).ok())
                    .ok_or_else(|| Error::internal(format!("{} is corrupt", layout::MASTER_TOKEN_HASH)))?;
                return Ok(Self { hash, generated: None });
            }
            let token = generate_token()?;
            let hash = hash_token(&token);
            match storage
                .put(layout::MASTER_TOKEN_HASH, Bytes::from(hex::encode(hash)), PutMode::Create)
                .await
            {
                Ok(_) => return Ok(Self { hash, generated: Some(token) }),
                Err(StorageError::AlreadyExists { .. }) => continue,
                Err(err) => return Err(err.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(authorization: Option<&str>) -> http::request::Parts {
        let mut builder = http::Request::builder();
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn tokens_are_prefixed_and_random() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert!(a.starts_with("tfreg_") && a.len() == 6 + 43, "{a}");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn master_token_is_recognised() {
        let auth = TokenAuthenticator::master_only(hash_token("secret-secret-secret"));
        let ok = auth.authenticate(&parts(Some("Bearer secret-secret-secret"))).await.unwrap();
        assert_eq!(ok.unwrap().role, Role::Master);
        assert!(auth.authenticate(&parts(None)).await.unwrap().is_none());
        for bad in ["Bearer wrong", "Basic abc", "Bearer ", "secret-secret-secret"] {
            let err = auth.authenticate(&parts(Some(bad))).await.unwrap_err();
            assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED, "{bad}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
