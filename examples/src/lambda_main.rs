//! `tfreg-lambda`: the registry as an AWS Lambda function (the `bootstrap` of a
//! `provided.al2023` function), behind an API Gateway HTTP or REST API, a function URL or an
//! ALB. Configured from the environment; see `examples/deploy/aws-lambda/README.md`.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `TFREG_STORAGE` | required | `s3://BUCKET/PREFIX` (the function's role gives the credentials) |
//! | `TFREG_MASTER_TOKEN` | required | the master token (at least 16 characters) |
//! | `TFREG_BASE_PATH` | `""` | the API's path under a custom domain's path mapping |
//! | `TFREG_PUBLIC_URL` | none | the URL clients use, for absolute links |
//! | `TFREG_HOSTNAMES` | none | comma-separated host names for the network mirror |
//! | `TFREG_ANONYMOUS_READ` | off | let requests without a token read |
//! | `TFREG_MAX_UPLOAD_BYTES` | 6 MiB | largest upload (Lambda takes 6 MB per request) |
//! | `TFREG_CACHE_TTL_SECS` | 5 | how long version lists are cached |
//! | `TFREG_TOKEN_CACHE_TTL_SECS` | 10 | how long other instances may accept a revoked token |
//! | `TFREG_STRIP_STAGE` | on | remove an API Gateway stage from paths (see `tfreg_lambda::LambdaOptions`) |
//! | `TFREG_LOG` | `info` | log filter (`tracing` syntax), written to CloudWatch Logs |
//! | `TFREG_AWS_STS_URL` | AWS's public endpoints | the one STS endpoint AWS callers' signed requests go to |
//!
//! Trusted publishing (`POST /v1/auth/exchange`: CI OIDC tokens, AWS callers' signed
//! `GetCallerIdentity` requests) works here as in `tfreg serve`; the rules are in the store.

#[path = "oidc_http.rs"]
mod oidc_http;

use std::sync::Arc;
use std::time::Duration;

use tfreg_core::auth::{MasterToken, RoleAuthorizer, TokenStore};
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;
use tfreg_lambda::LambdaOptions;

/// Errors of the binary: boxed, with `?` from anything.
type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Lambda's limit on a synchronous request, which an upload cannot pass anyway.
const DEFAULT_MAX_UPLOAD_BYTES: u64 = 6 * 1024 * 1024;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TFREG_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        // CloudWatch Logs stamps every line and shows no colours.
        .without_time()
        .with_ansi(false)
        .init();
    let result = match setup().await {
        Ok((registry, options)) => tfreg_lambda::run(registry, options).await,
        Err(err) => Err(format!("cannot start: {err}").into()),
    };
    if let Err(err) = result {
        // In the function's log; Lambda reports the exit as a failed init or invocation.
        tracing::error!("tfreg-lambda: {err}");
        std::process::exit(1);
    }
}

/// Builds the registry and the adapter's options from the environment.
async fn setup() -> Result<(Registry, LambdaOptions)> {
    let storage_url = required("TFREG_STORAGE", "the store, such as s3://my-bucket/registry")?;
    if storage_url.starts_with("memory://") {
        tracing::warn!("TFREG_STORAGE is memory://: everything is lost when this instance stops");
    }
    let token = required("TFREG_MASTER_TOKEN", "the master token (at least 16 characters)")?;
    let public_url = optional("TFREG_PUBLIC_URL");
    let config = RegistryConfig {
        base_path: optional("TFREG_BASE_PATH").unwrap_or_default(),
        public_url: public_url.clone(),
        hostnames: optional("TFREG_HOSTNAMES")
            .map(|v| v.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        max_upload_bytes: number("TFREG_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)?,
        max_session_upload_bytes: number("TFREG_MAX_SESSION_UPLOAD_BYTES", 1 << 30)?,
        upload_ttl: Duration::from_secs(number("TFREG_UPLOAD_TTL_SECS", 3600)?),
        cache_ttl: Duration::from_secs(number("TFREG_CACHE_TTL_SECS", 5)?),
        ..RegistryConfig::default()
    };
    let options = LambdaOptions { strip_stage: flag("TFREG_STRIP_STAGE", true), public_url };

    let storage = Arc::new(tfreg_storage::from_url(&storage_url)?);
    let master = MasterToken::bootstrap(storage.as_ref(), Some(&token)).await?;
    let tokens = TokenStore::with_cache_ttl(
        storage.clone(),
        Duration::from_secs(number("TFREG_TOKEN_CACHE_TTL_SECS", 10)?),
    );
    let registry = Registry::builder(storage)
        .master_token(master.hash)
        .tokens(Arc::new(tokens))
        .authorizer(Arc::new(RoleAuthorizer::new(flag("TFREG_ANONYMOUS_READ", false))))
        .config(config)
        // Trusted publishing reaches the issuers its rules name, and AWS STS.
        .oidc_http(oidc_http::client()?);
    let registry = match optional("TFREG_AWS_STS_URL") {
        Some(url) => registry.aws_sts_url(url),
        None => registry,
    }
    .build()
    .await?;
    tracing::info!(
        storage = %storage_url,
        base_path = %registry.config().base_path,
        public_url = ?registry.config().public_url,
        strip_stage = options.strip_stage,
        "tfreg-lambda is ready"
    );
    Ok((registry, options))
}

/// A variable's value, `None` when unset or empty.
fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &str, what: &str) -> Result<String> {
    optional(name).ok_or_else(|| format!("set {name} to {what}").into())
}

fn number(name: &str, default: u64) -> Result<u64> {
    match optional(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| format!("{name} must be a whole number, not {v:?}").into()),
    }
}

/// A switch, read as clap reads `TFREG_ANONYMOUS_READ` for `tfreg serve`: `0`, `false`, `no`,
/// `off`, `n` and `f` are off, anything else is on.
fn flag(name: &str, default: bool) -> bool {
    match optional(name) {
        None => default,
        Some(v) => {
            !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off" | "n" | "f")
        }
    }
}
