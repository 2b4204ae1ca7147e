//! The connections to Redis and one script call per batch of decisions.
//!
//! Each connection is a `redis` connection manager (one multiplexed TCP connection that
//! reconnects on its own); batches go to the connections in turn. A batch is one
//! `EVALSHA` written straight into the command buffer (no intermediate argument vectors);
//! when Redis has not seen the script yet (`NOSCRIPT`, e.g. after a restart) it is loaded
//! and the call repeated once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, Script, ServerErrorKind};
use tokio::sync::oneshot;

use crate::algorithm::Verdict;
use crate::compile::RedisSettings;
use crate::error::StoreError;

use super::probe::RedisProbe;

/// The script, embedded at build time.
const SCRIPT: &str = include_str!("limits.lua");

/// Values per policy in the script's reply.
const REPLY_WIDTH: usize = 4;

/// The verdicts of one decision, and whether it was recorded.
pub type Outcome = (Vec<Verdict>, bool);

/// One queued decision.
pub(super) struct Job {
    /// The decision's time in microseconds since the epoch.
    pub now_us: u64,
    /// Whether to record it when every policy admits it.
    pub commit: bool,
    /// Its Redis policies.
    pub probes: Vec<RedisProbe>,
    /// Where the outcome goes.
    pub reply: oneshot::Sender<Result<Outcome, StoreError>>,
}

/// The connections and the script.
pub(super) struct Pool {
    client: redis::Client,
    manager_config: ConnectionManagerConfig,
    connections: Vec<Mutex<Option<ConnectionManager>>>,
    next: AtomicUsize,
    script: Script,
    pub settings: RedisSettings,
}

impl Pool {
    /// A pool of `settings.connections` lazily opened connections.
    pub fn new(settings: RedisSettings) -> Result<Self, StoreError> {
        let client = redis::Client::open(settings.url.as_str())
            .map_err(|err| StoreError::BadUrl { reason: format!("{:?}", err.kind()) })?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(settings.connect_timeout))
            .set_response_timeout(Some(settings.response_timeout))
            .set_number_of_retries(1);
        let connections = (0..settings.connections.max(1)).map(|_| Mutex::new(None)).collect();
        Ok(Self {
            client,
            manager_config,
            connections,
            next: AtomicUsize::new(0),
            script: Script::new(SCRIPT),
            settings,
        })
    }

    /// The next connection in turn, created lazily.
    fn manager(&self) -> Result<ConnectionManager, StoreError> {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        let Some(slot) = self.connections.get(index) else {
            return Err(StoreError::Unavailable { reason: "no redis connection".into() });
        };
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
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

    /// Replaces every connection with a freshly connected one (the recovery probe).
    pub async fn reconnect(&self) -> Result<(), StoreError> {
        for slot in &self.connections {
            let connect = ConnectionManager::new_with_config(
                self.client.clone(),
                self.manager_config.clone(),
            );
            let manager = tokio::time::timeout(self.settings.connect_timeout, connect)
                .await
                .map_err(|_| StoreError::Unavailable { reason: "connect timed out".into() })?
                .map_err(unavailable)?;
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(manager);
        }
        Ok(())
    }

    /// Runs one batch and answers each job.
    pub async fn execute(&self, batch: Vec<Job>) {
        match self.call(&batch).await {
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
        let cmd = encode(self.script.get_hash(), batch);
        let call = async {
            match cmd.query_async(&mut manager).await {
                Err(err) if err.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                    self.script.load_async(&mut manager).await?;
                    cmd.query_async(&mut manager).await
                }
                other => other,
            }
        };
        match tokio::time::timeout(self.settings.response_timeout, call).await {
            Ok(reply) => reply.map_err(unavailable),
            Err(_) => Err(StoreError::Unavailable { reason: "response timed out".into() }),
        }
    }
}

/// `EVALSHA sha numkeys KEYS... now decisions (count commit (kind a b)...)...`; see
/// limits.lua for the layout.
fn encode(sha: &str, batch: &[Job]) -> redis::Cmd {
    let keys: usize = batch.iter().map(|job| job.probes.len()).sum();
    let mut cmd = redis::cmd("EVALSHA");
    cmd.arg(sha).arg(keys);
    for probe in batch.iter().flat_map(|job| &job.probes) {
        cmd.arg(probe.key.as_str());
    }
    let now_us = batch.iter().map(|job| job.now_us).max().unwrap_or(0);
    cmd.arg(now_us).arg(batch.len());
    for job in batch {
        cmd.arg(job.probes.len()).arg(u8::from(job.commit));
        for probe in &job.probes {
            probe.write_args(&mut cmd);
        }
    }
    cmd
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
    let verdicts = slice
        .get(1..)
        .unwrap_or_default()
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
