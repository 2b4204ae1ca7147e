//! Watching the API keys file: keys created, disabled or enabled with `rampart keys ...`
//! while the gateway runs take effect without a reload.
//!
//! The file's fingerprint (modification time and size) is polled; on a change the file is
//! read and indexed against the running usage plans, then swapped in whole. A file that
//! does not parse or names an unknown plan is refused with an `api_keys_rejected` event
//! and the keys in use stay; a good one raises `api_keys_reloaded`.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use rampart_events::{EventType, SecurityEvent, Severity};
use rampart_limits::{ApiKeyError, ApiKeyIndex, KeysFile};
use tokio::sync::watch;

use super::{ApiKeys, LimitsRuntime};
use crate::handler::Gateway;
use crate::reload::fingerprint;

/// Re-reads the keys file whenever its fingerprint changes, checking every `interval`,
/// until `shutdown` fires. The keys of the snapshot running at each check are the ones
/// compared and replaced (a config reload loads the file afresh anyway).
pub async fn watch_keys(
    gateway: Arc<Gateway>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        let snapshot = gateway.snapshot.load_full();
        let Some(limits) = snapshot.limits.as_deref() else { continue };
        let Some(keys) = limits.keys.as_ref() else { continue };
        if changed(keys) {
            let _ = reload_keys(&gateway, limits, keys);
        }
    }
}

/// Whether the keys file differs from the one loaded; records the new fingerprint, so a
/// refused file is reported once, not at every check.
fn changed(keys: &ApiKeys) -> bool {
    let current = fingerprint(&keys.file);
    let mut loaded = keys.loaded.lock().unwrap_or_else(PoisonError::into_inner);
    if *loaded == current {
        return false;
    }
    *loaded = current;
    true
}

/// Reads, indexes and swaps in the keys file of `keys`; on error the old keys stay and an
/// `api_keys_rejected` event says why.
pub fn reload_keys(
    gateway: &Gateway,
    limits: &LimitsRuntime,
    keys: &ApiKeys,
) -> Result<usize, ApiKeyError> {
    let file = keys.file.display().to_string();
    let result = KeysFile::load(&keys.file)
        .and_then(|loaded| ApiKeyIndex::build(&loaded, &limits.compiled).map(|i| (loaded, i)));
    match result {
        Ok((loaded, index)) => {
            keys.index.store(Arc::new(index));
            let count = loaded.keys.len();
            tracing::info!(file = %file, keys = count, "api keys reloaded");
            let event = SecurityEvent::new(EventType::Custom("api_keys_reloaded"))
                .with_detail("file", file)
                .with_detail("keys", count.to_string());
            gateway.events.emit(event);
            Ok(count)
        }
        Err(error) => {
            tracing::error!(file = %file, error = %error, "keys file rejected; keeping the keys in use");
            let event = SecurityEvent::new(EventType::Custom("api_keys_rejected"))
                .with_severity(Severity::High)
                .with_detail("file", file)
                .with_detail("error", error.to_string());
            gateway.events.emit(event);
            Err(error)
        }
    }
}
