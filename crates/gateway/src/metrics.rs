//! Prometheus metrics of the gateway, kept across config reloads.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: Arc<str>,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamError {
    upstream: Arc<str>,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PolicyResult {
    policy: Arc<str>,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderOutcome {
    provider: Arc<str>,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabel {
    provider: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

/// The gateway's metrics and the registry that renders them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    latency: Family<RouteLabel, Histogram>,
    auth_failures: Family<ReasonLabel, Counter>,
    upstream_errors: Family<UpstreamError, Counter>,
    reloads: Family<ResultLabel, Counter>,
    events_dropped: Counter,
    connections: Gauge,
    limit_decisions: Family<PolicyResult, Counter>,
    limit_store_up: Gauge,
    ext_authz_calls: Family<ProviderOutcome, Counter>,
    ext_authz_latency: Family<ProviderLabel, Histogram>,
}

/// Route label used for requests that matched no route.
pub const NO_ROUTE: &str = "(none)";

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("rampart");
        let requests = Family::<RouteStatus, Counter>::default();
        let latency = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
        });
        let auth_failures = Family::<ReasonLabel, Counter>::default();
        let upstream_errors = Family::<UpstreamError, Counter>::default();
        let reloads = Family::<ResultLabel, Counter>::default();
        let events_dropped = Counter::default();
        let connections = Gauge::default();
        let limit_decisions = Family::<PolicyResult, Counter>::default();
        let limit_store_up = Gauge::default();
        limit_store_up.set(1);
        let ext_authz_calls = Family::<ProviderOutcome, Counter>::default();
        let ext_authz_latency = Family::<ProviderLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
        });

        registry.register("requests", "Requests answered, by route and status", requests.clone());
        registry.register(
            "request_duration_seconds",
            "Time from request head to response head, by route",
            latency.clone(),
        );
        registry.register(
            "auth_failures",
            "Authentication and scope failures, by reason",
            auth_failures.clone(),
        );
        registry.register(
            "upstream_errors",
            "Failed upstream exchanges, by upstream and kind",
            upstream_errors.clone(),
        );
        registry.register("config_reloads", "Config reload attempts, by result", reloads.clone());
        registry.register(
            "events_dropped",
            "Security events dropped because the sink's queue was full",
            events_dropped.clone(),
        );
        registry.register("connections_active", "Open client connections", connections.clone());
        registry.register(
            "rate_limit_decisions",
            "Rate-limit policy decisions, by policy and result (allowed, denied, not_counted)",
            limit_decisions.clone(),
        );
        registry.register(
            "rate_limit_store_up",
            "Whether the shared (Redis) rate-limit store answers: 1 up, 0 down",
            limit_store_up.clone(),
        );
        registry.register(
            "ext_authz_calls",
            "External authorizer checks, by provider and outcome (allowed, denied, timeout, \
             unreachable, error)",
            ext_authz_calls.clone(),
        );
        registry.register(
            "ext_authz_duration_seconds",
            "Time for an external authorizer check, by provider",
            ext_authz_latency.clone(),
        );

        Self {
            registry,
            requests,
            latency,
            auth_failures,
            upstream_errors,
            reloads,
            events_dropped,
            connections,
            limit_decisions,
            limit_store_up,
            ext_authz_calls,
            ext_authz_latency,
        }
    }

    /// Counts an answered request and its latency.
    pub fn request(&self, route: &Arc<str>, status: u16, elapsed: Duration) {
        let labels = RouteStatus { route: route.clone(), status };
        self.requests.get_or_create(&labels).inc();
        let route = RouteLabel { route: route.clone() };
        self.latency.get_or_create(&route).observe(elapsed.as_secs_f64());
    }

    /// Counts an authentication or scope failure.
    pub fn auth_failure(&self, reason: &str) {
        self.auth_failures.get_or_create(&ReasonLabel { reason: reason.to_owned() }).inc();
    }

    /// Counts a failed upstream exchange (`connect`, `timeout`, `unavailable`, `protocol`).
    pub fn upstream_error(&self, upstream: &Arc<str>, kind: &'static str) {
        let labels = UpstreamError { upstream: upstream.clone(), kind };
        self.upstream_errors.get_or_create(&labels).inc();
    }

    /// Counts a config reload attempt (`applied` or `rejected`).
    pub fn reload(&self, result: &'static str) {
        self.reloads.get_or_create(&ResultLabel { result }).inc();
    }

    /// Counts one policy's decision on a request (`allowed`, `denied`, or `not_counted`
    /// when another policy denied it).
    pub fn limit_decision(&self, policy: &Arc<str>, result: &'static str) {
        let labels = PolicyResult { policy: policy.clone(), result };
        self.limit_decisions.get_or_create(&labels).inc();
    }

    /// Records whether the shared rate-limit store answers.
    pub fn limit_store_up(&self, up: bool) {
        self.limit_store_up.set(i64::from(up));
    }

    /// Counts an external authorizer check and its duration.
    pub fn ext_authz_call(&self, provider: &Arc<str>, outcome: &'static str, elapsed: Duration) {
        let labels = ProviderOutcome { provider: provider.clone(), outcome };
        self.ext_authz_calls.get_or_create(&labels).inc();
        let provider = ProviderLabel { provider: provider.clone() };
        self.ext_authz_latency.get_or_create(&provider).observe(elapsed.as_secs_f64());
    }

    /// Tracks open client connections.
    pub fn connections(&self) -> &Gauge {
        &self.connections
    }

    /// Renders every metric in the Prometheus text format, after syncing the dropped-event count.
    pub fn render(&self, events_dropped_total: u64) -> String {
        let seen = self.events_dropped.get();
        if events_dropped_total > seen {
            self.events_dropped.inc_by(events_dropped_total - seen);
        }

        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_with_labels() {
        let metrics = Metrics::new();
        let route: Arc<str> = "data".into();
        metrics.request(&route, 200, Duration::from_millis(3));
        metrics.auth_failure("expired");
        metrics.upstream_error(&route, "connect");
        let text = metrics.render(5);
        assert!(text.contains("rampart_requests_total{route=\"data\",status=\"200\"} 1"));
        assert!(text.contains("rampart_auth_failures_total{reason=\"expired\"} 1"));
        assert!(
            text.contains("rampart_upstream_errors_total{upstream=\"data\",kind=\"connect\"} 1")
        );
        assert!(text.contains("rampart_events_dropped_total 5"));
        assert!(text.contains("rampart_request_duration_seconds_bucket"));
    }
}
