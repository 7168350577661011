//! The OCI distribution API at `/v2/`, serving this registry's providers and modules as the OCI
//! artifacts OpenTofu 1.10+ installs (`oci_mirror` provider installation, `oci://` module
//! sources), and as any OCI client (skopeo, ORAS) copies them; and taking pushes of them
//! ([`push`]), published through the same pipeline as the registry API's uploads.
//!
//! | repository | tags | a tag names |
//! | --- | --- | --- |
//! | `providers/{ns}/{type}` | versions, `+` written `_` | an image index, one manifest per platform ([`providers`]) |
//! | `mirror/{host}/{ns}/{type}` | the same, for providers by their source host | the same |
//! | `modules/{ns}/{name}/{system}` | versions and `latest` | an image manifest with the module as a zip ([`modules`]) |
//!
//! Nothing is stored for providers: every document is derived from the provider index, with
//! the same bytes each time, so digests are stable across calls and instances. A provider
//! layer is the very package the registry protocol serves (its digest is the `zh:` hash);
//! blobs are served from the store as the signed archive links are (presigned redirect, or
//! streamed with `Range`). Errors are OCI error documents ([`errors`]); authentication follows
//! the token flow of [`auth`]. The API lives at the root of the host, whatever the base path,
//! as OCI clients look for it there.

pub mod auth;
pub mod errors;
pub mod manifest;
pub mod modules;
pub mod providers;
pub mod push;
pub mod repository;
mod routes;

use std::sync::Arc;

use crate::modules::ModuleService;
use crate::providers::ProviderService;
use crate::storage::Storage;

pub use errors::ErrorCode;
pub use push::manifests::PROTOCOLS_ANNOTATION;
pub use repository::{tag_version, Digest, Reference, Repository};
pub use routes::TagList;

/// The header every answer under `/v2/` carries.
pub const API_VERSION_HEADER: &str = "docker-distribution-api-version";

/// The value of [`API_VERSION_HEADER`].
pub const API_VERSION: &str = "registry/2.0";

/// The header naming the digest of a manifest or blob answered.
pub const CONTENT_DIGEST_HEADER: &str = "docker-content-digest";

/// The OCI distribution API over the registry's providers and modules.
#[derive(Debug)]
pub(crate) struct OciService {
    storage: Arc<dyn Storage>,
    providers: Arc<ProviderService>,
    modules: Arc<ModuleService>,
    link_ttl: std::time::Duration,
}

impl OciService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        providers: Arc<ProviderService>,
        modules: Arc<ModuleService>,
        link_ttl: std::time::Duration,
    ) -> Self {
        Self { storage, providers, modules, link_ttl }
    }
}
