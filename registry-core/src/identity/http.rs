//! What reaches the identity provider. The core carries no HTTP client, so the host implements
//! [`OidcHttp`] (the `tfreg` server does, with `reqwest`).

use async_trait::async_trait;

use crate::modules::external::fetch::FetchError;

/// The calls an OpenID Connect relying party makes, and the one of AWS workload identity.
#[async_trait]
pub trait OidcHttp: Send + Sync + std::fmt::Debug + 'static {
    /// `GET url`, a JSON answer (the discovery document, the JWKS).
    async fn get_json(&self, url: &str) -> Result<serde_json::Value, FetchError>;

    /// `POST url` of an `application/x-www-form-urlencoded` `form`, with HTTP basic
    /// authentication as `basic` (client id, client secret) when given; the JSON answer, also of
    /// a 4xx (OAuth errors are JSON documents).
    async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<(u16, serde_json::Value), FetchError>;

    /// `POST url` of `body` with exactly `headers` and nothing else but `Host` and
    /// `Content-Length` (an AWS caller's signed `GetCallerIdentity` request, forwarded to STS as
    /// it was signed); the status and body of the answer, also of a 4xx.
    async fn post_signed(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), FetchError>;
}
