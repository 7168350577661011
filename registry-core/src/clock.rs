//! Time, through one seam: the registry reads the clock only through a [`Clock`], so tests move
//! time forward with a [`ManualClock`] instead of sleeping. Timestamps are formatted without a
//! date-time dependency: RFC 3339 in UTC, as the registry API shows them.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the registry reads the time from. Cheap to call on every request.
pub trait Clock: Send + Sync + Debug + 'static {
    /// The time since the Unix epoch.
    fn since_epoch(&self) -> Duration;

    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> u64 {
        self.since_epoch().as_millis() as u64
    }

    /// Whole seconds since the Unix epoch.
    fn unix_now(&self) -> u64 {
        self.now_millis() / 1000
    }
}

/// The shared clock type the registry's parts hold.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn since_epoch(&self) -> Duration {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

/// The system clock, shared.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// A clock that stands still until told to move: for tests of expiry, caching and links.
#[derive(Debug)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock standing at `unix` seconds since the epoch.
    pub fn at(unix: u64) -> Arc<Self> {
        Arc::new(Self { nanos: AtomicU64::new(unix * 1_000_000_000) })
    }

    /// A clock standing at the system's current time.
    pub fn now() -> Arc<Self> {
        Arc::new(Self { nanos: AtomicU64::new(SystemClock.since_epoch().as_nanos() as u64) })
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.nanos.fetch_add(by.as_nanos() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn since_epoch(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// Seconds since the Unix epoch by the system clock, for code outside a registry (command-line
/// tools, key generation); the registry itself asks its [`Clock`].
pub fn unix_now() -> u64 {
    SystemClock.unix_now()
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, (secs / 60) % 60, secs % 60)
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard
/// Hinnant's well-known algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_300_000), "2026-11-21T22:26:40Z");
    }
}
