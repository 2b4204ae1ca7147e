//! Certificate rotation: the running snapshot's TLS files (listeners' certificates, keys and
//! client CA bundles; upstreams' CA bundles, client certificates and keys) are checked for
//! changed contents on a timer and on SIGHUP; what changed and is valid is swapped in,
//! what is broken is refused with a `tls_reload_failed` event and the old material stays.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rampart_events::{EventType, SecurityEvent, Severity};
use tokio::sync::watch;

use super::{Refresh, TlsError};
use crate::handler::Gateway;

/// The event recorded when changed TLS material was swapped in.
pub const TLS_RELOADED: EventType = EventType::Custom("tls_reloaded");

/// The event recorded when a changed TLS file was refused.
pub const TLS_RELOAD_FAILED: EventType = EventType::Custom("tls_reload_failed");

/// Checks every TLS file of the running snapshot each `interval` until `shutdown`.
pub async fn watch(gateway: Arc<Gateway>, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        let gateway = gateway.clone();
        // File reads block; keep them off the threads that serve requests.
        let _ = tokio::task::spawn_blocking(move || refresh_all(&gateway)).await;
    }
}

/// Checks every TLS file of the running snapshot now, swaps in valid changes and records an
/// event for each change applied or refused. Returns how many changed files were refused.
pub fn refresh_all(gateway: &Gateway) -> usize {
    let snapshot = gateway.snapshot.load();
    let mut refused = 0;
    for (listener, tls) in &snapshot.tls {
        refused += report(gateway, Owner::Listener(listener), tls.refresh());
    }

    let mut upstreams = HashSet::new();
    for route in &snapshot.routes {
        let group = &route.upstream;
        let Some(tls) = &group.tls else { continue };
        if upstreams.insert(group.name.clone()) {
            refused += report(gateway, Owner::Upstream(&group.name), tls.refresh());
        }
    }
    refused
}

/// Whose files changed.
#[derive(Debug, Clone, Copy)]
enum Owner<'a> {
    Listener(&'a str),
    Upstream(&'a str),
}

impl Owner<'_> {
    fn event(self, event_type: EventType) -> SecurityEvent {
        let event = SecurityEvent::new(event_type);
        match self {
            Self::Listener(name) => event.with_detail("listener", name),
            Self::Upstream(name) => event.with_detail("upstream", name),
        }
    }
}

fn report(gateway: &Gateway, owner: Owner<'_>, refresh: Refresh) -> usize {
    if refresh.is_empty() {
        return 0;
    }
    if !refresh.applied.is_empty() {
        let files: Vec<String> =
            refresh.applied.iter().map(|file| file.display().to_string()).collect();
        tracing::info!(owner = ?owner, files = ?files, "tls material reloaded");
        gateway.events.emit(owner.event(TLS_RELOADED).with_detail("files", files));
    }
    for error in &refresh.failed {
        refused(gateway, owner, error);
    }
    refresh.failed.len()
}

fn refused(gateway: &Gateway, owner: Owner<'_>, error: &TlsError) {
    let file = error.file().map(|file| file.display().to_string()).unwrap_or_default();
    tracing::error!(
        owner = ?owner,
        file = %file,
        error = %error,
        "tls file refused; the previous material keeps serving"
    );
    let event = owner
        .event(TLS_RELOAD_FAILED)
        .with_severity(Severity::High)
        .with_detail("file", file)
        .with_detail("reason", error.to_string());
    gateway.events.emit(event);
}
