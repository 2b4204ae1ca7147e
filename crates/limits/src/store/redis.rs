//! The shared store: one Lua script evaluates whole batches of decisions atomically.
//!
//! Concurrent decisions queue on a channel; a batcher task drains up to `max_batch` of them
//! into one `EVALSHA` (up to `max_in_flight` calls at once on the connection manager's
//! multiplexed connection). Inside the script each decision is checked against all its
//! policies and committed only if all admit, so N gateways sharing Redis count exactly.
//!
//! Keys are `<prefix>{<identity>}:<policy>` (GCRA) and `<prefix>{<identity>}:<policy>:<start>`
//! (quota period starting at `<start>` seconds): the hash tag is the identity, so every
//! policy keyed by the same identity (a plan's throttle and quotas) lands in one Redis
//! Cluster slot. Shortcoming: the client is a single-node connection manager; against a
//! real Cluster, a request whose policies have different identities spans slots and the
//! script would be refused. Supporting that needs the cluster client and one script per
//! slot with refunds on denial.

use std::sync::{Arc, Mutex, PoisonError};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use tokio::sync::{mpsc, oneshot, Semaphore};

use crate::algorithm::{Algorithm, Verdict};
use crate::compile::RedisSettings;
use crate::error::StoreError;
use crate::health::Health;
use crate::period::Window;

/// The script, embedded at build time.
const SCRIPT: &str = include_str!("limits.lua");

/// Values per policy in the script's reply.
const REPLY_WIDTH: usize = 4;

/// One policy of one request, addressed to Redis.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisProbe {
    /// Full Redis key.
    pub key: String,
    /// `g` or `q`.
    kind: &'static str,
    /// Interval (µs) or quota limit.
    a: String,
    /// Burst or period end (µs).
    b: String,
}

impl RedisProbe {
    /// The probe for `identity` under policy `policy`, evaluated at `now` (ns).
    pub fn new(
        prefix: &str,
        policy: &str,
        identity: &str,
        algorithm: &Algorithm,
        now: u64,
    ) -> Self {
        match algorithm {
            Algorithm::Gcra(gcra) => Self {
                key: format!("{prefix}{{{identity}}}:{policy}"),
                kind: "g",
                a: format!("{:.3}", gcra.interval as f64 / 1000.0),
                b: gcra.burst.to_string(),
            },
            Algorithm::Quota(quota) => {
                let Window { start, end } = quota.window(now);
                Self {
                    key: format!("{prefix}{{{identity}}}:{policy}:{}", start / 1_000_000_000),
                    kind: "q",
                    a: quota.limit.to_string(),
                    b: (end / 1000).to_string(),
                }
            }
        }
    }
}

/// The verdicts of one decision, and whether it was recorded.
pub type Outcome = (Vec<Verdict>, bool);

struct Job {
    now_us: u64,
    commit: bool,
    probes: Vec<RedisProbe>,
    reply: oneshot::Sender<Result<Outcome, StoreError>>,
}

struct Inner {
    client: redis::Client,
    manager_config: ConnectionManagerConfig,
    manager: Mutex<Option<ConnectionManager>>,
    script: Script,
    settings: RedisSettings,
}

/// Handle to the shared store; cheap to clone.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
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
        let client = redis::Client::open(settings.url.as_str())
            .map_err(|err| StoreError::BadUrl { reason: format!("{:?}", err.kind()) })?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(settings.connect_timeout))
            .set_response_timeout(Some(settings.response_timeout))
            .set_number_of_retries(1);
        let retry = u64::try_from(settings.retry_interval.as_nanos()).unwrap_or(u64::MAX);
        let capacity = settings.max_batch.saturating_mul(settings.max_in_flight) * 4;
        let (jobs, queue) = mpsc::channel(capacity.max(64));
        let inner = Arc::new(Inner {
            client,
            manager_config,
            manager: Mutex::new(None),
            script: Script::new(SCRIPT),
            settings,
        });
        runtime.spawn(batcher(Arc::clone(&inner), queue));
        Ok(Self { inner, jobs, health: Arc::new(Health::new(retry)) })
    }

    /// The breaker and counters.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// The configured key prefix.
    pub fn key_prefix(&self) -> &str {
        &self.inner.settings.key_prefix
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
            self.inner.reconnect().await.inspect_err(|err| {
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

impl Inner {
    /// The current manager, created lazily.
    fn manager(&self) -> Result<ConnectionManager, StoreError> {
        let mut slot = self.manager.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(manager) = slot.as_ref() {
            return Ok(manager.clone());
        }
        let manager = ConnectionManager::new_lazy_with_config(
            self.client.clone(),
            self.manager_config.clone(),
        )
        .map_err(unavailable)?;
        *slot = Some(manager.clone());
        Ok(manager)
    }

    /// Replaces the manager with a freshly connected one (the recovery probe).
    async fn reconnect(&self) -> Result<(), StoreError> {
        let connect =
            ConnectionManager::new_with_config(self.client.clone(), self.manager_config.clone());
        let manager = tokio::time::timeout(self.settings.connect_timeout, connect)
            .await
            .map_err(|_| StoreError::Unavailable { reason: "connect timed out".into() })?
            .map_err(unavailable)?;
        *self.manager.lock().unwrap_or_else(PoisonError::into_inner) = Some(manager);
        Ok(())
    }

    /// Runs one batch and answers each job.
    async fn execute(&self, batch: Vec<Job>) {
        let result = self.call(&batch).await;
        match result {
            Ok(reply) => answer_all(batch, &reply),
            Err(err) => {
                for job in batch {
                    let _ = job.reply.send(Err(err.clone()));
                }
            }
        }
    }

    async fn call(&self, batch: &[Job]) -> Result<Vec<i64>, StoreError> {
        let mut manager = self.manager()?;
        let mut invocation = self.script.prepare_invoke();
        let now_us = batch.iter().map(|job| job.now_us).max().unwrap_or(0);
        invocation.arg(now_us).arg(batch.len());
        for job in batch {
            invocation.arg(job.probes.len()).arg(u8::from(job.commit));
            for probe in &job.probes {
                invocation.key(&probe.key).arg(probe.kind).arg(&probe.a).arg(&probe.b);
            }
        }
        let call = invocation.invoke_async::<Vec<i64>>(&mut manager);
        match tokio::time::timeout(self.settings.response_timeout, call).await {
            Ok(reply) => reply.map_err(unavailable),
            Err(_) => Err(StoreError::Unavailable { reason: "response timed out".into() }),
        }
    }
}

/// Splits the flat reply among the batch's jobs.
fn answer_all(batch: Vec<Job>, reply: &[i64]) {
    let mut cursor = 0;
    for job in batch {
        let width = 1 + job.probes.len() * REPLY_WIDTH;
        let outcome = match reply.get(cursor..cursor + width) {
            Some(slice) => Ok(parse_outcome(slice)),
            None => Err(StoreError::BadReply {
                reason: format!("short reply ({} values)", reply.len()),
            }),
        };
        cursor += width;
        let _ = job.reply.send(outcome);
    }
}

fn parse_outcome(slice: &[i64]) -> Outcome {
    let committed = slice.first().copied() == Some(1);
    let micros = |v: i64| u64::try_from(v).unwrap_or(0).saturating_mul(1000);
    let verdicts = slice[1..]
        .chunks_exact(REPLY_WIDTH)
        .map(|v| Verdict {
            allowed: v[0] == 1,
            remaining: u64::try_from(v[1]).unwrap_or(0),
            reset: micros(v[2]),
            retry_after: micros(v[3]),
        })
        .collect();
    (verdicts, committed)
}

fn unavailable(err: redis::RedisError) -> StoreError {
    StoreError::Unavailable { reason: err.to_string() }
}

/// Drains the queue into batches, at most `max_in_flight` script calls at a time.
async fn batcher(inner: Arc<Inner>, mut queue: mpsc::Receiver<Job>) {
    let permits = Arc::new(Semaphore::new(inner.settings.max_in_flight));
    loop {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else { return };
        let Some(first) = queue.recv().await else { return };
        let mut batch = vec![first];
        while batch.len() < inner.settings.max_batch {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let inner = Arc::clone(&inner);
        tokio::spawn(async move {
            inner.execute(batch).await;
            drop(permit);
        });
    }
}
