//! The proxy's HTTP client: `reqwest` over rustls, trusting the system's store and
//! `SSL_CERT_FILE` as the Terraform CLI does, so a private upstream with its own CA works.

use std::time::Duration;

use async_trait::async_trait;
use tfreg_core::upstream::{UpstreamClient, UpstreamError, UpstreamResponse};

/// Upstream requests over HTTPS.
#[derive(Debug)]
pub(crate) struct HttpUpstream {
    client: reqwest::Client,
}

impl HttpUpstream {
    pub(crate) fn new() -> crate::Result<Self> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("tfreg/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }
}

#[async_trait]
impl UpstreamClient for HttpUpstream {
    async fn get(&self, url: &str, token: Option<&str>) -> Result<UpstreamResponse, UpstreamError> {
        let mut request = self.client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let describe = |err: reqwest::Error| {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text = format!("{text}: {cause}");
                source = cause.source();
            }
            if err.is_timeout() {
                UpstreamError::Timeout(text)
            } else {
                UpstreamError::Unreachable(text)
            }
        };
        let response = request.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let terraform_get =
            response.headers().get("x-terraform-get").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.bytes().await.map_err(describe)?;
        Ok(UpstreamResponse { status, terraform_get, body })
    }
}
