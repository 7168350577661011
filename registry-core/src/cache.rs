//! A bounded in-memory cache with a time-to-live, for the answers of the hot read paths and
//! for tokens, over [`moka`].
//!
//! Entries written by this instance are invalidated at once; entries changed by another
//! instance sharing the store are seen within the TTL. The cache holds at most its capacity
//! (moka's TinyLFU admission keeps often-used entries when a flood of one-off keys arrives, so
//! they are not evicted by it), and concurrent misses for one key share one load. Freshness is
//! judged by the registry's [`Clock`](crate::clock::Clock), so tests move time forward instead
//! of sleeping; moka's own time-to-live frees the memory of entries nobody asks for again.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::SharedClock;
use crate::{Error, Result};

/// A TTL cache from string keys to shared values.
pub struct TtlCache<V> {
    ttl: Duration,
    clock: SharedClock,
    entries: Option<moka::future::Cache<String, Entry<V>>>,
}

struct Entry<V> {
    /// When it was loaded, by the registry's clock (milliseconds since the epoch).
    at_millis: u64,
    value: Arc<V>,
}

impl<V> Clone for Entry<V> {
    fn clone(&self) -> Self {
        Self { at_millis: self.at_millis, value: self.value.clone() }
    }
}

impl<V> fmt::Debug for TtlCache<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TtlCache")
            .field("ttl", &self.ttl)
            .field("entries", &self.entries.as_ref().map(|c| c.entry_count()))
            .finish()
    }
}

impl<V: Send + Sync + 'static> TtlCache<V> {
    /// A cache whose entries live for `ttl` by `clock`, holding at most `capacity` of them. A
    /// zero TTL (or capacity) caches nothing.
    pub fn new(ttl: Duration, capacity: usize, clock: SharedClock) -> Self {
        let entries = (!ttl.is_zero() && capacity > 0)
            .then(|| moka::future::Cache::builder().max_capacity(capacity as u64).time_to_live(ttl).build());
        Self { ttl, clock, entries }
    }

    fn fresh(&self, entry: &Entry<V>) -> bool {
        self.clock.now_millis().saturating_sub(entry.at_millis) < self.ttl.as_millis() as u64
    }

    /// The value under `key` if it is younger than the TTL.
    pub async fn get(&self, key: &str) -> Option<Arc<V>> {
        let entry = self.entries.as_ref()?.get(key).await?;
        self.fresh(&entry).then_some(entry.value)
    }

    /// The value under `key`, loading it with `load` when it is missing or stale. Concurrent
    /// callers missing the same key wait for one load and share its value (or its error).
    pub async fn get_or_load<F, Fut>(&self, key: &str, load: F) -> Result<Arc<V>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        let Some(entries) = &self.entries else {
            return load().await.map(Arc::new);
        };
        // A stale entry is replaced once; a load that is itself already stale (a clock moved
        // far forward meanwhile) is still answered.
        for _ in 0..2 {
            let clock = &self.clock;
            let entry = entries
                .try_get_with_by_ref(key, async {
                    let value = load().await?;
                    Ok::<_, Error>(Entry { at_millis: clock.now_millis(), value: Arc::new(value) })
                })
                .await
                .map_err(Error::shared)?;
            if self.fresh(&entry) {
                return Ok(entry.value);
            }
            entries.invalidate(key).await;
        }
        load().await.map(Arc::new)
    }

    /// Stores `value` under `key`.
    pub async fn insert(&self, key: String, value: Arc<V>) {
        if let Some(entries) = &self.entries {
            entries.insert(key, Entry { at_millis: self.clock.now_millis(), value }).await;
        }
    }

    /// Forgets `key`.
    pub async fn remove(&self, key: &str) {
        if let Some(entries) = &self.entries {
            entries.invalidate(key).await;
        }
    }

    /// How many entries the cache holds (after its pending maintenance), for tests and
    /// benchmarks.
    pub async fn len(&self) -> u64 {
        match &self.entries {
            Some(entries) => {
                entries.run_pending_tasks().await;
                entries.entry_count()
            }
            None => 0,
        }
    }

    /// Whether the cache holds nothing.
    pub async fn is_empty(&self) -> bool {
        self.len().await == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn entries_expire_by_the_clock_and_can_be_removed() {
        let clock = ManualClock::at(1_000_000);
        let cache = TtlCache::new(Duration::from_secs(5), 10, clock.clone());
        cache.insert("a".into(), Arc::new(1)).await;
        assert_eq!(cache.get("a").await.as_deref(), Some(&1));
        cache.remove("a").await;
        assert!(cache.get("a").await.is_none());
        cache.insert("b".into(), Arc::new(2)).await;
        clock.advance(Duration::from_millis(4999));
        assert_eq!(cache.get("b").await.as_deref(), Some(&2));
        clock.advance(Duration::from_millis(1));
        assert!(cache.get("b").await.is_none(), "stale at exactly the TTL");
    }

    #[tokio::test]
    async fn stale_entries_are_loaded_again() {
        let clock = ManualClock::at(1_000_000);
        let cache = TtlCache::new(Duration::from_secs(5), 10, clock.clone());
        let loads = AtomicUsize::new(0);
        let load = || async { Ok(loads.fetch_add(1, Ordering::SeqCst)) };
        assert_eq!(*cache.get_or_load("k", load).await.unwrap(), 0);
        assert_eq!(*cache.get_or_load("k", load).await.unwrap(), 0, "cached");
        clock.advance(Duration::from_secs(6));
        assert_eq!(*cache.get_or_load("k", load).await.unwrap(), 1, "reloaded once stale");
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_load() {
        let cache = Arc::new(TtlCache::new(Duration::from_secs(60), 10, crate::clock::system()));
        let loads = Arc::new(AtomicUsize::new(0));
        let (gate_tx, gate_rx) = tokio::sync::watch::channel(false);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (cache, loads, gate) = (cache.clone(), loads.clone(), gate_rx.clone());
                tokio::spawn(async move {
                    let load = || {
                        let (loads, mut gate) = (loads.clone(), gate.clone());
                        async move {
                            loads.fetch_add(1, Ordering::SeqCst);
                            let _ = gate.wait_for(|open| *open).await;
                            Ok(42)
                        }
                    };
                    cache.get_or_load("k", load).await.map(|v| *v)
                })
            })
            .collect();
        tokio::task::yield_now().await;
        gate_tx.send(true).unwrap();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), 42);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache = TtlCache::new(Duration::from_secs(60), 10, crate::clock::system());
        let failed = cache.get_or_load("k", || async { Err::<u32, _>(Error::not_found("nope")) }).await;
        assert_eq!(failed.unwrap_err().status(), http::StatusCode::NOT_FOUND);
        assert_eq!(*cache.get_or_load("k", || async { Ok(7) }).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn capacity_is_bounded() {
        let cache = TtlCache::new(Duration::from_secs(60), 3, crate::clock::system());
        for i in 0..100 {
            cache.insert(i.to_string(), Arc::new(i)).await;
        }
        assert!(cache.len().await <= 3);
    }

    #[tokio::test]
    async fn zero_ttl_disables_caching() {
        let cache = TtlCache::new(Duration::ZERO, 3, crate::clock::system());
        cache.insert("a".into(), Arc::new(1)).await;
        assert!(cache.get("a").await.is_none());
        let loads = AtomicUsize::new(0);
        for _ in 0..2 {
            cache.get_or_load("a", || async { Ok(loads.fetch_add(1, Ordering::SeqCst)) }).await.unwrap();
        }
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }
}
