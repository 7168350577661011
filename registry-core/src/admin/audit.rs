//! The audit trail: every change (publishes, token creation and revocation, and whatever later
//! changes the registry learns) with who made it, what, when, and how it ended. Each entry is a
//! `tracing` event (target `tfreg::audit`) and one object in the store, so the trail survives
//! restarts and any number of concurrent writers without coordination. Keys start with the
//! inverted time, so a listing is newest first.
//!
//! A change and its entry go together: the entry is written (as `pending`) before the change is
//! made, and a change whose entry cannot be written is refused (503); the entry is then updated
//! with the outcome. An entry left `pending` means the outcome could not be stored, or the
//! registry stopped while the change was under way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::clock::SharedClock;
use crate::protocol::AuditEntry;
use crate::storage::{layout, read_json, PutMode, Storage};
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

    /// Records a request that was refused before it could change anything (no credentials, no
    /// right, a malformed request). A failure to store the entry is logged, not returned:
    /// nothing changed.
    pub async fn record(&self, actor: &str, action: &str, target: &str, status: http::StatusCode) {
        let entry = self.entry(actor, action, target, outcome(status), status.as_u16());
        log(&entry);
        if let Err(err) = self.store(&entry, PutMode::Create).await {
            tracing::error!(target: "tfreg::audit", %err, action, target, "could not store an audit entry");
        }
    }

    /// Records a change before it is made, as `pending`: the change must not go ahead unless
    /// this succeeds, so the trail never misses a change. [`AuditLog::finish`] then records how
    /// it ended, in the same entry.
    pub async fn begin(&self, actor: &str, action: &str, target: &str) -> Result<PendingEntry> {
        let entry = self.entry(actor, action, target, PENDING, 0);
        self.store(&entry, PutMode::Create).await.map_err(|err| {
            tracing::error!(target: "tfreg::audit", %err, action, target, "could not store an audit entry");
            crate::Error::Storage {
                message: format!(
                    "the change was not made, because its audit entry could not be stored ({err}); \
                     retry later"
                ),
                transient: true,
                source: Some(Box::new(err)),
            }
        })?;
        Ok(PendingEntry(entry))
    }

    /// Records how a change [`begun`](AuditLog::begin) ended, with its final target. A failure
    /// leaves the entry `pending` (the change is in the trail, its outcome is not) and is logged.
    pub async fn finish(&self, pending: PendingEntry, target: &str, status: http::StatusCode) {
        let mut entry = pending.0;
        target.clone_into(&mut entry.target);
        outcome(status).clone_into(&mut entry.outcome);
        entry.status = status.as_u16();
        log(&entry);
        if let Err(err) = self.store(&entry, PutMode::Overwrite).await {
            tracing::error!(
                target: "tfreg::audit", %err, action = %entry.action, target,
                "could not store the outcome of a change; its audit entry stays pending"
            );
        }
    }

    /// A new entry, with an id that sorts newest first.
    fn entry(&self, actor: &str, action: &str, target: &str, outcome: &str, status: u16) -> AuditEntry {
        // Newest first in key order: nanoseconds, strictly increasing within this instance; the
        // random suffix keeps entries of other instances at the same instant apart.
        let now = self.clock.since_epoch();
        let nanos = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
        let nanos = nanos.max(self.last.fetch_add(0, Ordering::SeqCst) + 1);
        self.last.fetch_max(nanos, Ordering::SeqCst);
        let inverted = u64::MAX - nanos;
        let suffix = crate::random::bytes::<4>().map(hex::encode).unwrap_or_default();
        let id = format!("{inverted:020}-{suffix}");
        AuditEntry {
            id,
            at: crate::clock::rfc3339(now.as_secs()),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            outcome: outcome.to_owned(),
            status,
        }
    }

    async fn store(&self, entry: &AuditEntry, mode: PutMode) -> Result<(), crate::storage::StorageError> {
        let body = serde_json::to_vec_pretty(entry).expect("an audit entry always encodes");
        self.storage.put(&entry_key(&entry.id), bytes::Bytes::from(body), mode).await.map(|_| ())
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

/// The outcome of an entry whose change is under way (or whose outcome could not be stored).
const PENDING: &str = "pending";

/// A change recorded by [`AuditLog::begin`], waiting for [`AuditLog::finish`].
#[derive(Debug)]
#[must_use = "finish the entry with AuditLog::finish"]
pub struct PendingEntry(AuditEntry);

/// The outcome recorded for an answer's status.
fn outcome(status: http::StatusCode) -> &'static str {
    match status.as_u16() {
        200..=399 => "success",
        401 | 403 => "denied",
        400..=499 => "rejected",
        _ => "failed",
    }
}

/// The `tracing` event of an entry.
fn log(entry: &AuditEntry) {
    let AuditEntry { actor, action, target, outcome, status, .. } = entry;
    tracing::info!(target: "tfreg::audit", actor, action, target, outcome, status, "change");
}

fn entry_key(id: &str) -> String {
    format!("{}{id}.json", layout::AUDIT_PREFIX)
}
