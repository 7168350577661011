//! The audit trail: every change (publishes, token creation and revocation, and whatever later
//! changes the registry learns) with who made it, what, when, and how it ended. Each entry is a
//! `tracing` event (target `tfreg::audit`) and one create-only object in the store, so the
//! trail survives restarts and any number of concurrent writers without coordination. Keys
//! start with the inverted time, so a listing is newest first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::clock::SharedClock;
use crate::protocol::AuditEntry;
use crate::storage::{layout, read_json, write_json, PutMode, Storage};
use crate::Result;

/// Appends to and reads the audit trail in a [`Storage`].
#[derive(Debug, Clone)]
pub struct AuditLog {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
    /// The newest entry's time this instance recorded, in nanoseconds.
    last: Arc<AtomicU64>,
}

impl AuditLog {
    /// The audit trail kept in `storage`, timed by `clock`.
    pub fn new(storage: Arc<dyn Storage>, clock: SharedClock) -> Self {
        Self { storage, clock, last: Arc::default() }
    }

    /// Records a change. A failure to store the entry is logged, not returned: the change
    /// itself has already happened.
    pub async fn record(&self, actor: &str, action: &str, target: &str, status: http::StatusCode) {
        let outcome = match status.as_u16() {
            200..=399 => "success",
            401 | 403 => "denied",
            400..=499 => "rejected",
            _ => "failed",
        };
        tracing::info!(target: "tfreg::audit", actor, action, target, outcome, status = status.as_u16(), "change");
        // Newest first in key order: nanoseconds, strictly increasing within this instance; the
        // random suffix keeps entries of other instances at the same instant apart.
        let now = self.clock.since_epoch();
        let nanos = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
        let nanos = nanos.max(self.last.fetch_add(0, Ordering::SeqCst) + 1);
        self.last.fetch_max(nanos, Ordering::SeqCst);
        let inverted = u64::MAX - nanos;
        let suffix = crate::random::bytes::<4>().map(hex::encode).unwrap_or_default();
        let id = format!("{inverted:020}-{suffix}");
        let entry = AuditEntry {
            id: id.clone(),
            at: crate::clock::rfc3339(now.as_secs()),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            outcome: outcome.to_owned(),
            status: status.as_u16(),
        };
        let stored = write_json(self.storage.as_ref(), &entry_key(&id), &entry, PutMode::Create).await;
        if let Err(err) = stored {
            tracing::error!(target: "tfreg::audit", %err, action, target, "could not store an audit entry");
        }
    }

    /// Up to `limit` entries, newest first, after the entry with id `after` (a cursor from an
    /// earlier page); and the cursor of the next page, if there is one.
    pub async fn recent(
        &self,
        limit: usize,
        after: Option<&str>,
    ) -> Result<(Vec<AuditEntry>, Option<String>)> {
        let keys = self.storage.list(layout::AUDIT_PREFIX).await?;
        let start = after.map(entry_key);
        let mut page = keys.iter().filter(|info| start.as_ref().is_none_or(|s| info.key > *s));
        let mut entries = Vec::new();
        for info in page.by_ref().take(limit) {
            if let Some(entry) = read_json(self.storage.as_ref(), &info.key, "audit entry").await? {
                entries.push(entry);
            }
        }
        let next =
            if page.next().is_some() { entries.last().map(|e: &AuditEntry| e.id.clone()) } else { None };
        Ok((entries, next))
    }
}

fn entry_key(id: &str) -> String {
    format!("{}{id}.json", layout::AUDIT_PREFIX)
}
