//! Keeping the store tidy and whole: the check behind `tfreg fsck`, and the garbage collection.
//!
//! A crash leaves things behind that no request path removes: an archive written but never
//! committed to its index (a publish killed between the two), the staging file of an
//! interrupted write (on the local filesystem `uploads/{id}/object#1`, see
//! [`Storage::list_unfinished`]), the folder of an upload session nobody finished. Versions
//! unpinned leave their archives too. [`Maintenance::collect_garbage`] removes all of that once
//! it is older than a grace period ([`RegistryConfig::orphan_grace`](crate::RegistryConfig::orphan_grace),
//! 24 hours by default), and never anything an index references: the grace period is what keeps
//! a publish in flight (archive written, index not yet) safe, so keep it far longer than any
//! publish takes. [`Maintenance::check`] reports, without changing anything, every referenced
//! object that is missing or whose size or SHA-256 is not the one recorded (read as a stream),
//! every index or session record that does not parse, and the garbage with its age and size.
//!
//! Both list `modules/`, `providers/` and `uploads/` and read every index: work in proportion to
//! the catalogue, for a schedule (`tfreg fsck --repair` from cron) rather than a request path.
//! The cheap part, removing expired upload sessions, runs on its own
//! ([`crate::Registry::sweep_uploads`]).

mod check;
mod collect;
mod inventory;
mod references;
mod report;
mod verify;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::SharedClock;
use crate::storage::Storage;
use crate::Result;

pub use report::{CheckReport, Damage, Garbage, GarbageKind, GarbageReport};

/// The grace period garbage must outlive before it is collected, by default: 24 hours.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(24 * 3600);

/// How [`Maintenance::check`] checks.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Garbage younger than this is listed but not counted as a problem (it may belong to a
    /// publish or upload in flight). [`DEFAULT_GRACE`] by default.
    pub grace: Duration,
    /// Whether to read every referenced object to its end and compare its SHA-256 with the
    /// index (on by default); off, only presence and sizes are checked.
    pub verify_content: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self { grace: DEFAULT_GRACE, verify_content: true }
    }
}

/// Checks and collects the garbage of a store the registry keeps. Needs no running registry:
/// `tfreg fsck` builds one over the store it is pointed at.
#[derive(Clone, Debug)]
pub struct Maintenance {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
}

impl Maintenance {
    /// Maintenance of `storage`, telling ages by `clock`.
    pub fn new(storage: Arc<dyn Storage>, clock: SharedClock) -> Self {
        Self { storage, clock }
    }

    /// Checks the store and reports what it found; changes nothing.
    pub async fn check(&self, options: &CheckOptions) -> Result<CheckReport> {
        check::check(self.storage.as_ref(), self.clock.unix_now(), options).await
    }

    /// Removes the garbage older than `grace` (see the [module docs](self)) and reports what it
    /// removed.
    pub async fn collect_garbage(&self, grace: Duration) -> Result<GarbageReport> {
        collect::collect(self.storage.as_ref(), self.clock.unix_now(), grace.as_secs()).await
    }
}
