//! # tfreg-lambda
//!
//! Runs a [`tfreg_core::Registry`] on AWS Lambda through [`lambda_http`], behind any of the
//! front doors that send HTTP events: API Gateway REST APIs (payload 1.0), HTTP APIs (payload
//! 2.0), Lambda function URLs and Application Load Balancers.
//!
//! ```no_run
//! use std::sync::Arc;
//! use tfreg_core::{auth::MasterToken, Registry};
//! use tfreg_lambda::LambdaOptions;
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), tfreg_lambda::lambda_http::Error> {
//!     let storage = Arc::new(tfreg_storage::from_url("s3://my-bucket/registry")?);
//!     let token = std::env::var("TFREG_MASTER_TOKEN")?;
//!     let master = MasterToken::bootstrap(storage.as_ref(), Some(&token)).await?;
//!     let registry = Registry::builder(storage).master_token(master.hash).build().await?;
//!     tfreg_lambda::run(registry, LambdaOptions::default()).await
//! }
//! ```
//!
//! Each event becomes the core's `http::Request<Bytes>`: method, path and query, every header,
//! and the body (lambda_http has already decoded a base64 body). A body over
//! [`Registry::max_body_bytes`] gets the core's 413 answer. The answer keeps its status and
//! every header; JSON and text bodies are sent as text, anything else (module archives, provider
//! zips, signatures) as binary, which lambda_http base64-encodes.
//!
//! ## Stages
//!
//! A request to an API Gateway stage's own URL names the stage first
//! (`https://abc123.execute-api.eu-west-1.amazonaws.com/live/v1/modules/...`). With
//! [`LambdaOptions::strip_stage`] (the default) that `/live` is removed before the core routes
//! the path, and put back before host-relative links in `Location` and `X-Terraform-Get`
//! headers, so they lead back through the stage. The `$default` stage of an HTTP API, function
//! URLs and ALBs have no stage in their paths. Custom domains with a path mapping
//! (`https://example.com/registry/...`) are the core's business: build the registry with
//! [`RegistryConfig::base_path`](tfreg_core::RegistryConfig::base_path) `"/registry"`.
//!
//! Terraform finds a registry at the root of a host (`/.well-known/terraform.json`), which a
//! stage URL is not: give Terraform an HTTP API's `$default` stage, a custom domain, a function
//! URL or an ALB; stage URLs serve `curl` and tests.
//!
//! ## Limits of Lambda
//!
//! Lambda takes at most 6 MB of request and of response per invocation, after base64, so
//! uploads are limited to about 4.5 MB of archive (set `RegistryConfig::max_upload_bytes` to
//! match), and archives are best served from a store that presigns URLs (S3 does), so downloads
//! are redirects rather than bodies. A REST API needs binary media types (`*/*`) for binary
//! bodies to pass through it unchanged.

mod convert;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;

use std::convert::Infallible;
use std::future::{ready, Future};
use std::pin::Pin;
use std::sync::Arc;

use lambda_http::{service_fn, Body, IntoResponse};
use tfreg_core::Registry;

/// The `lambda_http` this crate is built on, for its `Request`, `Body` and `Error` types.
pub use lambda_http;

/// How events are turned into the core's requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaOptions {
    /// Remove a leading `/{stage}` from the paths of API Gateway events (not for the `$default`
    /// stage) before the core routes them, and put it back on host-relative links in
    /// `Location` and `X-Terraform-Get` headers. Default `true`. A REST API event whose
    /// `requestContext.path` shows that API Gateway already removed the stage from `path` is
    /// taken as it is.
    ///
    /// Do not name a stage after the first segment of a registry path (`v1`) when the same
    /// API is also reached through a custom domain without the stage in its URLs: such a path
    /// cannot be told from a stage-prefixed one there.
    pub strip_stage: bool,
    /// The URL clients reach this function at, with any stage prefix
    /// (`https://abc123.execute-api.eu-west-1.amazonaws.com/live`), when header links should
    /// name it: host-relative `Location` and `X-Terraform-Get` links in answers get it in front
    /// (instead of the stage prefix alone). Links inside JSON bodies (service discovery,
    /// `{"location": ...}`, provider download descriptions) are the core's: give the registry the
    /// same URL as [`RegistryConfig::public_url`](tfreg_core::RegistryConfig::public_url) and
    /// every link is absolute already. `None` by default.
    pub public_url: Option<String>,
}

impl Default for LambdaOptions {
    fn default() -> Self {
        Self { strip_stage: true, public_url: None }
    }
}

/// Answers one Lambda HTTP event with the registry: converts the event into the core's
/// request, calls [`Registry::handle`], and converts the answer back. Never fails: errors
/// (including 413 for a body over [`Registry::max_body_bytes`] and 400 for a path that makes no
/// URI) are the core's `{"errors": [...]}` answers.
pub async fn handle(
    registry: &Registry,
    options: &LambdaOptions,
    event: lambda_http::Request,
) -> lambda_http::Response<Body> {
    let converted = match convert::request(event, options, registry.max_body_bytes()) {
        Ok(converted) => converted,
        Err(err) => return convert::response(collect(err.into_response()).await, None),
    };
    let public_url = options.public_url.as_deref().map(|url| url.trim_end_matches('/'));
    let link_prefix = public_url.or(converted.stage_prefix.as_deref()).map(str::to_owned);
    let answer = registry.handle(converted.request).await;
    convert::response(collect(answer).await, link_prefix.as_deref())
}

/// The answer with its body read whole: a Lambda response is one payload (streamed bodies come
/// only from stores that cannot presign, which a Lambda deployment does not use). A store that
/// fails while the body is read gives that failure's own answer.
async fn collect(answer: http::Response<tfreg_core::http::Body>) -> http::Response<bytes::Bytes> {
    let (parts, body) = answer.into_parts();
    match body.collect().await {
        Ok(bytes) => http::Response::from_parts(parts, bytes),
        Err(err) => {
            let (parts, body) = err.into_response().into_parts();
            http::Response::from_parts(parts, body.as_bytes().cloned().unwrap_or_default())
        }
    }
}

/// Runs the registry as the function's handler until the Lambda runtime stops it: every event
/// is answered by [`handle`]. Fails only when the runtime does (it panics outside Lambda, where
/// `AWS_LAMBDA_RUNTIME_API` and the other variables of the runtime are not set).
pub async fn run(registry: Registry, options: LambdaOptions) -> Result<(), lambda_http::Error> {
    let state = Arc::new((registry, options));
    lambda_http::run(service_fn(move |event: lambda_http::Request| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(Answer(handle(&state.0, &state.1, event).await)) }
    }))
    .await
}

/// An answer lambda_http sends as it is. Returning the `Response<Body>` itself would let
/// lambda_http convert the body again by its content type, and decode a binary body with no
/// content type as UTF-8 text.
struct Answer(lambda_http::Response<Body>);

impl IntoResponse for Answer {
    fn into_response(self) -> Pin<Box<dyn Future<Output = lambda_http::Response<Body>> + Send>> {
        Box::pin(ready(self.0))
    }
}
