//! The module registry protocol: the per-module version index, archive checks and
//! normalisation, the publish pipeline, versions from external sources, and the read endpoints
//! Terraform calls.
//!
//! `ModuleService` owns the module cache and answers every `/v1/modules/` route and the
//! module archive links; it needs the store, the registry's links, and the upstream when the
//! registry proxies one.

pub mod archive;
pub mod docs;
pub mod external;
mod hot;
pub mod index;
mod lifecycle;
pub mod metadata;
pub(crate) mod publish;
mod read;
pub(crate) mod withdraw;

use std::sync::Arc;
use std::time::Duration;

use crate::cache::TtlCache;
use crate::catalogue::CatalogueService;
use crate::clock::SharedClock;
use crate::http::Links;
use crate::storage::Storage;
use crate::upstream::Upstream;
use crate::RegistryConfig;
use external::fetch::SourceFetcher;

pub use read::X_TERRAFORM_GET;

use hot::CachedModule;

/// Modules: reading, downloading and publishing them.
#[derive(Debug)]
pub(crate) struct ModuleService {
    storage: Arc<dyn Storage>,
    links: Arc<Links>,
    clock: SharedClock,
    cache: TtlCache<CachedModule>,
    upstream: Option<Arc<Upstream>>,
    catalogue: Arc<CatalogueService>,
    /// What fetches imports; `None`: the registry does not import.
    fetcher: Option<Arc<dyn SourceFetcher>>,
    limits: archive::ArchiveLimits,
    /// One permit per archive that may be unpacked at once.
    archive_workers: tokio::sync::Semaphore,
    pub(crate) max_upload_bytes: u64,
    /// Whether a cache entry may hand out the archive links it made: only while entries live
    /// at most half a link's life (and at most a minute), so every link handed out still has at
    /// least half of its life left.
    reuse_links: bool,
}

impl ModuleService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        links: Arc<Links>,
        upstream: Option<Arc<Upstream>>,
        catalogue: Arc<CatalogueService>,
        fetcher: Option<Arc<dyn SourceFetcher>>,
        config: &RegistryConfig,
    ) -> Self {
        let clock = links.clock().clone();
        Self {
            cache: TtlCache::new(config.cache_ttl, config.cache_capacity, clock.clone()),
            reuse_links: config.cache_ttl <= (config.link_ttl / 2).min(Duration::from_secs(60)),
            limits: config.archive_limits.clone(),
            archive_workers: tokio::sync::Semaphore::new(config.archive_workers.max(1)),
            max_upload_bytes: config.max_upload_bytes,
            storage,
            links,
            clock,
            upstream,
            catalogue,
            fetcher,
        }
    }

    /// Forgets the cached view of a module, after this instance changed it.
    pub(crate) async fn forget(&self, addr: &crate::types::ModuleAddress) {
        self.cache.remove(&addr.key()).await;
    }
}
