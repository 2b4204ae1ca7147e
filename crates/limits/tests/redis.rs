#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rampart_limits::{
    Attributes, CompiledLimits, DenyReason, Limiter, LimitsConfig, ManualClock, Policy, StoreEvent,
};
use support::RedisServer;

const NOW: u64 = 1_772_323_200 + 3600;

fn config(url: &str, policies: &str) -> CompiledLimits {
    let yaml = format!("redis:\n  url: {url}\n  retry_interval: 1s\nrate_limits:\n{policies}");
    let config = LimitsConfig::from_yaml(&yaml).unwrap();
    CompiledLimits::compile(&config, "").unwrap()
}

fn pick(limits: &CompiledLimits, names: &[&str]) -> Arc<Vec<Arc<Policy>>> {
    Arc::new(names.iter().map(|n| Arc::clone(limits.policy(n).unwrap())).collect())
}

fn tenant(name: &str) -> Attributes {
    let mut attrs = Attributes::default();
    attrs.headers.insert("x-tenant".into(), name.into());
    attrs
}

const SHARED: &str = r#"
  - name: burst
    key: [{header: x-tenant}]
    store: redis
    algorithm: {gcra: {rate: 1, per: hour, burst: 100}}
  - name: daily
    key: [{header: x-tenant}]
    store: redis
    algorithm: {quota: {limit: 300, period: day}}
  - name: local-daily
    key: [{header: x-tenant}]
    algorithm: {quota: {limit: 10, period: day}}
  - name: small-burst
    key: [{header: x-tenant}]
    store: redis
    algorithm: {gcra: {rate: 1, per: hour, burst: 3}}
"#;

/// Runs `n` concurrent checks spread over `limiters`; returns how many were admitted.
async fn storm(
    limiters: &[Arc<Limiter>],
    policies: &Arc<Vec<Arc<Policy>>>,
    who: &str,
    n: usize,
) -> usize {
    let mut tasks = Vec::new();
    for i in 0..n {
        let limiter = Arc::clone(&limiters[i % limiters.len()]);
        let policies = Arc::clone(policies);
        let attrs = tenant(who);
        tasks.push(tokio::spawn(async move { limiter.check(&policies, &attrs).await }));
    }
    let mut admitted = 0;
    for task in tasks {
        let decision = task.await.unwrap();
        assert!(decision.statuses.iter().all(|s| !s.fallback), "redis answered every check");
        admitted += usize::from(decision.allowed);
    }
    admitted
}

fn two_gateways(limits: &CompiledLimits, clock: &ManualClock) -> Vec<Arc<Limiter>> {
    (0..2).map(|_| Arc::new(Limiter::new(limits, Arc::new(clock.clone())).unwrap())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_share_one_limit_exactly() {
    let Some(server) = RedisServer::start() else { return };
    let limits = config(&server.url(), SHARED);
    let clock = ManualClock::at_secs(NOW);
    let gateways = two_gateways(&limits, &clock);

    let burst = pick(&limits, &["burst"]);
    assert_eq!(storm(&gateways, &burst, "a", 1200).await, 100);

    let daily = pick(&limits, &["daily"]);
    assert_eq!(storm(&gateways, &daily, "b", 1200).await, 300);
    assert_eq!(storm(&gateways, &daily, "b", 10).await, 0, "the quota stays used up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_decisions_travel_in_batches_over_several_connections() {
    let Some(server) = RedisServer::start() else { return };
    let yaml = format!(
        "redis:\n  url: {}\n  connections: 3\n  max_batch: 16\nrate_limits:\n{SHARED}",
        server.url()
    );
    let limits = CompiledLimits::compile(&LimitsConfig::from_yaml(&yaml).unwrap(), "").unwrap();
    let clock = ManualClock::at_secs(NOW);
    let gateways = two_gateways(&limits, &clock);

    let burst = pick(&limits, &["burst"]);
    assert_eq!(storm(&gateways, &burst, "e", 1200).await, 100, "exact across connections");

    let mut batches = 0;
    for gateway in &gateways {
        let health = gateway.redis_health().unwrap();
        assert_eq!(health.batched_decisions, 600);
        assert!(health.batches >= 600 / 16, "no batch exceeds max_batch: {health:?}");
        batches += health.batches;
    }
    assert!(batches < 1200, "concurrent decisions share script calls: {batches} calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_in_redis_consumes_no_other_policy() {
    let Some(server) = RedisServer::start() else { return };
    let limits = config(&server.url(), SHARED);
    let clock = ManualClock::at_secs(NOW);
    let gateways = two_gateways(&limits, &clock);

    // Both in Redis: one script, all or nothing.
    let both = pick(&limits, &["small-burst", "daily"]);
    assert_eq!(storm(&gateways, &both, "c", 50).await, 3);
    let usage = gateways[0].usage(&pick(&limits, &["daily"]), &tenant("c")).await.unwrap();
    assert_eq!((usage[0].used, usage[0].remaining), (3, 297));

    // A memory quota recorded first is refunded when Redis denies.
    let mixed = pick(&limits, &["local-daily", "small-burst"]);
    let one = vec![Arc::clone(&gateways[0])];
    assert_eq!(storm(&one, &mixed, "d", 20).await, 3);
    let local = pick(&limits, &["local-daily"]);
    assert_eq!(storm(&one, &local, "d", 20).await, 7);
}

const FAIL_MODES: &str = r#"
  - name: closed
    key: [{header: x-tenant}]
    store: redis
    on_store_error: fail_closed
    algorithm: {gcra: {rate: 1, per: hour, burst: 5}}
  - name: open
    key: [{header: x-tenant}]
    store: redis
    on_store_error: fail_open
    algorithm: {gcra: {rate: 1, per: hour, burst: 5}}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_follows_the_fail_mode_and_recovers() {
    let Some(mut server) = RedisServer::start() else { return };
    let limits = config(&server.url(), FAIL_MODES);
    let clock = ManualClock::at_secs(NOW);
    let limiter = Limiter::new(&limits, Arc::new(clock.clone())).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    limiter.set_store_hook(Arc::new(move |e: &StoreEvent| sink.lock().unwrap().push(e.clone())));
    let closed = pick(&limits, &["closed"]);
    let open = pick(&limits, &["open"]);

    assert!(limiter.check(&closed, &tenant("a")).await.allowed);
    assert!(limiter.check(&open, &tenant("a")).await.allowed);
    server.kill();

    let denied = limiter.check(&closed, &tenant("a")).await;
    assert!(!denied.allowed);
    assert_eq!(denied.reason, Some(DenyReason::StoreUnavailable));
    assert_eq!(denied.retry_after, Some(Duration::from_secs(1)));
    assert!(matches!(events.lock().unwrap().as_slice(), [StoreEvent::Down { .. }]));

    // fail_open counts locally: the fallback still enforces the burst.
    let mut admitted = 0;
    for _ in 0..8 {
        let decision = limiter.check(&open, &tenant("a")).await;
        assert!(decision.statuses[0].fallback);
        admitted += usize::from(decision.allowed);
    }
    assert_eq!(admitted, 5);
    let health = limiter.redis_health().unwrap();
    assert!(!health.up);
    assert_eq!(health.fallback_checks, 8);
    assert!(health.denied_unavailable >= 1);

    server.restart();
    let still_open = limiter.check(&closed, &tenant("a")).await;
    assert_eq!(still_open.reason, Some(DenyReason::StoreUnavailable), "back-off not over yet");

    clock.advance(Duration::from_secs(1));
    let recovered = limiter.check(&closed, &tenant("a")).await;
    assert!(recovered.allowed, "{recovered:?}");
    assert!(!recovered.statuses[0].fallback);
    assert!(limiter.redis_health().unwrap().up);
    assert!(matches!(events.lock().unwrap().last(), Some(StoreEvent::Up)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_is_survived() {
    let Some(mut server) = RedisServer::start() else { return };
    let url = server.url();
    server.kill();
    let limits = config(&url, FAIL_MODES);
    let clock = ManualClock::at_secs(NOW);
    let limiter = Limiter::new(&limits, Arc::new(clock.clone())).unwrap();
    let open = pick(&limits, &["open"]);
    let decision = limiter.check(&open, &tenant("a")).await;
    assert!(decision.allowed && decision.statuses[0].fallback);

    server.restart();
    clock.advance(Duration::from_secs(2));
    let decision = limiter.check(&open, &tenant("a")).await;
    assert!(decision.allowed && !decision.statuses[0].fallback);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_gcra_and_quota_match_the_memory_semantics() {
    let Some(server) = RedisServer::start() else { return };
    let policies = r#"
  - name: refill
    key: [{header: x-tenant}]
    store: redis
    algorithm: {gcra: {rate: 2, per: second, burst: 3}}
  - name: minutely
    key: [{header: x-tenant}]
    store: redis
    algorithm: {quota: {limit: 2, period: minute}}
"#;
    let limits = config(&server.url(), policies);
    let clock = ManualClock::at_secs(NOW);
    let limiter = Limiter::new(&limits, Arc::new(clock.clone())).unwrap();
    let refill = pick(&limits, &["refill"]);
    let remaining: Vec<u64> = {
        let mut out = Vec::new();
        for _ in 0..3 {
            out.push(limiter.check(&refill, &tenant("a")).await.deciding.unwrap().remaining);
        }
        out
    };
    assert_eq!(remaining, [2, 1, 0]);
    let denied = limiter.check(&refill, &tenant("a")).await;
    assert_eq!(denied.retry_after, Some(Duration::from_millis(500)));
    clock.advance(Duration::from_millis(499));
    assert!(!limiter.check(&refill, &tenant("a")).await.allowed);
    clock.advance(Duration::from_millis(1));
    assert!(limiter.check(&refill, &tenant("a")).await.allowed);

    // Quota: exact rollover at the minute boundary (NOW is on one).
    let minutely = pick(&limits, &["minutely"]);
    clock.set_nanos(NOW * 1_000_000_000 + 59_000_000_000);
    assert!(limiter.check(&minutely, &tenant("b")).await.allowed);
    assert!(limiter.check(&minutely, &tenant("b")).await.allowed);
    let denied = limiter.check(&minutely, &tenant("b")).await;
    assert_eq!(denied.reason, Some(DenyReason::QuotaExceeded));
    assert_eq!(denied.retry_after, Some(Duration::from_secs(1)));
    clock.advance(Duration::from_secs(1));
    assert!(limiter.check(&minutely, &tenant("b")).await.allowed);
}

#[test]
fn a_limiter_outside_a_runtime_is_an_error_not_a_panic() {
    let limits = config("redis://127.0.0.1:1/", FAIL_MODES);
    let err = Limiter::new(&limits, Arc::new(ManualClock::at_secs(NOW))).unwrap_err();
    assert_eq!(err, rampart_limits::StoreError::NoRuntime);
}

#[test]
fn debug_output_hides_the_redis_password() {
    let limits = config("redis://user:s3cret@127.0.0.1:1/", FAIL_MODES);
    assert!(!format!("{limits:?}").contains("s3cret"));
    let yaml = "redis:\n  url: redis://user:s3cret@127.0.0.1:1/\n";
    let parsed = LimitsConfig::from_yaml(yaml).unwrap();
    assert!(!format!("{parsed:?}").contains("s3cret"));
}
