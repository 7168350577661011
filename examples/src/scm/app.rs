//! GitHub App authentication: an RS256 JSON Web Token signed with the App's private key (valid
//! ten minutes, as GitHub allows) buys an installation access token (valid an hour), which is
//! cached per installation until five minutes before it expires.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tfreg_core::modules::external::fetch::FetchError;

/// The App's id and key, and the installation tokens it got.
pub(super) struct AppAuth {
    app_id: u64,
    key: EncodingKey,
    tokens: tokio::sync::Mutex<HashMap<u64, (String, Instant)>>,
}

#[derive(serde::Serialize)]
struct Claims {
    iat: u64,
    exp: u64,
    iss: String,
}

#[derive(serde::Deserialize)]
struct AccessToken {
    token: String,
}

/// How long an installation token is used: GitHub's hour, less a margin.
const TOKEN_LIFE: Duration = Duration::from_secs(55 * 60);

impl AppAuth {
    /// Reads the App's PEM private key (PKCS#1, as GitHub makes it, or PKCS#8).
    pub(super) fn new(app_id: u64, pem: &[u8]) -> crate::Result<Self> {
        let key = EncodingKey::from_rsa_pem(pem)
            .map_err(|e| format!("the GitHub App private key is not an RSA key in PEM: {e}"))?;
        Ok(Self { app_id, key, tokens: tokio::sync::Mutex::new(HashMap::new()) })
    }

    /// A fresh JWT for the App itself (`Authorization: Bearer`).
    pub(super) fn jwt(&self) -> Result<String, FetchError> {
        let now = tfreg_core::clock::unix_now();
        // Issued a minute early for clock drift; GitHub allows at most ten minutes.
        let claims = Claims { iat: now.saturating_sub(60), exp: now + 540, iss: self.app_id.to_string() };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| FetchError::Failed(format!("cannot sign the GitHub App's JWT: {e}")))
    }

    /// An installation access token, from the cache or from `POST
    /// {api}/app/installations/{id}/access_tokens`.
    pub(super) async fn installation_token(
        &self,
        client: &reqwest::Client,
        api: &str,
        installation: u64,
    ) -> Result<String, FetchError> {
        let mut tokens = self.tokens.lock().await;
        if let Some((token, at)) = tokens.get(&installation) {
            if at.elapsed() < TOKEN_LIFE {
                return Ok(token.clone());
            }
        }
        let url = format!("{api}/app/installations/{installation}/access_tokens");
        let request = super::github_headers(client.post(&url)).bearer_auth(self.jwt()?);
        let token: AccessToken = super::send_json(request, &url).await?;
        tokens.insert(installation, (token.token.clone(), Instant::now()));
        Ok(token.token)
    }
}
