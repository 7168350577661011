//! The [`OidcHttp`] the core reaches identity providers and AWS STS with (`reqwest`), shared by
//! `tfreg serve` and the Lambda function.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use tfreg_core::identity::OidcHttp;
use tfreg_core::modules::external::fetch::FetchError;

/// The provider's client.
#[derive(Debug)]
pub(crate) struct HttpOidc {
    client: reqwest::Client,
}

fn failed(url: &str, err: reqwest::Error) -> FetchError {
    match err.is_timeout() {
        true => FetchError::Timeout(format!("{url} did not answer in time")),
        false => FetchError::Failed(format!("cannot reach {url}: {err}")),
    }
}

async fn json_of(url: &str, answer: reqwest::Response) -> Result<(u16, serde_json::Value), FetchError> {
    let status = answer.status().as_u16();
    let body = answer.bytes().await.map_err(|e| failed(url, e))?;
    if body.len() > 1 << 20 {
        return Err(FetchError::Failed(format!("{url} answered more than 1 MiB")));
    }
    let value = serde_json::from_slice(&body).map_err(|e| {
        FetchError::Failed(format!("{url} answered {status} with something that is not JSON: {e}"))
    })?;
    Ok((status, value))
}

#[async_trait]
impl OidcHttp for HttpOidc {
    async fn get_json(&self, url: &str) -> Result<serde_json::Value, FetchError> {
        let answer = self.client.get(url).send().await.map_err(|e| failed(url, e))?;
        match json_of(url, answer).await? {
            (200, value) => Ok(value),
            (status, _) => Err(FetchError::Failed(format!("{url} answered {status}"))),
        }
    }

    async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<(u16, serde_json::Value), FetchError> {
        let mut request = self.client.post(url).form(form);
        if let Some((id, secret)) = basic {
            // RFC 6749 2.3.1: both form-urlencoded before they are joined.
            let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair =
                base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)));
            request = request.header(reqwest::header::AUTHORIZATION, format!("Basic {pair}"));
        }
        let answer = request.send().await.map_err(|e| failed(url, e))?;
        json_of(url, answer).await
    }

    async fn post_signed(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), FetchError> {
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let answer = request.send().await.map_err(|e| failed(url, e))?;
        let status = answer.status().as_u16();
        let body = answer.bytes().await.map_err(|e| failed(url, e))?;
        if body.len() > 64 * 1024 {
            return Err(FetchError::Failed(format!("{url} answered more than 64 KiB")));
        }
        Ok((status, body.to_vec()))
    }
}

/// The client: rustls, 10 s to connect, 30 s per answer, no redirects followed.
pub(crate) fn client() -> Result<Arc<HttpOidc>, reqwest::Error> {
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tfreg/", env!("CARGO_PKG_VERSION")))
        .build()?;
    Ok(Arc::new(HttpOidc { client }))
}
