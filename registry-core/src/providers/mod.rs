//! The provider registry protocol: package checks, the per-provider version index, the
//! registry's signing keys, the publish pipeline, and the download descriptions Terraform
//! verifies.
//!
//! `ProviderService` owns the provider index cache and answers every `/v1/providers/` route
//! and the provider file links; the network mirror and pins build on it.

mod detail;
pub mod docs;
mod files;
pub mod index;
pub mod keyring;
mod lifecycle;
pub mod package;
pub(crate) mod publish;
mod read;

use std::sync::Arc;

use crate::cache::TtlCache;
use crate::catalogue::CatalogueService;
use crate::clock::SharedClock;
use crate::http::Links;
use crate::storage::{layout, Storage};
use crate::types::ProviderAddress;
use crate::upstream::Upstream;
use crate::{RegistryConfig, Result};

pub use crate::types::ProviderFile;

use index::ProviderIndex;
use keyring::KeyRing;

/// Providers: their versions, download descriptions, files and publishing.
#[derive(Debug)]
pub(crate) struct ProviderService {
    storage: Arc<dyn Storage>,
    links: Arc<Links>,
    clock: SharedClock,
    cache: TtlCache<Option<ProviderIndex>>,
    keys: Arc<KeyRing>,
    upstream: Option<Arc<Upstream>>,
    catalogue: Arc<CatalogueService>,
    max_upload_bytes: u64,
}

impl ProviderService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        links: Arc<Links>,
        keys: Arc<KeyRing>,
        upstream: Option<Arc<Upstream>>,
        catalogue: Arc<CatalogueService>,
        config: &RegistryConfig,
    ) -> Self {
        let clock = links.clock().clone();
        Self {
            cache: TtlCache::new(config.cache_ttl, config.cache_capacity, clock.clone()),
            max_upload_bytes: config.max_upload_bytes,
            storage,
            links,
            clock,
            keys,
            upstream,
            catalogue,
        }
    }

    /// The provider's index from the cache, loading it on a miss (concurrent misses share one
    /// read).
    pub(crate) async fn cached(&self, addr: &ProviderAddress) -> Result<Arc<Option<ProviderIndex>>> {
        self.cache
            .get_or_load(&addr.key(), || async {
                // A provider whose every version was deleted is gone.
                Ok(index::load(self.storage.as_ref(), addr).await?.filter(|i| !i.versions.is_empty()))
            })
            .await
    }

    /// Changes a provider's index with compare-and-swap, forgets the cached copy and records
    /// the change in the catalogue.
    pub(crate) async fn update(
        &self,
        addr: &ProviderAddress,
        mutate: impl FnMut(&mut ProviderIndex) -> Result<()>,
    ) -> Result<ProviderIndex> {
        let result = crate::storage::cas::update_json(
            self.storage.as_ref(),
            &layout::provider_index(addr),
            || ProviderIndex::empty(addr),
            mutate,
        )
        .await;
        self.cache.remove(&addr.key()).await;
        if let Ok(index) = &result {
            self.catalogue.record_provider(index).await;
        }
        result
    }

    /// The upstream's address for a provider of this registry's namespace and type.
    pub(crate) fn upstream_address(
        &self,
        upstream: &Upstream,
        addr: &ProviderAddress,
    ) -> Result<ProviderAddress> {
        ProviderAddress::on_host(upstream.host(), addr.namespace.as_str(), &addr.r#type)
    }
}
