//! The limiter: checks a request against its policies across the memory and Redis stores,
//! applies fail modes, and builds the [`Decision`].
//!
//! Order of work: memory policies are checked and recorded atomically first; then Redis
//! policies in one atomic script. If Redis denies (or fails closed), the memory record is
//! refunded, so a request denied by one policy consumes none of the others. The refund
//! is exact for quotas and for GCRA up to concurrent requests on the same key between
//! record and refund (a microsecond window in which a neighbour sees one fewer token).

use std::sync::Arc;
use std::time::Duration;

use crate::algorithm::{Algorithm, Verdict};
use crate::clock::Clock;
use crate::compile::{CompiledLimits, Policy};
use crate::config::{FailMode, StoreKind};
use crate::decision::{Decision, DenyReason, PolicyStatus, PolicyUsage};
use crate::error::StoreError;
use crate::health::{HealthSnapshot, StoreEventHook};
use crate::key::{identity, RequestAttributes};
use crate::store::memory::{MemoryProbe, MemoryStore};
use crate::store::redis::{RedisProbe, RedisStore};

/// One applicable policy with the identity it counts this request under.
struct Item<'p> {
    policy: &'p Policy,
    identity: String,
}

/// How one policy was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Not evaluated: another store denied first.
    Skipped,
    /// Evaluated by its own store.
    Store(Verdict),
    /// Evaluated by the local fallback while Redis was down (fail_open).
    Fallback(Verdict),
    /// Redis was down and the policy fails closed.
    Unavailable,
}

/// Checks requests against rate-limit policies; one per gateway process, shared by all
/// connections. Store state outlives config reloads (it is keyed by policy name).
#[derive(Debug)]
pub struct Limiter {
    memory: MemoryStore,
    fallback: MemoryStore,
    redis: Option<RedisStore>,
    clock: Arc<dyn Clock>,
    retry_interval: Duration,
}

impl Limiter {
    /// A limiter with the stores `limits` configures. Redis (if configured) connects on first
    /// use; this must run inside a Tokio runtime when Redis is configured.
    pub fn new(limits: &CompiledLimits, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let redis = match &limits.redis {
            Some(settings) => Some(RedisStore::start(settings.clone())?),
            None => None,
        };
        let retry_interval = limits.redis.as_ref().map_or(Duration::ZERO, |r| r.retry_interval);
        Ok(Self {
            memory: MemoryStore::new(limits.memory),
            fallback: MemoryStore::new(limits.memory),
            redis,
            clock,
            retry_interval,
        })
    }

    /// Installs the hook called when Redis goes down or comes back.
    pub fn set_store_hook(&self, hook: StoreEventHook) {
        if let Some(redis) = &self.redis {
            redis.health().set_hook(hook);
        }
    }

    /// Redis state and counters, when Redis is configured.
    pub fn redis_health(&self) -> Option<HealthSnapshot> {
        self.redis.as_ref().map(|r| r.health().snapshot())
    }

    /// The in-process store (for its size and eviction metrics, and periodic sweeps).
    pub fn memory(&self) -> &MemoryStore {
        &self.memory
    }

    /// Drops idle entries from the memory and fallback stores; returns how many.
    pub fn sweep(&self) -> usize {
        let now = self.clock.now_nanos();
        self.memory.sweep(now) + self.fallback.sweep(now)
    }

    /// Sweeps idle entries every `every` on the current runtime, until the limiter is
    /// dropped. Optional: inserts already expire and evict by sampling; the sweep returns
    /// memory promptly after a flood.
    pub fn spawn_sweeper(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let limiter = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every.max(Duration::from_millis(10)));
            loop {
                ticks.tick().await;
                let Some(limiter) = limiter.upgrade() else { return };
                let removed = limiter.sweep();
                tracing::debug!(limit.swept = removed, "swept idle limit entries");
            }
        })
    }

    /// Checks and, if every policy admits it, records one request.
    pub async fn check(&self, policies: &[Arc<Policy>], attrs: &dyn RequestAttributes) -> Decision {
        let items = applicable(policies, attrs);
        if items.is_empty() {
            return Decision::unlimited();
        }
        let now = self.clock.now_nanos();
        let (answers, committed) = self.evaluate(&items, now, true).await;
        let decision = self.decide(&items, &answers, committed, now);
        if !decision.allowed {
            tracing::debug!(
                limit.policy = decision.policy().unwrap_or(""),
                limit.reason = decision.reason.map_or("", DenyReason::event_name),
                decision = "deny",
                "request over limit"
            );
        }
        decision
    }

    /// Current counters for the given policies without recording anything, e.g. a plan's
    /// policies for one API key (`GET /keys/{id}/usage`).
    pub async fn usage(
        &self,
        policies: &[Arc<Policy>],
        attrs: &dyn RequestAttributes,
    ) -> Result<Vec<PolicyUsage>, StoreError> {
        let items = applicable(policies, attrs);
        let now = self.clock.now_nanos();
        let (answers, _) = self.evaluate(&items, now, false).await;
        items.iter().zip(&answers).map(|(item, answer)| usage_of(item, *answer)).collect()
    }

    async fn evaluate(&self, items: &[Item<'_>], now: u64, commit: bool) -> (Vec<Answer>, bool) {
        let mut answers = vec![Answer::Skipped; items.len()];
        let (local, shared): (Vec<usize>, Vec<usize>) =
            (0..items.len()).partition(|&i| items[i].policy.store == StoreKind::Memory);

        let probes = memory_probes(items, &local);
        let (verdicts, local_committed) = self.memory.apply(&probes, now, commit);
        fill(&mut answers, &local, &verdicts, Answer::Store);
        if commit && verdicts.iter().any(|v| !v.allowed) {
            return (answers, false);
        }
        if shared.is_empty() {
            return (answers, local_committed || !commit);
        }

        let admitted = self.evaluate_shared(items, &shared, now, commit, &mut answers).await;
        if !admitted && local_committed {
            self.memory.refund(&probes, now);
        }
        (answers, admitted && commit)
    }

    /// Redis policies, with fail modes; returns whether they all admitted.
    async fn evaluate_shared(
        &self,
        items: &[Item<'_>],
        shared: &[usize],
        now: u64,
        commit: bool,
        answers: &mut [Answer],
    ) -> bool {
        let result = match &self.redis {
            Some(redis) => {
                let prefix = redis.key_prefix();
                let probes = shared.iter().map(|&i| redis_probe(prefix, &items[i], now)).collect();
                redis.apply(probes, now, commit).await
            }
            None => Err(StoreError::Unavailable { reason: "redis is not configured".into() }),
        };
        match result {
            Ok((verdicts, _)) => {
                fill(answers, shared, &verdicts, Answer::Store);
                verdicts.iter().all(|v| v.allowed)
            }
            Err(_) => self.fail_over(items, shared, now, commit, answers),
        }
    }

    /// Applies each Redis policy's fail mode while Redis cannot answer.
    fn fail_over(
        &self,
        items: &[Item<'_>],
        shared: &[usize],
        now: u64,
        commit: bool,
        answers: &mut [Answer],
    ) -> bool {
        let (open, closed): (Vec<usize>, Vec<usize>) =
            shared.iter().partition(|&&i| items[i].policy.on_store_error == FailMode::FailOpen);
        for &i in &closed {
            answers[i] = Answer::Unavailable;
        }
        let health = self.redis.as_ref().map(RedisStore::health);
        if !closed.is_empty() {
            if let Some(health) = health {
                health.count_denied_unavailable();
            }
            return false;
        }

        let probes = memory_probes(items, &open);
        let (verdicts, _) = self.fallback.apply(&probes, now, commit);
        if let Some(health) = health {
            open.iter().for_each(|_| health.count_fallback());
        }
        fill(answers, &open, &verdicts, Answer::Fallback);
        verdicts.iter().all(|v| v.allowed)
    }

    fn decide(
        &self,
        items: &[Item<'_>],
        answers: &[Answer],
        committed: bool,
        now: u64,
    ) -> Decision {
        // The worst denial: the one asking the longest wait.
        let mut worst: Option<(usize, Verdict, DenyReason)> = None;
        let mut statuses = Vec::with_capacity(items.len());
        for (item, answer) in items.iter().zip(answers) {
            let Some((status, verdict, reason)) = self.row(item, *answer, committed, now) else {
                continue;
            };
            let worse = worst.is_none_or(|(_, w, _)| verdict.retry_after > w.retry_after);
            if !status.allowed && worse {
                worst = Some((statuses.len(), verdict, reason));
            }
            statuses.push(status);
        }

        if committed {
            let deciding = statuses
                .iter()
                .filter(|s| s.headers)
                .min_by_key(|s| s.remaining)
                .or_else(|| statuses.iter().min_by_key(|s| s.remaining))
                .cloned();
            return Decision { allowed: true, reason: None, deciding, retry_after: None, statuses };
        }
        Decision {
            allowed: false,
            reason: worst.map(|(_, _, reason)| reason),
            deciding: worst.and_then(|(i, _, _)| statuses.get(i).cloned()),
            retry_after: worst.map(|(_, v, _)| Duration::from_nanos(v.retry_after)),
            statuses,
        }
    }

    /// The status of one answered policy, its verdict, and the reason it would deny.
    fn row(
        &self,
        item: &Item<'_>,
        answer: Answer,
        committed: bool,
        now: u64,
    ) -> Option<(PolicyStatus, Verdict, DenyReason)> {
        let algorithm = &item.policy.algorithm;
        let (verdict, fallback) = match answer {
            Answer::Skipped => return None,
            Answer::Store(v) => (v, false),
            Answer::Fallback(v) => (v, true),
            Answer::Unavailable => (unavailable_verdict(self.retry_interval), false),
        };
        // A request that was not recorded did not use up the slot its verdict counted.
        let remaining =
            if verdict.allowed && !committed { verdict.remaining + 1 } else { verdict.remaining };
        let status = PolicyStatus {
            policy: Arc::clone(&item.policy.name),
            key: item.identity.clone(),
            limit: algorithm.limit(),
            remaining: remaining.min(algorithm.limit()),
            reset: Duration::from_nanos(verdict.reset),
            window: Duration::from_nanos(algorithm.window(now)),
            allowed: verdict.allowed,
            headers: item.policy.headers,
            fallback,
        };
        Some((status, verdict, deny_reason(item.policy, answer)))
    }
}

/// The policies that apply, each once (a policy attached both gateway-wide and to the
/// route counts one request once), with the identity each counts it under.
fn applicable<'p>(policies: &'p [Arc<Policy>], attrs: &dyn RequestAttributes) -> Vec<Item<'p>> {
    let mut items: Vec<Item<'p>> = Vec::with_capacity(policies.len());
    for policy in policies {
        if items.iter().any(|item| item.policy.name == policy.name) {
            continue;
        }
        if let Some(identity) = identity(policy, attrs) {
            items.push(Item { policy: policy.as_ref(), identity });
        }
    }
    items
}

fn memory_probes<'a>(items: &'a [Item<'_>], which: &[usize]) -> Vec<MemoryProbe<'a>> {
    which
        .iter()
        .map(|&i| {
            MemoryProbe::new(&items[i].policy.name, &items[i].identity, &items[i].policy.algorithm)
        })
        .collect()
}

fn redis_probe(prefix: &str, item: &Item<'_>, now: u64) -> RedisProbe {
    RedisProbe::new(prefix, &item.policy.name, &item.identity, &item.policy.algorithm, now)
}

fn fill(
    answers: &mut [Answer],
    which: &[usize],
    verdicts: &[Verdict],
    wrap: fn(Verdict) -> Answer,
) {
    for (&i, verdict) in which.iter().zip(verdicts) {
        answers[i] = wrap(*verdict);
    }
}

fn unavailable_verdict(retry_interval: Duration) -> Verdict {
    let wait = u64::try_from(retry_interval.as_nanos()).unwrap_or(u64::MAX);
    Verdict { allowed: false, remaining: 0, reset: wait, retry_after: wait }
}

fn deny_reason(policy: &Policy, answer: Answer) -> DenyReason {
    match (answer, &policy.algorithm) {
        (Answer::Unavailable, _) => DenyReason::StoreUnavailable,
        (_, Algorithm::Gcra(_)) => DenyReason::RateLimited,
        (_, Algorithm::Quota(_)) => DenyReason::QuotaExceeded,
    }
}

fn usage_of(item: &Item<'_>, answer: Answer) -> Result<PolicyUsage, StoreError> {
    let verdict = match answer {
        Answer::Store(v) => v,
        Answer::Fallback(_) | Answer::Unavailable => {
            return Err(StoreError::Unavailable { reason: "redis did not answer".into() })
        }
        Answer::Skipped => {
            return Err(StoreError::Unavailable { reason: "policy was not evaluated".into() })
        }
    };
    let limit = item.policy.algorithm.limit();
    let remaining = if verdict.allowed { (verdict.remaining + 1).min(limit) } else { 0 };
    Ok(PolicyUsage {
        policy: Arc::clone(&item.policy.name),
        limit,
        used: limit - remaining,
        remaining,
        reset: Duration::from_nanos(verdict.reset),
    })
}
