//! The audit trail: every change (publishes, token creation and revocation, and whatever later
//! changes the registry learns) with who made it, what, when, and how it ended. Each entry is a
//! `tracing` event (target `tfreg::audit`) and one create-only object in the store, so the
//! trail survives restarts and any number of concurrent writers without coordination. Keys
//! start with the inverted time, so a listing is newest first.

use std::sync::Arc;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::storage::layout;
use crate::storage::{PutMode, Storage};
use crate::Error;
use crate::Result;

/// One recorded change.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// The entry's id (also its paging cursor).
    pub id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: a principal id (a token id, `master`, or the host's own), `anonymous`, or
    /// `invalid-token`; never a secret.
    pub actor: String,
    /// What kind of change: `module.publish`, `token.create`, `token.revoke`, ...
    pub action: String,
    /// What it was applied to: a module version, a token id, ...
    pub target: String,
    /// `success`, `denied` (401/403), `rejected` (other 4xx) or `failed` (5xx).
    pub outcome: String,
    /// The HTTP status answered.
    pub status: u16,
}

/// Appends to and reads the audit trail in a [`Storage`].
#[derive(Debug, Clone)]
pub struct AuditLog {
    storage: Arc<dyn Storage>,
}

impl AuditLog {
    /// The audit trail kept in `storage`.
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self { storage }
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
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let inverted = u64::MAX - u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
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
        let stored = match serde_json::to_vec(&entry) {
            Ok(body) => {
                self.storage.put(&entry_key(&id), Bytes::from(body), PutMode::Create).await.map(|_| ())
            }
            Err(err) => Err(crate::storage::StorageError::InvalidKey { key: err.to_string() }),
        };
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
            if let Some(object) = self.storage.get(&info.key).await? {
                let entry = serde_json::from_slice(&object.body)
                    .map_err(|e| Error::internal(format!("the audit entry {} is corrupt: {e}", info.key)))?;
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
