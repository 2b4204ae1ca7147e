#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use rampart_limits::{
    Attributes, CompiledLimits, DenyReason, Limiter, LimitsConfig, ManualClock, Policy,
};

/// 2026-03-01T00:00:00Z, a Sunday; a minute, hour, day and month boundary.
const MARCH_1: u64 = 1_772_323_200;

fn setup(yaml: &str, start_secs: u64) -> (CompiledLimits, Limiter, ManualClock) {
    let config = LimitsConfig::from_yaml(yaml).unwrap();
    let limits = CompiledLimits::compile(&config, "").unwrap();
    let clock = ManualClock::at_secs(start_secs);
    let limiter = Limiter::new(&limits, Arc::new(clock.clone())).unwrap();
    (limits, limiter, clock)
}

fn policies(limits: &CompiledLimits, names: &[&str]) -> Vec<Arc<Policy>> {
    names.iter().map(|n| Arc::clone(limits.policy(n).unwrap())).collect()
}

fn ip(last: u8) -> Attributes {
    Attributes::for_ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)))
}

async fn admitted(
    limiter: &Limiter,
    policies: &[Arc<Policy>],
    attrs: &Attributes,
    n: usize,
) -> usize {
    let mut count = 0;
    for _ in 0..n {
        if limiter.check(policies, attrs).await.allowed {
            count += 1;
        }
    }
    count
}

const THROTTLE: &str = r#"
rate_limits:
  - name: per-ip
    key: [client_ip]
    algorithm: {gcra: {rate: 2, per: second, burst: 5}}
"#;

#[tokio::test]
async fn gcra_admits_the_burst_then_refills_at_the_rate() {
    let (limits, limiter, clock) = setup(THROTTLE, MARCH_1);
    let p = policies(&limits, &["per-ip"]);
    assert_eq!(admitted(&limiter, &p, &ip(1), 10).await, 5);

    let denied = limiter.check(&p, &ip(1)).await;
    assert_eq!(denied.reason, Some(DenyReason::RateLimited));
    assert_eq!(denied.retry_after, Some(Duration::from_millis(500)));

    clock.advance(Duration::from_millis(499));
    assert!(!limiter.check(&p, &ip(1)).await.allowed);
    clock.advance(Duration::from_millis(1));
    assert!(limiter.check(&p, &ip(1)).await.allowed);
    assert!(!limiter.check(&p, &ip(1)).await.allowed);

    clock.advance(Duration::from_secs(10));
    assert_eq!(admitted(&limiter, &p, &ip(1), 10).await, 5);
    assert_eq!(admitted(&limiter, &p, &ip(2), 10).await, 5, "keys are independent");
}

#[tokio::test]
async fn a_policy_listed_twice_counts_once() {
    let (limits, limiter, _clock) = setup(THROTTLE, MARCH_1);
    let twice = policies(&limits, &["per-ip", "per-ip"]);
    assert_eq!(admitted(&limiter, &twice, &ip(1), 10).await, 5);
}

#[tokio::test]
async fn ipv6_clients_in_one_prefix_share_a_bucket() {
    let (limits, limiter, _clock) = setup(THROTTLE, MARCH_1);
    let p = policies(&limits, &["per-ip"]);
    let mut admitted = 0;
    for host in 0..10u16 {
        let addr: IpAddr = format!("2001:db8:7:9::{host:x}").parse().unwrap();
        if limiter.check(&p, &Attributes::for_ip(addr)).await.allowed {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 5);
}

const QUOTAS: &str = r#"
rate_limits:
  - name: minutely
    key: [{header: x-tenant}]
    algorithm: {quota: {limit: 3, period: minute}}
  - name: daily-at-six
    key: [{header: x-tenant}]
    algorithm: {quota: {limit: 4, period: day, offset: 6h}}
  - name: monthly
    key: [{header: x-tenant}]
    algorithm: {quota: {limit: 2, period: month, offset: 1d}}
"#;

fn tenant(name: &str) -> Attributes {
    let mut attrs = Attributes::default();
    attrs.headers.insert("x-tenant".into(), name.into());
    attrs
}

#[tokio::test]
async fn quota_rolls_over_exactly_at_the_minute_boundary() {
    let (limits, limiter, clock) = setup(QUOTAS, MARCH_1 + 60);
    let p = policies(&limits, &["minutely"]);
    assert_eq!(admitted(&limiter, &p, &tenant("a"), 5).await, 3);

    clock.advance(Duration::from_nanos(59_999_999_999));
    let last = limiter.check(&p, &tenant("a")).await;
    assert!(!last.allowed);
    assert_eq!(last.reason, Some(DenyReason::QuotaExceeded));
    assert_eq!(last.retry_after, Some(Duration::from_nanos(1)));

    clock.advance(Duration::from_nanos(1));
    let first = limiter.check(&p, &tenant("a")).await;
    assert!(first.allowed);
    assert_eq!(first.deciding.unwrap().remaining, 2);
}

#[tokio::test]
async fn day_quota_with_offset_resets_at_six() {
    let (limits, limiter, clock) = setup(QUOTAS, MARCH_1 + 5 * 3600);
    let p = policies(&limits, &["daily-at-six"]);
    assert_eq!(admitted(&limiter, &p, &tenant("a"), 6).await, 4);
    clock.advance(Duration::from_secs(3599));
    assert!(!limiter.check(&p, &tenant("a")).await.allowed, "05:59:59 is the same period");
    clock.advance(Duration::from_secs(1));
    assert_eq!(admitted(&limiter, &p, &tenant("a"), 6).await, 4, "06:00 starts a new one");
}

#[tokio::test]
async fn month_quota_follows_the_calendar_with_offset() {
    // With a one-day offset, March's period runs from March 2nd to April 2nd.
    let (limits, limiter, clock) = setup(QUOTAS, MARCH_1 + 12 * 3600);
    let p = policies(&limits, &["monthly"]);
    assert_eq!(admitted(&limiter, &p, &tenant("a"), 3).await, 2, "Feb period (until Mar 2)");
    clock.set_nanos((MARCH_1 + 86_400) * 1_000_000_000);
    assert_eq!(admitted(&limiter, &p, &tenant("a"), 3).await, 2, "Mar period starts Mar 2");
    clock.set_nanos((MARCH_1 + 31 * 86_400) * 1_000_000_000);
    let denied = limiter.check(&p, &tenant("a")).await;
    assert_eq!(denied.retry_after, Some(Duration::from_secs(86_400)), "Apr 1: wait to Apr 2");
}

const COMBINED: &str = r#"
rate_limits:
  - name: burst
    key: [{header: x-tenant}]
    algorithm: {gcra: {rate: 1, per: hour, burst: 3}}
  - name: daily
    key: [{header: x-tenant}]
    algorithm: {quota: {limit: 10, period: day}}
    headers: false
"#;

#[tokio::test]
async fn a_denial_by_one_policy_consumes_no_other() {
    let (limits, limiter, _clock) = setup(COMBINED, MARCH_1);
    let both = policies(&limits, &["burst", "daily"]);
    let daily = policies(&limits, &["daily"]);
    assert_eq!(admitted(&limiter, &both, &tenant("a"), 20).await, 3);
    // Only 3 of the 20 were recorded by `daily`: 7 remain.
    assert_eq!(admitted(&limiter, &daily, &tenant("a"), 20).await, 7);
}

#[tokio::test]
async fn headers_follow_the_draft_syntax() {
    let (limits, limiter, _clock) = setup(COMBINED, MARCH_1);
    let both = policies(&limits, &["burst", "daily"]);
    let allowed = limiter.check(&both, &tenant("a")).await;
    assert_eq!(
        allowed.headers(),
        vec![
            ("RateLimit-Policy", "\"burst\";q=3;w=10800".to_string()),
            ("RateLimit", "\"burst\";r=2;t=3600".to_string()),
        ]
    );
    limiter.check(&both, &tenant("a")).await;
    limiter.check(&both, &tenant("a")).await;
    let denied = limiter.check(&both, &tenant("a")).await;
    assert!(!denied.allowed);
    assert_eq!(denied.policy(), Some("burst"));
    let headers = denied.headers();
    assert_eq!(headers[1], ("RateLimit", "\"burst\";r=0;t=10800".to_string()));
    assert_eq!(headers[2], ("Retry-After", "3600".to_string()));
}

#[tokio::test]
async fn missing_key_sources_share_or_skip() {
    let yaml = r#"
rate_limits:
  - name: shared
    key: [subject]
    algorithm: {gcra: {rate: 1, per: hour, burst: 1}}
  - name: skipped
    key: [subject]
    on_missing_key: skip
    algorithm: {gcra: {rate: 1, per: hour, burst: 1}}
"#;
    let (limits, limiter, _clock) = setup(yaml, MARCH_1);
    let shared = policies(&limits, &["shared"]);
    let skipped = policies(&limits, &["skipped"]);
    let anonymous = Attributes::default();
    assert_eq!(admitted(&limiter, &shared, &anonymous, 3).await, 1);
    assert_eq!(admitted(&limiter, &skipped, &anonymous, 3).await, 3);
    assert!(limiter.check(&skipped, &anonymous).await.statuses.is_empty());
}

#[tokio::test]
async fn a_million_distinct_clients_stay_within_the_entry_cap() {
    let yaml = r#"
rate_limits:
  - name: per-ip
    key: [client_ip]
    algorithm: {gcra: {rate: 1, per: minute, burst: 5}}
memory:
  max_entries: 50000
  shards: 16
"#;
    let (limits, limiter, clock) = setup(yaml, MARCH_1);
    let p = policies(&limits, &["per-ip"]);
    for i in 0..1_000_000u32 {
        let attrs = Attributes::for_ip(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)));
        assert!(limiter.check(&p, &attrs).await.allowed);
        assert!(limiter.memory().len() <= 50_000 + 16, "cap exceeded at client {i}");
    }
    assert!(limiter.memory().len() >= 40_000, "the cap is used, not wasted");
    assert!(limiter.memory().evictions() > 900_000);

    clock.advance(Duration::from_secs(61));
    assert!(limiter.sweep() > 0);
    assert_eq!(limiter.memory().len(), 0, "idle keys expire");
}

#[tokio::test(start_paused = true)]
async fn the_sweeper_returns_memory_and_stops_with_the_limiter() {
    let (limits, limiter, clock) = setup(THROTTLE, MARCH_1);
    let limiter = Arc::new(limiter);
    let p = policies(&limits, &["per-ip"]);
    for i in 0..100 {
        limiter.check(&p, &ip(i)).await;
    }
    assert_eq!(limiter.memory().len(), 100);
    let sweeper = limiter.spawn_sweeper(Duration::from_secs(30));
    clock.advance(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(limiter.memory().len(), 0);
    drop(limiter);
    tokio::time::sleep(Duration::from_secs(31)).await;
    sweeper.await.unwrap();
}
