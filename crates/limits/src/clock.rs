//! Time sources: the system clock in production, a manual clock for tests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in nanoseconds since the Unix epoch (UTC).
///
/// Limits use wall-clock time because quota periods follow the calendar and because
/// several gateways sharing Redis must agree on the period they count in.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time in nanoseconds since 1970-01-01T00:00:00Z.
    fn now_nanos(&self) -> u64;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_nanos(&self) -> u64 {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A clock that only moves when told to; clones share one time.
#[derive(Debug, Default, Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `nanos` since the epoch.
    pub fn at_nanos(nanos: u64) -> Self {
        Self { nanos: Arc::new(AtomicU64::new(nanos)) }
    }

    /// A clock standing at `secs` seconds since the epoch.
    pub fn at_secs(secs: u64) -> Self {
        Self::at_nanos(secs.saturating_mul(1_000_000_000))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(by, Ordering::SeqCst);
    }

    /// Sets the clock to `nanos` since the epoch.
    pub fn set_nanos(&self, nanos: u64) {
        self.nanos.store(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_nanos(&self) -> u64 {
        self.nanos.load(Ordering::SeqCst)
    }
}
