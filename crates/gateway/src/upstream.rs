//! Upstream groups: round robin over targets, passive health, pooled HTTP clients (with TLS
//! and mutual TLS when configured).

pub mod connector;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::Authority;
use http::uri::Scheme;
use http_body_util::combinators::BoxBody;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::config::model::{UpstreamConfig, UpstreamProtocol};
use crate::tls::UpstreamTls;
use connector::UpstreamConnector;

/// Errors carried by request bodies on their way upstream.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type sent to upstreams.
pub type UpstreamBody = BoxBody<Bytes, BoxError>;

/// A pooled client for one upstream and connect timeout.
pub type UpstreamClient = Client<UpstreamConnector, UpstreamBody>;

/// One target of an upstream group.
#[derive(Debug)]
pub struct Target {
    /// `host:port` the target listens on.
    pub authority: Authority,
    /// Milliseconds since the process clock's origin until which the target is skipped.
    unhealthy_until: AtomicU64,
}

/// A named group of interchangeable targets.
#[derive(Debug)]
pub struct UpstreamGroup {
    /// The group's name from the config.
    pub name: Arc<str>,
    /// Protocol spoken to the targets.
    pub protocol: UpstreamProtocol,
    /// TLS to the targets, when configured.
    pub tls: Option<Arc<UpstreamTls>>,
    targets: Vec<Target>,
    next: AtomicUsize,
    unhealthy_for: Duration,
}

impl UpstreamGroup {
    /// Builds a group from parsed target authorities.
    pub fn new(name: &str, config: &UpstreamConfig, targets: Vec<Authority>) -> Self {
        let targets = targets
            .into_iter()
            .map(|authority| Target { authority, unhealthy_until: AtomicU64::new(0) })
            .collect();
        Self {
            name: name.into(),
            protocol: config.protocol,
            tls: None,
            targets,
            next: AtomicUsize::new(0),
            unhealthy_for: config.unhealthy_for.get(),
        }
    }

    /// Speaks TLS to the targets with `tls`.
    pub fn with_tls(mut self, tls: Option<Arc<UpstreamTls>>) -> Self {
        self.tls = tls;
        self
    }

    /// The URI scheme of requests to the targets: `https` with TLS, else `http`.
    pub fn scheme(&self) -> Scheme {
        match self.tls {
            Some(_) => Scheme::HTTPS,
            None => Scheme::HTTP,
        }
    }

    /// The next healthy target in round-robin order, or `None` when every target is resting.
    pub fn pick(&self) -> Option<&Target> {
        let now = clock_millis();
        let count = self.targets.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);

        (0..count)
            .map(|offset| &self.targets[(start + offset) % count])
            .find(|target| target.unhealthy_until.load(Ordering::Relaxed) <= now)
    }

    /// Marks a target as refusing connections, so it is skipped for a while.
    pub fn mark_unhealthy(&self, target: &Target) {
        let until = clock_millis().saturating_add(self.unhealthy_for.as_millis() as u64);
        target.unhealthy_until.store(until, Ordering::Relaxed);
        tracing::warn!(
            upstream = %self.name,
            target = %target.authority,
            rest_ms = self.unhealthy_for.as_millis() as u64,
            "upstream target marked unhealthy"
        );
    }

    /// The number of targets in the group.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether the group has no targets (never true for a compiled config).
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

/// Milliseconds on a monotonic clock whose origin is the first call.
fn clock_millis() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

/// Builds a pooled client for an upstream with the given connect timeout (which also bounds
/// the TLS handshake), speaking TLS when `tls` is given.
pub fn build_client(
    config: &UpstreamConfig,
    connect_timeout: Duration,
    tls: Option<Arc<UpstreamTls>>,
) -> UpstreamClient {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    http.enforce_http(tls.is_none());
    let connector = UpstreamConnector::new(http, tls, connect_timeout);

    let mut builder = Client::builder(TokioExecutor::new());
    builder
        .timer(TokioTimer::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(config.pool_max_idle);
    if config.protocol == UpstreamProtocol::Http2 {
        builder.http2_only(true);
    }
    builder.build(connector)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::duration::ConfigDuration;

    fn group(targets: &[&str]) -> UpstreamGroup {
        let config = UpstreamConfig {
            targets: targets.iter().map(|t| t.to_string()).collect(),
            protocol: UpstreamProtocol::Http1,
            connect_timeout: ConfigDuration::secs(1),
            unhealthy_for: ConfigDuration::secs(60),
            pool_max_idle: 4,
            tls: None,
        };
        let parsed = targets.iter().map(|t| t.parse().unwrap()).collect();
        UpstreamGroup::new("api", &config, parsed)
    }

    #[test]
    fn round_robin_skips_unhealthy_targets() {
        let group = group(&["a:1", "b:2", "c:3"]);
        let seen: Vec<String> =
            (0..3).map(|_| group.pick().unwrap().authority.to_string()).collect();
        assert_eq!(seen, ["a:1", "b:2", "c:3"]);

        let b = group.targets.iter().find(|t| t.authority == "b:2").unwrap();
        group.mark_unhealthy(b);
        for _ in 0..6 {
            assert_ne!(group.pick().unwrap().authority, "b:2");
        }
    }

    #[test]
    fn all_unhealthy_yields_none() {
        let group = group(&["a:1"]);
        let a = group.pick().unwrap();
        group.mark_unhealthy(a);
        assert!(group.pick().is_none());
    }
}
