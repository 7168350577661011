//! `terraform login` through an OpenID Connect provider for `tfreg serve` (`--oidc-*`): the
//! [`OidcHttp`] the core reaches the provider with (`reqwest`), and the settings read from the
//! flags and files; it also forwards AWS callers' signed requests to STS (`--aws-sts-url`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use tfreg_core::identity::{ClaimRules, OidcConfig, OidcHttp};
use tfreg_core::modules::external::fetch::FetchError;

use crate::cli::ServeArgs;

/// The provider's client.
#[derive(Debug)]
struct HttpOidc {
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

/// Sets up `terraform login` as `tfreg serve`'s flags say (without `--oidc-issuer`, only the
/// client trusted publishing reaches issuers with).
pub(crate) fn configure(
    builder: tfreg_core::RegistryBuilder,
    args: &ServeArgs,
) -> crate::Result<tfreg_core::RegistryBuilder> {
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("tfreg/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let http = Arc::new(HttpOidc { client });
    let builder = match &args.aws_sts_url {
        Some(url) => builder.aws_sts_url(url.clone()),
        None => builder,
    };
    // Trusted publishing reaches the issuers its rules name, with or without sign-in.
    let Some(issuer) = &args.oidc_issuer else { return Ok(builder.oidc_http(http)) };
    let client_id = args.oidc_client_id.clone().ok_or("--oidc-issuer needs --oidc-client-id")?;
    let secret_file =
        args.oidc_client_secret_file.as_ref().ok_or("--oidc-issuer needs --oidc-client-secret-file")?;
    let client_secret = std::fs::read_to_string(secret_file)
        .map_err(|e| format!("cannot read the OIDC client secret file {}: {e}", secret_file.display()))?
        .trim()
        .to_owned();
    let rules: ClaimRules = match &args.oidc_rules {
        None => ClaimRules::default(),
        Some(path) => {
            let text = std::fs::read(path)
                .map_err(|e| format!("cannot read the OIDC rules {}: {e}", path.display()))?;
            serde_json::from_slice(&text)
                .map_err(|e| format!("the OIDC rules {} are not valid: {e}", path.display()))?
        }
    };
    rules.check().map_err(|e| format!("the OIDC rules are not valid: {e}"))?;
    let config = OidcConfig {
        issuer: issuer.trim_end_matches('/').to_owned(),
        client_id,
        client_secret,
        rules,
        token_lifetime: Duration::from_secs(args.oidc_token_lifetime_secs.max(60)),
        scopes: args.oidc_scopes.clone(),
    };
    Ok(builder.oidc(config, http))
}
