//! `--oidc` and `--aws`: a CI job (or a Lambda function) trades its own identity for a
//! short-lived registry token at `POST /v1/auth/exchange` instead of keeping a stored secret.
//! `--oidc` sends the platform's OIDC token: GitHub Actions' (asked of
//! `ACTIONS_ID_TOKEN_REQUEST_URL` with `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, for the audience), or the
//! one in `TFREG_OIDC_TOKEN` (GitLab CI's `id_tokens`, any other platform). `--aws` signs an
//! `sts:GetCallerIdentity` request with the AWS credentials of the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`: what CI roles and Lambda execution roles give)
//! and sends the signed request, never the credentials.

use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use base64::Engine;
use clap::Args;
use serde_json::{json, Value};

use super::Remote;

/// How a job proves who it is.
#[derive(Clone, Debug, Args)]
pub(crate) struct Workload {
    /// Trade the CI platform's OIDC token for a short-lived token (trusted publishing): GitHub
    /// Actions' (the job needs `permissions: id-token: write`), else the token in
    /// `TFREG_OIDC_TOKEN` (GitLab CI's `id_tokens`).
    #[arg(long)]
    oidc: bool,
    /// Trade this environment's AWS credentials for a short-lived token, by a signed
    /// `sts:GetCallerIdentity` request the registry forwards to STS.
    #[arg(long, conflicts_with = "oidc")]
    aws: bool,
    /// The audience the registry's trust rule names: the `aud` asked of GitHub Actions, the
    /// signed `X-Tfreg-Audience` of an AWS request.
    #[arg(long, env = "TFREG_AUDIENCE", default_value = "tfreg")]
    audience: String,
    /// The STS endpoint the AWS request is signed for (the registry forwards it there).
    #[arg(long, env = "TFREG_AWS_STS_URL", default_value = "https://sts.amazonaws.com/")]
    aws_sts_url: String,
}

impl Workload {
    /// Whether an exchange was asked for.
    pub(crate) fn wanted(&self) -> bool {
        self.oidc || self.aws
    }

    /// The exchange's body.
    async fn request(&self, client: &reqwest::Client) -> crate::Result<Value> {
        match self.aws {
            true => self.signed_aws(),
            false => Ok(json!({"token": self.oidc_token(client).await?})),
        }
    }

    async fn oidc_token(&self, client: &reqwest::Client) -> crate::Result<String> {
        let actions =
            (std::env::var("ACTIONS_ID_TOKEN_REQUEST_URL"), std::env::var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"));
        if let (Ok(url), Ok(bearer)) = actions {
            let mut url = url::Url::parse(&url).map_err(|e| format!("ACTIONS_ID_TOKEN_REQUEST_URL: {e}"))?;
            url.query_pairs_mut().append_pair("audience", &self.audience);
            let answer = client.get(url).bearer_auth(bearer).send().await?;
            let status = answer.status();
            let body: Value = serde_json::from_slice(&answer.bytes().await?).unwrap_or_default();
            return body["value"].as_str().filter(|_| status.is_success()).map(str::to_owned).ok_or_else(|| {
                format!("GitHub Actions gave no OIDC token ({status}); does the job have `permissions: id-token: write`?")
                    .into()
            });
        }
        match std::env::var("TFREG_OIDC_TOKEN") {
            Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_owned()),
            _ => Err("--oidc found no OIDC token: not in GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL) and TFREG_OIDC_TOKEN is not set (GitLab CI: `id_tokens: {TFREG_OIDC_TOKEN: {aud: ...}}`)".into()),
        }
    }

    /// A `GetCallerIdentity` request signed with the environment's credentials, in the fields
    /// of Vault's `aws` auth method.
    fn signed_aws(&self) -> crate::Result<Value> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (Some(key), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) else {
            return Err("--aws needs AWS credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a role)".into());
        };
        let url = url::Url::parse(&self.aws_sts_url).map_err(|e| format!("--aws-sts-url: {e}"))?;
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        // sts.REGION.amazonaws.com signs for its region; the global endpoint for us-east-1.
        let region = url
            .host_str()
            .and_then(|h| h.strip_prefix("sts."))
            .and_then(|h| h.strip_suffix(".amazonaws.com"))
            .map(str::to_owned)
            .or_else(|| var("AWS_REGION").filter(|_| url.host_str() != Some("sts.amazonaws.com")))
            .unwrap_or_else(|| "us-east-1".to_owned());
        let body = "Action=GetCallerIdentity&Version=2011-06-15";
        let mut headers = vec![
            ("content-type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
            ("host".to_owned(), host),
            ("x-tfreg-audience".to_owned(), self.audience.clone()),
        ];
        let identity = aws_credential_types::Credentials::new(
            key,
            secret,
            var("AWS_SESSION_TOKEN"),
            None,
            "environment",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&region)
            .name("sts")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| format!("cannot sign the AWS request: {e}"))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| format!("cannot sign the AWS request: {e}"))?;
        let (instructions, _) =
            sign(signable, &params).map_err(|e| format!("cannot sign the AWS request: {e}"))?.into_parts();
        headers.extend(instructions.headers().map(|(k, v)| (k.to_owned(), v.to_owned())));
        let headers: serde_json::Map<String, Value> =
            headers.into_iter().map(|(k, v)| (k, json!([v]))).collect();
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        Ok(json!({
            "iam_http_request_method": "POST",
            "iam_request_url": b64(url.as_str()),
            "iam_request_body": b64(body),
            "iam_request_headers": b64(&Value::Object(headers).to_string()),
        }))
    }
}

impl Remote {
    /// Trades the job's identity for a short-lived token, which this remote then uses; the
    /// registry's answer (`token`, `expires_at`, `tier`, `namespaces`, `rule`).
    pub(crate) async fn exchange(&mut self, workload: &Workload) -> crate::Result<Value> {
        let body = workload.request(&self.client).await?;
        let answer = self
            .client
            .post(self.api("auth/exchange")?)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await?;
        let answer = self.answer(answer).await.map_err(|e| format!("the exchange was refused: {e}"))?;
        self.token = answer["token"].as_str().ok_or("the exchange answered no token")?.to_owned();
        Ok(answer)
    }
}
