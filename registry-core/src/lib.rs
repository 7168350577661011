//! # tfreg-core
//!
//! The framework-agnostic core of tfreg, a private Terraform registry you embed. It holds the
//! protocol documents, address and version validation, Terraform's version constraints, the
//! router and the services that answer each route, as `http::Request` -> `http::Response`
//! functions, and the traits a host plugs in: [`storage::Storage`] for where things live and
//! [`auth::Authenticator`] / [`auth::Authorizer`] for who may do what.
//!
//! ```no_run
//! # async fn demo(storage: std::sync::Arc<dyn tfreg_core::storage::Storage>) -> tfreg_core::Result<()> {
//! use std::sync::Arc;
//! use tfreg_core::{auth::MasterToken, Registry};
//!
//! let master = MasterToken::bootstrap(storage.as_ref(), Some("a-long-master-token")).await?;
//! let registry = Registry::builder(storage).master_token(master.hash).build().await?;
//! let request = http::Request::get("/.well-known/terraform.json").body(bytes::Bytes::new()).unwrap();
//! let response = registry.handle(request).await;
//! assert_eq!(response.status(), 200);
//! let body = response.into_body().collect().await?; // the JSON document
//! # Ok(()) }
//! ```
//!
//! ## Layout
//!
//! One module per capability, each owning its state and routes: [`modules`], [`providers`],
//! [`mirror`], [`oci`] (the OCI distribution API), [`uploads`], [`upstream`] (the upstream registry a proxy reads through), [`proxy`] (pins) and [`admin`] (tokens, keys,
//! audit) hold the services; [`maintenance`] the store check and garbage collection; [`types`] the checked values every request names; [`http`] the
//! router with its policy table ([`http::Route::policy`]: each route's action and audit
//! target), the request context, query strings, the streamed [`http::Body`] and signed links;
//! [`protocol`] a serde type for every wire document; [`storage`] the storage trait, key layout
//! and compare-and-swap; [`auth`] and [`pgp`]. [`Registry`] is the thin front that routes,
//! authorizes, calls the owning service and audits.
//!
//! ## Bodies
//!
//! Answers carry an [`http::Body`] (an [`http_body::Body`]): JSON documents whole, archives from
//! stores that cannot presign streamed chunk by chunk, with `Range` support. Adapters pass the
//! stream through (`tfreg-actix`) or collect it (`tfreg-lambda`). An adapter whose server reads
//! request bodies as streams hands them to [`Registry::handle_streamed`], so uploads to the
//! registry's signed upload URLs go to the store chunk by chunk instead of being held in memory;
//! [`Registry::handle`] takes a body already read whole.
//!
//! ## Features
//!
//! - `conformance`: the storage conformance suite ([`storage::conformance`]) for backends' tests.
//! - `fuzzing`: the fuzz targets' oracles (`fuzzing`), for `fuzz/` and the corpus replay tests.

pub mod admin;
pub mod auth;
pub mod cache;
pub mod catalogue;
pub mod clock;
pub mod config;
pub mod downloads;
mod error;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod http;
pub mod identity;
pub mod lifecycle;
pub mod maintenance;
pub mod mirror;
pub mod modules;
pub mod observe;
pub mod oci;
pub mod openapi;
pub mod pgp;
pub mod protocol;
pub mod providers;
pub mod proxy;
pub mod random;
mod registry;
pub mod scm;
mod spool;
pub mod storage;
mod text;
pub mod types;
pub mod ui;
pub mod uploads;
pub mod upstream;
mod zip_directory;

pub use config::RegistryConfig;
pub use error::{Error, Result};
pub use modules::X_TERRAFORM_GET;
pub use providers::ProviderFile;
pub use proxy::PinRecord;
pub use registry::{Registry, RegistryBuilder};
