//! The shared store: one Lua script evaluates whole batches of decisions atomically.
//!
//! Concurrent decisions queue on a bounded channel; the batcher ([`batcher`]) sends them
//! as one `EVALSHA` per batch over a small pool of multiplexed connections ([`pool`]).
//! Inside the script each decision is checked against all its policies and committed only
//! if all admit, so N gateways sharing Redis count exactly.
//!
//! Keys are `<prefix>{<identity>}:<policy>` (GCRA) and `<prefix>{<identity>}:<policy>:<start>`
//! (quota period starting at `<start>` seconds): the hash tag is the identity, so every
//! policy keyed by the same identity (a plan's throttle and quotas) lands in one Redis
//! Cluster slot. Shortcoming: only a single node is supported. The client is a single-node
//! connection manager, a batch mixes identities, and a request whose policies have
//! different identities spans slots, so a real Cluster would refuse the script
//! (CROSSSLOT). Supporting it needs the cluster client, batches grouped by slot, and one
//! script per slot with refunds on denial.

mod batcher;
mod pool;
mod probe;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::compile::RedisSettings;
use crate::error::StoreError;
use crate::health::Health;

pub use pool::Outcome;
use pool::{Job, Pool};
pub use probe::RedisProbe;

/// Handle to the shared store; cheap to clone.
#[derive(Clone)]
pub struct RedisStore {
    pool: Arc<Pool>,
    jobs: mpsc::Sender<Job>,
    health: Arc<Health>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").field("health", &self.health).finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Creates the store and starts its batcher on the current Tokio runtime. Does not
    /// connect yet: the first decision does, so the gateway starts even if Redis is down.
    pub fn start(settings: RedisSettings) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| StoreError::NoRuntime)?;
        let retry = u64::try_from(settings.retry_interval.as_nanos()).unwrap_or(u64::MAX);
        let capacity = settings.max_batch.saturating_mul(settings.max_in_flight) * 4;
        let (jobs, queue) = mpsc::channel(capacity.max(64));
        let pool = Arc::new(Pool::new(settings)?);
        let health = Arc::new(Health::new(retry));
        runtime.spawn(batcher::run(Arc::clone(&pool), Arc::clone(&health), queue));
        Ok(Self { pool, jobs, health })
    }

    /// The breaker and counters.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// The configured key prefix.
    pub fn key_prefix(&self) -> &str {
        &self.pool.settings.key_prefix
    }

    /// Evaluates one decision (all its Redis policies) atomically; records it when `commit`
    /// is set and all admit. While the breaker is open this fails fast.
    pub async fn apply(
        &self,
        probes: Vec<RedisProbe>,
        now: u64,
        commit: bool,
    ) -> Result<Outcome, StoreError> {
        let (ask, probe) = self.health.admit(now);
        if !ask {
            return Err(StoreError::CircuitOpen);
        }
        if probe {
            self.pool.reconnect().await.inspect_err(|err| {
                self.health.failed(now, &err.to_string());
            })?;
        }

        let result = self.submit(probes, now, commit).await;
        match &result {
            Ok(_) => self.health.succeeded(),
            Err(err) => self.health.failed(now, &err.to_string()),
        }
        result
    }

    async fn submit(
        &self,
        probes: Vec<RedisProbe>,
        now: u64,
        commit: bool,
    ) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job { now_us: now / 1000, commit, probes, reply };
        self.jobs.send(job).await.map_err(|_| StoreError::BatcherStopped)?;
        answer.await.map_err(|_| StoreError::BatcherStopped)?
    }
}
