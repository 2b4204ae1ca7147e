//! The two limiting algorithms as pure functions of (state, parameters, now).
//!
//! Stores call these under their own locks (memory) or mirror them in a server-side
//! script (Redis), so the arithmetic lives in one place per store.

use crate::config::QuotaPeriod;
use crate::period::{window_at, Window};

/// The GCRA (generic cell rate algorithm) throttle: a request is admitted if its
/// theoretical arrival time is at most `burst` emission intervals ahead of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcra {
    /// Nanoseconds between requests at the sustained rate.
    pub interval: u64,
    /// Requests admitted back to back from a full bucket.
    pub burst: u64,
}

/// A fixed-period quota: `limit` requests per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests admitted per period.
    pub limit: u64,
    /// Period length.
    pub period: QuotaPeriod,
    /// Shift of period boundaries, in nanoseconds.
    pub offset: u64,
}

/// A compiled algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Throttle.
    Gcra(Gcra),
    /// Quota.
    Quota(Quota),
}

/// The outcome of one policy for one request; times are nanoseconds from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether this policy admits the request.
    pub allowed: bool,
    /// Requests still admitted after this one (0 when denied).
    pub remaining: u64,
    /// Until the policy is fully replenished (GCRA) or the period ends (quota).
    pub reset: u64,
    /// Until a request would be admitted again (0 when allowed).
    pub retry_after: u64,
}

/// What a store keeps per key: GCRA's theoretical arrival time, or a quota's period and count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// GCRA theoretical arrival time, in nanoseconds since the epoch.
    Tat(u64),
    /// Quota period start and the requests counted in it.
    Count {
        /// Start of the counted period.
        window: u64,
        /// Requests admitted in it.
        count: u64,
    },
}

/// A verdict plus the cell to store if every policy of the request admits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The outcome.
    pub verdict: Verdict,
    /// The state after admitting the request.
    pub next: Cell,
    /// When `next` becomes equivalent to no state at all (safe to forget).
    pub expires_at: u64,
}

impl Algorithm {
    /// Evaluates one request against the current cell (absent = never seen).
    pub fn step(&self, cell: Option<Cell>, now: u64) -> Step {
        match self {
            Algorithm::Gcra(gcra) => gcra.step(cell, now),
            Algorithm::Quota(quota) => quota.step(cell, now),
        }
    }

    /// The most requests the policy admits at once: burst or quota limit.
    pub fn limit(&self) -> u64 {
        match self {
            Algorithm::Gcra(gcra) => gcra.burst,
            Algorithm::Quota(quota) => quota.limit,
        }
    }

    /// The window the limit applies to, in nanoseconds, as of `now`.
    pub fn window(&self, now: u64) -> u64 {
        match self {
            Algorithm::Gcra(gcra) => gcra.capacity(),
            Algorithm::Quota(quota) => {
                let window = quota.window(now);
                window.end - window.start
            }
        }
    }
}

impl Gcra {
    /// Burst times interval: how far ahead of now the arrival time may run.
    pub fn capacity(&self) -> u64 {
        self.interval.saturating_mul(self.burst)
    }

    fn step(&self, cell: Option<Cell>, now: u64) -> Step {
        let tat = match cell {
            Some(Cell::Tat(tat)) => tat.max(now),
            _ => now,
        };
        let next = tat.saturating_add(self.interval);
        let ahead = next - now;
        let capacity = self.capacity();
        if ahead > capacity {
            let verdict = Verdict {
                allowed: false,
                remaining: 0,
                reset: tat - now,
                retry_after: ahead - capacity,
            };
            return Step { verdict, next: Cell::Tat(tat), expires_at: tat };
        }
        let remaining = (capacity - ahead) / self.interval.max(1);
        let verdict = Verdict { allowed: true, remaining, reset: ahead, retry_after: 0 };
        Step { verdict, next: Cell::Tat(next), expires_at: next }
    }
}

impl Quota {
    /// The period containing `now`.
    pub fn window(&self, now: u64) -> Window {
        window_at(self.period, self.offset, now)
    }

    fn step(&self, cell: Option<Cell>, now: u64) -> Step {
        let window = self.window(now);
        let count = match cell {
            Some(Cell::Count { window: start, count }) if start == window.start => count,
            _ => 0,
        };
        let until_end = window.end - now;
        if count >= self.limit {
            let verdict =
                Verdict { allowed: false, remaining: 0, reset: until_end, retry_after: until_end };
            let next = Cell::Count { window: window.start, count };
            return Step { verdict, next, expires_at: window.end };
        }
        let remaining = self.limit - count - 1;
        let verdict = Verdict { allowed: true, remaining, reset: until_end, retry_after: 0 };
        let next = Cell::Count { window: window.start, count: count + 1 };
        Step { verdict, next, expires_at: window.end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000_000;
    const T0: u64 = 1_780_000_000 * SEC;

    fn run(alg: &Algorithm, cell: &mut Option<Cell>, now: u64) -> Verdict {
        let step = alg.step(*cell, now);
        if step.verdict.allowed {
            *cell = Some(step.next);
        }
        step.verdict
    }

    #[test]
    fn gcra_admits_burst_then_one_per_interval() {
        let alg = Algorithm::Gcra(Gcra { interval: SEC, burst: 3 });
        let mut cell = None;
        let remaining: Vec<u64> = (0..3).map(|_| run(&alg, &mut cell, T0).remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);

        let denied = run(&alg, &mut cell, T0);
        assert!(!denied.allowed);
        assert_eq!(denied.retry_after, SEC);

        assert!(!run(&alg, &mut cell, T0 + SEC - 1).allowed);
        assert!(run(&alg, &mut cell, T0 + SEC).allowed);
        assert!(!run(&alg, &mut cell, T0 + SEC).allowed);
    }

    #[test]
    fn gcra_refills_fully_after_capacity() {
        let alg = Algorithm::Gcra(Gcra { interval: SEC / 10, burst: 5 });
        let mut cell = None;
        for _ in 0..5 {
            assert!(run(&alg, &mut cell, T0).allowed);
        }
        let later = T0 + SEC / 2;
        let first = run(&alg, &mut cell, later);
        assert_eq!(first.remaining, 4);
        assert_eq!(first.reset, SEC / 10);
    }

    #[test]
    fn quota_counts_to_the_edge_and_rolls_over() {
        let alg = Algorithm::Quota(Quota { limit: 2, period: QuotaPeriod::Minute, offset: 0 });
        let start = T0 - T0 % (60 * SEC);
        let last = start + 60 * SEC - 1;
        let mut cell = None;
        assert!(run(&alg, &mut cell, start).allowed);
        assert!(run(&alg, &mut cell, last).allowed);
        let denied = run(&alg, &mut cell, last);
        assert!(!denied.allowed);
        assert_eq!(denied.retry_after, 1);
        let next = run(&alg, &mut cell, start + 60 * SEC);
        assert!(next.allowed);
        assert_eq!(next.remaining, 1);
    }
}
