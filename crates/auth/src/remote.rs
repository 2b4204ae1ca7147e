//! Keys of a provider served from a JWKS URL: scheduled refresh with exponential backoff, and
//! rate-limited on-demand refetch when a token names an unknown `kid`.
//!
//! Until the first successful fetch the key set is empty and tokens are denied with
//! `keys_unavailable` (fail closed). The refresh task holds only a weak reference and is also
//! aborted when the authenticator is dropped, so a config reload stops it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{watch, Mutex as AsyncMutex};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::fetch::{FetchError, JwksFetcher};
use crate::keys::KeySet;

/// First delay after a failed fetch; doubled on each further failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// Timing of a remote key source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RemoteTiming {
    pub refresh: Duration,
    pub refetch_min: Duration,
}

/// The live key set of one JWKS URL.
#[derive(Debug)]
pub(crate) struct RemoteJwks {
    provider: Arc<str>,
    fetcher: JwksFetcher,
    timing: RemoteTiming,
    keys: RwLock<Arc<KeySet>>,
    epoch: AtomicU64,
    fetches: AtomicU64,
    document_hash: std::sync::Mutex<Option<[u8; 32]>>,
    last_on_demand: AsyncMutex<Option<Instant>>,
    loaded: watch::Sender<bool>,
}

/// Aborts a background task when dropped.
#[derive(Debug)]
pub(crate) struct AbortOnDrop(pub AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl RemoteJwks {
    /// A key source with no keys yet.
    pub fn new(provider: Arc<str>, fetcher: JwksFetcher, timing: RemoteTiming) -> Self {
        Self {
            provider,
            fetcher,
            timing,
            keys: RwLock::new(Arc::new(KeySet::default())),
            epoch: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
            document_hash: std::sync::Mutex::new(None),
            last_on_demand: AsyncMutex::new(None),
            loaded: watch::Sender::new(false),
        }
    }

    /// The current keys and their epoch (which changes whenever the keys change).
    pub fn current(&self) -> (Arc<KeySet>, u64) {
        let keys = match self.keys.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        };
        (keys, self.epoch.load(Ordering::Acquire))
    }

    /// The epoch alone, for cache validation.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// How many fetches were attempted (scheduled and on demand).
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Resolves once keys have been fetched successfully at least once.
    pub async fn wait_loaded(&self) {
        let mut loaded = self.loaded.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = loaded.wait_for(|loaded| *loaded).await;
    }

    /// Starts the scheduled refresh on the current tokio runtime, if there is one.
    pub fn spawn_refresh(self: &Arc<Self>) -> Option<AbortOnDrop> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let task = runtime.spawn(refresh_loop(Arc::downgrade(self)));
        Some(AbortOnDrop(task.abort_handle()))
    }

    /// Fetches once and installs the keys when the document changed.
    pub async fn fetch_now(&self) -> Result<(), RemoteError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let body = self.fetcher.fetch().await.map_err(RemoteError::Fetch)?;
        let hash: [u8; 32] = Sha256::digest(&body).into();
        if self.same_document(&hash) {
            return Ok(());
        }

        let keys = KeySet::from_jwks(&body).map_err(RemoteError::Invalid)?;
        tracing::info!(jwt.provider = %self.provider, jwks.keys = keys.len(), "jwks updated");
        self.install(Arc::new(keys), hash);
        Ok(())
    }

    /// On a `kid` (or key) miss seen at `seen_epoch`: waits for a concurrent refetch, or
    /// refetches once if the rate limit allows. True when the keys changed since `seen_epoch`.
    pub async fn refetch_on_miss(&self, seen_epoch: u64) -> bool {
        let mut last = self.last_on_demand.lock().await;
        if self.epoch() != seen_epoch {
            return true;
        }
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < self.timing.refetch_min) {
            tracing::debug!(jwt.provider = %self.provider, "jwks refetch rate limited");
            return false;
        }

        *last = Some(now);
        if let Err(err) = self.fetch_now().await {
            tracing::warn!(jwt.provider = %self.provider, error = %err, "jwks refetch failed");
        }
        self.epoch() != seen_epoch
    }

    fn same_document(&self, hash: &[u8; 32]) -> bool {
        let guard = self.document_hash.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref() == Some(hash)
    }

    fn install(&self, keys: Arc<KeySet>, hash: [u8; 32]) {
        let mut guard = self.keys.write().unwrap_or_else(|p| p.into_inner());
        *guard = keys;
        self.epoch.fetch_add(1, Ordering::AcqRel);
        drop(guard);
        *self.document_hash.lock().unwrap_or_else(|p| p.into_inner()) = Some(hash);
        self.loaded.send_replace(true);
    }
}

/// Why a fetch did not produce keys.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The document could not be fetched.
    #[error(transparent)]
    Fetch(FetchError),
    /// The document was fetched but holds no usable key.
    #[error("invalid jwks: {0}")]
    Invalid(String),
}

/// Refreshes on schedule; after a failure retries after 1 s, 2 s, 4 s ... up to the refresh
/// interval. Ends when the key source is dropped.
async fn refresh_loop(source: Weak<RemoteJwks>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let Some(jwks) = source.upgrade() else {
            return;
        };
        let result = jwks.fetch_now().await;
        if let Err(err) = &result {
            tracing::warn!(jwt.provider = %jwks.provider, error = %err, "jwks fetch failed");
        }
        let (delay, next) = next_delay(result.is_ok(), backoff, jwks.timing.refresh);
        backoff = next;
        drop(jwks);
        tokio::time::sleep(delay).await;
    }
}

/// The wait before the next fetch and the backoff after it.
fn next_delay(succeeded: bool, backoff: Duration, refresh: Duration) -> (Duration, Duration) {
    if succeeded {
        return (refresh, FIRST_BACKOFF);
    }
    (backoff.min(refresh), backoff.saturating_mul(2).min(refresh))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{next_delay, AbortOnDrop};

    #[test]
    fn failures_back_off_exponentially_up_to_the_refresh_interval() {
        let refresh = Duration::from_secs(300);
        let mut backoff = Duration::from_secs(1);
        let mut delays = Vec::new();
        for _ in 0..11 {
            let (delay, next) = next_delay(false, backoff, refresh);
            delays.push(delay.as_secs());
            backoff = next;
        }

        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(next_delay(true, backoff, refresh), (refresh, Duration::from_secs(1)));
    }

    #[tokio::test]
    async fn dropping_the_guard_stops_the_task() {
        let (alive, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _alive = alive;
            std::future::pending::<()>().await;
        });
        let guard = AbortOnDrop(task.abort_handle());

        drop(guard);

        assert!(stopped.await.is_err(), "the task's sender must be dropped by the abort");
        assert!(task.await.is_err_and(|err| err.is_cancelled()));
    }
}
