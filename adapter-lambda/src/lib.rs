//! # tfreg-lambda
//!
//! Will run a [`tfreg_core::Registry`] on AWS Lambda through `lambda_http` (API Gateway REST
//! and HTTP APIs, ALB, function URLs). Not built yet: this crate is reserved in the workspace so
//! the layout is stable; the Lambda adapter is its own piece of work (serverless and
//! scale-out). Until then, any framework can call [`tfreg_core::Registry::handle`] directly
//! with an `http::Request<Bytes>`.

/// The core this adapter will wrap, re-exported so the crate is not empty of meaning.
pub use tfreg_core as core;
