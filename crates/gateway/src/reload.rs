//! Config reload: the new file is validated and compiled first, then swapped in atomically;
//! a bad file is rejected with an event and the running snapshot keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rampart_events::{EventType, SecurityEvent, Severity};
use tokio::sync::watch;

use crate::config::{self, model::Config, ConfigError};
use crate::handler::Gateway;

/// Loads, checks and swaps in the config at `file`; on error the old snapshot stays.
pub fn reload(gateway: &Gateway, file: &Path) -> Result<(), ConfigError> {
    let result = config::load(file).and_then(|new| {
        let old = gateway.snapshot.load();
        check_restart_free(&old.config, &new, file)?;
        config::compile_reusing(new, file, &gateway.metrics, Some(&old))
    });

    match result {
        Ok(snapshot) => {
            if let Some(limits) = &snapshot.limits {
                let (metrics, events) = (gateway.metrics.clone(), gateway.events.clone());
                crate::pipeline::limit::install_store_hook(limits, metrics, events);
            }
            gateway.snapshot.store(Arc::new(snapshot));
            gateway.metrics.reload("applied");
            tracing::info!(file = %file.display(), "config reloaded");
            let event = SecurityEvent::new(EventType::ConfigReloaded)
                .with_detail("file", file.display().to_string());
            gateway.events.emit(event);
            Ok(())
        }
        Err(error) => {
            gateway.metrics.reload("rejected");
            tracing::error!(file = %file.display(), error = %error, "config rejected; keeping the running config");
            let event = SecurityEvent::new(EventType::ConfigRejected)
                .with_severity(Severity::High)
                .with_detail("file", file.display().to_string())
                .with_detail("error", error.to_string());
            gateway.events.emit(event);
            Err(error)
        }
    }
}

/// Refuses changes that only a restart can apply (sockets and the event sink).
fn check_restart_free(old: &Config, new: &Config, file: &Path) -> Result<(), ConfigError> {
    let listeners = |c: &Config| -> Vec<(String, std::net::SocketAddr, bool)> {
        c.listeners.iter().map(|l| (l.name.clone(), l.address, l.tls.is_some())).collect()
    };
    let restart = |path: &str, what: &str| ConfigError::Invalid {
        file: file.to_owned(),
        path: path.to_owned(),
        message: format!("{what} changed; this takes a restart, so the reload was refused"),
    };

    if listeners(old) != listeners(new) {
        return Err(restart("listeners", "the listeners' names, addresses or TLS use"));
    }
    if old.admin.address != new.admin.address {
        return Err(restart("admin.address", "the admin address"));
    }
    if old.events != new.events {
        return Err(restart("events", "the event sink"));
    }
    if old.demo.as_ref().map(|d| d.address) != new.demo.as_ref().map(|d| d.address) {
        return Err(restart("demo", "the demo API address"));
    }
    Ok(())
}

/// The modification time and size of a file, to notice changes.
pub type Fingerprint = Option<(SystemTime, u64)>;

/// Reloads whenever the file's modification time or size changes, checking every `interval`.
///
/// `loaded` is the fingerprint taken before the running config was read, so a change made
/// between loading and the first check is not missed.
pub async fn watch_file(
    gateway: Arc<Gateway>,
    file: PathBuf,
    loaded: Fingerprint,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut last = loaded;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        let current = fingerprint(&file);
        if current != last {
            last = current;
            let _ = reload(&gateway, &file);
        }
    }
}

/// The current fingerprint of `file`.
pub fn fingerprint(file: &Path) -> Fingerprint {
    let metadata = std::fs::metadata(file).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}
