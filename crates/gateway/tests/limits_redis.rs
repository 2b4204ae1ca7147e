#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The limit stage when Redis dies and comes back: a real `redis-server` is killed in the
//! middle of the test and restarted on the same port.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rampart_events::EventType;
use support::client::{get, send, Reply};
use support::redis::RedisServer;
use support::upstream::TestUpstream;
use support::TestGateway;

fn config(upstream: SocketAddr, redis_port: u16) -> String {
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
trusted_proxies: ["127.0.0.1/32"]
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: open
    match: {{path: "/open/*"}}
    upstream: api
    rate_limits: [open]
  - name: closed
    match: {{path: "/closed/*"}}
    upstream: api
    rate_limits: [closed]
rate_limiting:
  rate_limits:
    - name: open
      key: [client_ip]
      store: redis
      on_store_error: fail_open
      algorithm: {{gcra: {{rate: 1, per: hour, burst: 5}}}}
    - name: closed
      key: [client_ip]
      store: redis
      on_store_error: fail_closed
      algorithm: {{gcra: {{rate: 1, per: hour, burst: 1000}}}}
  redis:
    url: "redis://127.0.0.1:{redis_port}/"
    connect_timeout: 500ms
    response_timeout: 500ms
    retry_interval: 100ms
"#
    )
}

async fn from(gateway: &TestGateway, path: &str, client: &str) -> Reply {
    send(gateway.addr(), get(gateway.addr(), path, &[("x-forwarded-for", client)])).await
}

async fn metrics(gateway: &TestGateway) -> String {
    let admin = gateway.running.admin;
    String::from_utf8_lossy(&send(admin, get(admin, "/metrics", &[])).await.body).into_owned()
}

async fn count(gateway: &TestGateway, name: &'static str) -> usize {
    gateway.events().await.iter().filter(|e| e.event_type() == EventType::Custom(name)).count()
}

/// Asks `path` (from a new client address each time) until it answers 200; panics after
/// a deadline. Recovery waits for the breaker's `retry_interval`, so this polls.
async fn until_admitted(gateway: &TestGateway, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    for attempt in 0u32.. {
        let client = format!("10.9.{}.{}", attempt / 250, attempt % 250 + 1);
        if from(gateway, path, &client).await.status == 200 {
            return;
        }
        assert!(Instant::now() < deadline, "{path} did not recover after redis came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_test_follows_the_fail_modes_and_recovers() {
    let Some(mut redis) = RedisServer::start() else { return };
    let upstream = TestUpstream::start("up").await;
    let gateway = TestGateway::start(&config(upstream.addr, redis.port)).await;

    assert_eq!(from(&gateway, "/open/a", "10.0.0.1").await.status, 200);
    assert_eq!(from(&gateway, "/closed/a", "10.0.0.1").await.status, 200);
    assert!(metrics(&gateway).await.contains("rampart_rate_limit_store_up 1"));

    redis.kill();

    // fail_closed: 429 limit_store_unavailable with Retry-After and an event.
    let denied = from(&gateway, "/closed/a", "10.0.0.1").await;
    assert_eq!(denied.status, 429);
    assert_eq!(denied.json()["error"], "limit_store_unavailable");
    assert_eq!(denied.header("retry-after"), Some("1"));
    let events = gateway.events_for(&denied.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::Custom("limit_store_unavailable"));

    // fail_open: the local fallback limiter admits and still enforces the burst of 5.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(from(&gateway, "/open/a", "10.0.0.2").await.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);

    assert_eq!(count(&gateway, "limit_store_down").await, 1, "one event per outage");
    let text = metrics(&gateway).await;
    assert!(text.contains("rampart_rate_limit_store_up 0"), "{text}");

    redis.restart();

    until_admitted(&gateway, "/closed/b").await;
    assert_eq!(count(&gateway, "limit_store_up").await, 1);
    assert!(metrics(&gateway).await.contains("rampart_rate_limit_store_up 1"));

    // Shared counting resumed: 10.0.0.2 used its burst up in the fallback, but the restarted
    // (empty) Redis counts it from zero again.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(from(&gateway, "/open/a", "10.0.0.2").await.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
}
