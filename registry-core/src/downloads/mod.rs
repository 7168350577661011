//! Download counts per version, without a database.
//!
//! Each instance counts the download answers it gives in memory and, at most every
//! [`RegistryConfig::download_flush`](crate::RegistryConfig::download_flush) (checked as
//! downloads arrive, so it works the same in a long-running server and in a Lambda), adds what
//! it counted to one small object per module or provider (`downloads/{kind}/{address}.json`)
//! with compare-and-swap, so any number of replicas add up, and the totals reach the catalogue.
//! Counts lag by at most that interval; what an instance counted but had not yet written is
//! lost if it dies (hosts call [`crate::Registry::flush_downloads`] on a clean shutdown).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalogue::CatalogueService;
use crate::clock::SharedClock;
use crate::storage::{cas, Storage};
use crate::types::{ModuleAddress, ProviderAddress, Version};
use crate::Result;

/// Where the counts live.
pub const DOWNLOADS_PREFIX: &str = "downloads/";

/// The stored counts of one module or provider.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// Every version's downloads.
    pub total: u64,
    /// Downloads by version.
    pub versions: BTreeMap<String, u64>,
}

/// What is counted: a module or a provider, by its address's key (made once per download; the
/// store and catalogue keys only when counts are written).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Counted {
    provider: bool,
    /// `{ns}/{name}/{system}` or `{host}/{ns}/{type}`, lower case.
    key: String,
}

impl Counted {
    pub(crate) fn module(addr: &ModuleAddress) -> Self {
        Self { provider: false, key: addr.key() }
    }

    pub(crate) fn provider(addr: &ProviderAddress) -> Self {
        Self { provider: true, key: addr.key() }
    }

    /// Whether it is a provider (not a module).
    pub(crate) fn is_provider(&self) -> bool {
        self.provider
    }

    /// The address's key.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// `downloads/modules/{ns}/{name}/{system}.json` or `downloads/providers/{host}/{ns}/{type}.json`.
    fn object(&self) -> String {
        let kind = if self.provider { "providers" } else { "modules" };
        format!("{DOWNLOADS_PREFIX}{kind}/{}.json", self.key)
    }

    /// The key of the catalogue entry.
    fn entry(&self) -> String {
        match self.key.split('/').collect::<Vec<_>>().as_slice() {
            [host, ns, ty] if self.provider => crate::catalogue::ProviderEntry::key_of(host, ns, ty),
            _ => self.key.clone(),
        }
    }
}

/// The stored counts of a module or provider (none yet: zero).
pub(crate) async fn stored(storage: &dyn Storage, what: &Counted) -> Result<Counts> {
    Ok(crate::storage::read_json(storage, &what.object(), "download counts").await?.unwrap_or_default())
}

impl Counts {
    /// The downloads of `version`.
    pub fn of(&self, version: &Version) -> u64 {
        self.versions.get(&version.to_string()).copied().unwrap_or(0)
    }
}

/// Counts downloads and writes them out.
#[derive(Debug)]
pub(crate) struct DownloadCounter {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
    catalogue: Arc<CatalogueService>,
    interval: Duration,
    pending: Mutex<HashMap<Counted, HashMap<Version, u64>>>,
    last_flush: AtomicU64,
    flushing: tokio::sync::Mutex<()>,
}

impl DownloadCounter {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        clock: SharedClock,
        catalogue: Arc<CatalogueService>,
        interval: Duration,
    ) -> Arc<Self> {
        let now = clock.now_millis();
        Arc::new(Self {
            storage,
            clock,
            catalogue,
            interval,
            pending: Mutex::default(),
            last_flush: AtomicU64::new(now),
            flushing: tokio::sync::Mutex::new(()),
        })
    }

    /// Counts one download of `version`; writes the counts out in the background when the
    /// interval has passed.
    pub(crate) fn count(self: &Arc<Self>, what: Counted, version: &Version) {
        {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            *pending.entry(what).or_default().entry(version.clone()).or_default() += 1;
        }
        let now = self.clock.now_millis();
        let last = self.last_flush.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= self.interval.as_millis() as u64;
        if due && self.last_flush.compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            let counter = self.clone();
            tokio::spawn(async move {
                if let Err(err) = counter.flush().await {
                    tracing::warn!(error = %err, "could not write download counts; they are kept for the next try");
                }
            });
        }
    }

    /// Adds what was counted to the stored counts and the catalogue. What cannot be written is
    /// kept for the next flush.
    pub(crate) async fn flush(&self) -> Result<()> {
        let _one_at_a_time = self.flushing.lock().await;
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        let (mut modules, mut providers) = (Vec::new(), Vec::new());
        let mut failure = None;
        for (what, versions) in pending {
            let added = cas::update_json(
                self.storage.as_ref(),
                &what.object(),
                Counts::default,
                |counts: &mut Counts| {
                    for (version, n) in &versions {
                        *counts.versions.entry(version.to_string()).or_default() += n;
                        counts.total += n;
                    }
                    Ok(())
                },
            )
            .await;
            match added {
                Ok(counts) if what.provider => providers.push((what.entry(), counts.total)),
                Ok(counts) => modules.push((what.entry(), counts.total)),
                Err(err) => {
                    let mut kept = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                    let slot = kept.entry(what).or_default();
                    for (version, n) in versions {
                        *slot.entry(version).or_default() += n;
                    }
                    failure = Some(err);
                }
            }
        }
        self.catalogue.set_downloads(modules, providers).await;
        failure.map_or(Ok(()), Err)
    }

    /// The stored counts of a module or provider (none yet: zero).
    pub(crate) async fn counts(&self, what: &Counted) -> Result<Counts> {
        stored(self.storage.as_ref(), what).await
    }
}
