//! The record of webhook deliveries, one object per delivery at
//! `scm/deliveries/{via}/{id}.json`: what it was and what came of it, so an operator can see
//! why a tag did not publish, and so a redelivery of a delivery that was handled does nothing.
//! A delivery that failed is handled again when redelivered (publishing is idempotent: a
//! version published already is left alone). Records older than [`RETENTION_SECS`] are removed
//! by the garbage collection.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::clock::SharedClock;
use crate::protocol::{DeliveryResult, DeliveryView};
use crate::storage::cas::update_json;
use crate::storage::{read_json, write_json, PutMode, Storage};
use crate::{Error, Result};

/// Where the records live.
pub(crate) const PREFIX: &str = "scm/deliveries/";

/// How long a record is kept: longer than any host redelivers (GitHub keeps deliveries for
/// redelivery three days).
pub(crate) const RETENTION_SECS: u64 = 30 * 24 * 3600;

/// How long a delivery may stay `processing` before a redelivery may take it over (the first
/// attempt died with its instance).
const STALE_SECS: u64 = 600;

/// The deliveries' records.
#[derive(Clone, Debug)]
pub(crate) struct Deliveries {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
}

/// A delivery about to be handled.
#[derive(Debug)]
pub(crate) enum Claim {
    /// First arrival (or a redelivery of one that failed): handle it, then [`Deliveries::finish`].
    Handle(DeliveryView),
    /// Handled already (or in hand): do nothing, answer its record.
    Duplicate(DeliveryView),
}

/// The id of a delivery: the host's, kept to a safe alphabet, or the body's SHA-256 when the
/// host sent none.
pub(crate) fn delivery_id(sent: Option<&str>, body: &[u8]) -> String {
    let cleaned: Option<String> =
        sent.map(|s| s.trim().trim_matches(|c| c == '{' || c == '}')).and_then(|s| {
            let ok = !s.is_empty()
                && s.len() <= 100
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            ok.then(|| s.to_ascii_lowercase())
        });
    cleaned.unwrap_or_else(|| format!("sha256-{}", hex::encode(Sha256::digest(body))))
}

impl Deliveries {
    pub(crate) fn new(storage: Arc<dyn Storage>, clock: SharedClock) -> Self {
        Self { storage, clock }
    }

    fn key(via: &str, id: &str) -> String {
        format!("{PREFIX}{via}/{id}.json")
    }

    /// Claims the delivery `id` from `via` for handling, with compare-and-swap, so of two
    /// copies arriving at once (on any instances) only one is handled.
    pub(crate) async fn claim(
        &self,
        via: &str,
        source: Option<&str>,
        id: &str,
        event: &str,
    ) -> Result<Claim> {
        let now = self.clock.unix_now();
        let received_at = crate::clock::rfc3339(now);
        let stale_before = crate::clock::rfc3339(now.saturating_sub(STALE_SECS));
        let mut duplicate = None::<DeliveryView>;
        let fresh = || DeliveryView {
            id: id.to_owned(),
            via: via.to_owned(),
            source: source.map(str::to_owned),
            event: event.to_owned(),
            received_at: received_at.clone(),
            status: "processing".to_owned(),
            message: String::new(),
            results: Vec::new(),
            attempts: 0,
        };
        let written =
            update_json(self.storage.as_ref(), &Self::key(via, id), fresh, |record: &mut DeliveryView| {
                // The timestamps have one fixed format, so they compare as they sort.
                let in_hand = record.status == "processing" && record.received_at > stale_before;
                if record.attempts > 0 && (record.status == "done" || record.status == "ignored" || in_hand) {
                    duplicate = Some(record.clone());
                    return Err(Error::conflict("a duplicate delivery"));
                }
                record.attempts += 1;
                record.status = "processing".to_owned();
                record.received_at.clone_from(&received_at);
                record.results.clear();
                Ok(())
            })
            .await;
        match (written, duplicate) {
            (_, Some(record)) => Ok(Claim::Duplicate(record)),
            (Ok(record), None) => Ok(Claim::Handle(record)),
            (Err(err), None) => Err(err),
        }
    }

    /// Stores what came of a delivery: `failed` when any result failed, `ignored` when nothing
    /// was asked, else `done`.
    pub(crate) async fn finish(
        &self,
        mut record: DeliveryView,
        message: String,
        results: Vec<DeliveryResult>,
    ) -> DeliveryView {
        record.status = status_of(&message, &results).to_owned();
        record.message = message;
        record.results = results;
        let key = Self::key(&record.via, &record.id);
        if let Err(err) = write_json(self.storage.as_ref(), &key, &record, PutMode::Overwrite).await {
            tracing::error!(%key, %err, "could not store what a webhook delivery did");
        }
        record
    }

    /// The `limit` most recent deliveries, newest first.
    pub(crate) async fn recent(&self, limit: usize) -> Result<Vec<DeliveryView>> {
        let mut objects = self.storage.list(PREFIX).await?;
        objects.sort_by(|a, b| b.last_modified.cmp(&a.last_modified).then_with(|| a.key.cmp(&b.key)));
        let mut out = Vec::new();
        for object in objects.into_iter().take(limit) {
            out.extend(
                read_json::<DeliveryView>(self.storage.as_ref(), &object.key, "delivery record").await?,
            );
        }
        out.sort_by(|a, b| b.received_at.cmp(&a.received_at));
        Ok(out)
    }

    /// Removes the records older than [`RETENTION_SECS`]; how many.
    pub(crate) async fn prune(storage: &dyn Storage, now: u64) -> Result<usize> {
        let mut removed = 0;
        for object in storage.list(PREFIX).await? {
            if object.last_modified.is_some_and(|t| now.saturating_sub(t) > RETENTION_SECS) {
                storage.delete(&object.key).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The status a delivery's results give it.
fn status_of(message: &str, results: &[DeliveryResult]) -> &'static str {
    if results.iter().any(|r| r.outcome == "failed") {
        "failed"
    } else if results.is_empty() && !message.is_empty() {
        "ignored"
    } else {
        "done"
    }
}
