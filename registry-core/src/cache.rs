//! A small in-memory cache with a time-to-live, for the answers of the hot read paths.
//!
//! Entries written by this instance are invalidated at once; entries changed by another
//! instance sharing the store are seen within the TTL. Lookups are one hash-map read under a
//! read lock, so the cost does not grow with the catalogue.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// A TTL cache from string keys to shared values.
#[derive(Debug)]
pub struct TtlCache<V> {
    ttl: Duration,
    capacity: usize,
    entries: RwLock<HashMap<String, (Instant, Arc<V>)>>,
}

impl<V> TtlCache<V> {
    /// A cache whose entries live for `ttl`, holding at most `capacity` of them.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { ttl, capacity, entries: RwLock::new(HashMap::new()) }
    }

    /// The value under `key` if it is younger than the TTL.
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let (at, value) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Stores `value` under `key`. When full, expired entries are dropped first, and if that
    /// is not enough, everything (a rare event that costs one reload per key).
    pub fn insert(&self, key: String, value: Arc<V>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &str) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_removed() {
        let cache = TtlCache::new(Duration::from_millis(30), 10);
        cache.insert("a".into(), Arc::new(1));
        assert_eq!(cache.get("a").as_deref(), Some(&1));
        cache.remove("a");
        assert!(cache.get("a").is_none());
        cache.insert("b".into(), Arc::new(2));
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get("b").is_none());
    }

    #[test]
    fn capacity_is_bounded() {
        let cache = TtlCache::new(Duration::from_secs(60), 3);
        for i in 0..10 {
            cache.insert(i.to_string(), Arc::new(i));
        }
        assert!(cache.entries.read().unwrap().len() <= 3);
        assert_eq!(cache.get("9").as_deref(), Some(&9));
    }

    #[test]
    fn zero_ttl_disables_caching() {
        let cache = TtlCache::new(Duration::ZERO, 3);
        cache.insert("a".into(), Arc::new(1));
        assert!(cache.get("a").is_none());
    }
}
