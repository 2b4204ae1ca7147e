//! Whether the shared store is answering: a small circuit breaker with an event hook and
//! counters for metrics.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde::Serialize;

/// A change in the shared store's state, delivered to the hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreEvent {
    /// Redis stopped answering; decisions follow each policy's fail mode.
    Down {
        /// The client's description of the failure (no URL, no password).
        reason: String,
    },
    /// Redis answers again; shared counting resumes.
    Up,
}

/// A callback for store state changes (emit a security event, flip a gauge).
pub type StoreEventHook = Arc<dyn Fn(&StoreEvent) + Send + Sync>;

/// Counters and state for the `/metrics` endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HealthSnapshot {
    /// Whether Redis is considered up.
    pub up: bool,
    /// Failed Redis calls since start.
    pub failures: u64,
    /// Policy checks answered by the local fallback (fail_open) since start.
    pub fallback_checks: u64,
    /// Requests denied because Redis was down and a policy fails closed.
    pub denied_unavailable: u64,
    /// Script calls sent (batches of decisions) since start.
    pub batches: u64,
    /// Decisions sent in those batches; `batched_decisions / batches` is the mean batch.
    pub batched_decisions: u64,
}

/// The circuit breaker: after a failure, Redis is skipped until `retry_interval` has passed
/// on the limiter's clock, then one caller probes it.
pub struct Health {
    up: AtomicBool,
    retry_at: AtomicU64,
    retry_interval: u64,
    failures: AtomicU64,
    fallback_checks: AtomicU64,
    denied_unavailable: AtomicU64,
    batches: AtomicU64,
    batched_decisions: AtomicU64,
    hook: RwLock<Option<StoreEventHook>>,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health").field("snapshot", &self.snapshot()).finish()
    }
}

impl Health {
    /// A healthy breaker that waits `retry_interval` nanoseconds after a failure.
    pub fn new(retry_interval: u64) -> Self {
        Self {
            up: AtomicBool::new(true),
            retry_at: AtomicU64::new(0),
            retry_interval,
            failures: AtomicU64::new(0),
            fallback_checks: AtomicU64::new(0),
            denied_unavailable: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            batched_decisions: AtomicU64::new(0),
            hook: RwLock::new(None),
        }
    }

    /// Installs the state-change hook.
    pub fn set_hook(&self, hook: StoreEventHook) {
        if let Ok(mut slot) = self.hook.write() {
            *slot = Some(hook);
        }
    }

    /// Whether the caller should ask Redis now; while down, only one caller per interval
    /// gets `true` (the probe). The second value says whether this is a probe.
    pub fn admit(&self, now: u64) -> (bool, bool) {
        if self.up.load(Ordering::Acquire) {
            return (true, false);
        }
        let retry_at = self.retry_at.load(Ordering::Acquire);
        if now < retry_at {
            return (false, false);
        }
        let next = now.saturating_add(self.retry_interval);
        let won = self
            .retry_at
            .compare_exchange(retry_at, next, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        (won, won)
    }

    /// Records a successful call; fires `Up` on recovery.
    pub fn succeeded(&self) {
        if !self.up.swap(true, Ordering::AcqRel) {
            tracing::info!(limit.store = "redis", "limit store recovered");
            self.fire(&StoreEvent::Up);
        }
    }

    /// Records a failed call; fires `Down` on the first failure.
    pub fn failed(&self, now: u64, reason: &str) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        self.retry_at.store(now.saturating_add(self.retry_interval), Ordering::Release);
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(limit.store = "redis", error = reason, "limit store down");
            self.fire(&StoreEvent::Down { reason: reason.to_string() });
        }
    }

    /// Counts a policy check answered by the fallback.
    pub fn count_fallback(&self) {
        self.fallback_checks.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request denied for want of Redis.
    pub fn count_denied_unavailable(&self) {
        self.denied_unavailable.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one script call carrying `decisions` decisions.
    pub fn count_batch(&self, decisions: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        let decisions = u64::try_from(decisions).unwrap_or(u64::MAX);
        self.batched_decisions.fetch_add(decisions, Ordering::Relaxed);
    }

    /// The current state and counters.
    pub fn snapshot(&self) -> HealthSnapshot {
        HealthSnapshot {
            up: self.up.load(Ordering::Acquire),
            failures: self.failures.load(Ordering::Relaxed),
            fallback_checks: self.fallback_checks.load(Ordering::Relaxed),
            denied_unavailable: self.denied_unavailable.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            batched_decisions: self.batched_decisions.load(Ordering::Relaxed),
        }
    }

    fn fire(&self, event: &StoreEvent) {
        let hook = self.hook.read().ok().and_then(|slot| slot.clone());
        if let Some(hook) = hook {
            hook(event);
        }
    }
}
