#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The limit stage over real sockets: per-IP throttles, quotas, API keys and usage plans,
//! the admin key endpoints, and two gateways sharing one limit through a real Redis.

mod support;

use std::net::SocketAddr;

use rampart_events::EventType;
use rampart_limits::KeysFile;
use support::client::{get, post, send};
use support::redis::RedisServer;
use support::upstream::TestUpstream;
use support::TestGateway;

fn config(upstream: SocketAddr, rate_limiting: &str, route_extra: &str) -> String {
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
trusted_proxies: ["127.0.0.1/32"]
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: limited
    match: {{path: "/limited/*"}}
    upstream: api
{route_extra}
  - name: other
    match: {{path: "/*"}}
    upstream: api
rate_limiting:
{rate_limiting}
"#
    )
}

const PER_IP: &str = r#"
  rate_limits:
    - name: per-ip
      key: [client_ip]
      algorithm: {gcra: {rate: 1, per: hour, burst: 3}}
"#;

async fn get_from(gateway: &TestGateway, path: &str, client: &str) -> support::client::Reply {
    send(gateway.addr(), get(gateway.addr(), path, &[("x-forwarded-for", client)])).await
}

#[tokio::test]
async fn per_ip_burst_then_429_with_headers_body_and_event() {
    let upstream = TestUpstream::start("up").await;
    let yaml = config(upstream.addr, PER_IP, "    rate_limits: [per-ip]");
    let gateway = TestGateway::start(&yaml).await;

    for remaining in [2, 1, 0] {
        let reply = get_from(&gateway, "/limited/a", "10.1.1.1").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("ratelimit-policy"), Some("\"per-ip\";q=3;w=10800"));
        let limit = reply.header("ratelimit").unwrap();
        assert!(limit.starts_with(&format!("\"per-ip\";r={remaining};t=")), "{limit}");
    }

    let denied = get_from(&gateway, "/limited/a", "10.1.1.1").await;
    assert_eq!(denied.status, 429);
    let retry: u64 = denied.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert!(denied.header("ratelimit").unwrap().starts_with("\"per-ip\";r=0;t="));
    let body = denied.json();
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(body["request_id"], denied.request_id());

    let events = gateway.events_for(&denied.request_id()).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(events[0].event_type(), EventType::RateLimited);
    assert_eq!(event["details"]["limit.policy"], "per-ip");
    assert_eq!(event["details"]["limit.key"], "ip=10.1.1.1");

    // Another client has its own bucket; an unlimited route carries no headers.
    assert_eq!(get_from(&gateway, "/limited/a", "10.1.1.2").await.status, 200);
    let plain = get_from(&gateway, "/elsewhere", "10.1.1.1").await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("ratelimit"), None);

    let metrics = send(gateway.running.admin, get(gateway.running.admin, "/metrics", &[])).await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("rampart_rate_limit_decisions_total{policy=\"per-ip\",result=\"denied\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_quota_denies_with_quota_exceeded_and_survives_a_reload() {
    let upstream = TestUpstream::start("up").await;
    let quota = r#"
  rate_limits:
    - name: daily
      key: [{header: x-tenant}]
      algorithm: {quota: {limit: 2, period: day}}
"#;
    let yaml = config(upstream.addr, quota, "    rate_limits: [daily]");
    let gateway = TestGateway::start(&yaml).await;
    let tenant = |t: &'static str| get(gateway.addr(), "/limited/q", &[("x-tenant", t)]);

    assert_eq!(send(gateway.addr(), tenant("acme")).await.status, 200);
    gateway.running.reload().unwrap();
    assert_eq!(send(gateway.addr(), tenant("acme")).await.status, 200);
    let denied = send(gateway.addr(), tenant("acme")).await;
    assert_eq!(denied.status, 429, "the count must survive the reload");
    assert_eq!(denied.json()["error"], "quota_exceeded");
    assert_eq!(denied.header("ratelimit-policy"), Some("\"daily\";q=2;w=86400"));
    let events = gateway.events_for(&denied.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::QuotaExceeded);

    assert_eq!(send(gateway.addr(), tenant("other")).await.status, 200);
}

#[tokio::test]
async fn config_errors_name_their_path() {
    let upstream = TestUpstream::start("up").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gw.yaml");
    let metrics = std::sync::Arc::new(rampart_gateway::metrics::Metrics::new());
    let compile = |yaml: String| {
        std::fs::write(&file, yaml).unwrap();
        let parsed = rampart_gateway::config::load(&file).unwrap();
        rampart_gateway::config::compile(parsed, &file, &metrics).unwrap_err().to_string()
    };

    let zero = PER_IP.replace("rate: 1,", "rate: 0,");
    let message = compile(config(upstream.addr, &zero, ""));
    assert!(message.contains("at `rate_limiting.rate_limits[0].algorithm.gcra.rate`"), "{message}");

    let message = compile(config(upstream.addr, PER_IP, "    rate_limits: [per-ip, nope]"));
    assert!(message.contains("at `routes[0].rate_limits[1]`"), "{message}");
}

const PLAN: &str = r#"
  usage_plans:
    - name: gold
      quotas: [{limit: 2, period: day}]
      routes: [limited]
  api_keys: {file: keys.yaml}
"#;

#[tokio::test]
async fn api_key_lifecycle_through_the_gateway_and_admin_api() {
    let upstream = TestUpstream::start("up").await;
    let dir = tempfile::tempdir().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut keys = KeysFile::default();
    let (key, record) = keys.create_key("gold", None, now).unwrap();
    let past = now - time::Duration::hours(1);
    let (expired, _) = keys.create_key("gold", Some(past), now - time::Duration::days(1)).unwrap();
    keys.save(&dir.path().join("keys.yaml")).unwrap();
    let yaml = config(upstream.addr, PLAN, "    require_api_key: true");
    let gateway = TestGateway::start_in(dir, &yaml).await;
    let (addr, admin) = (gateway.addr(), gateway.running.admin);
    let with_key = |path: &str, k: &str| get(addr, path, &[("x-api-key", k)]);

    let missing = send(addr, get(addr, "/limited/x", &[])).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["error"], "invalid_api_key");
    let unknown = send(addr, with_key("/limited/x", &format!("rk_{}", "A".repeat(43)))).await;
    assert_eq!(unknown.status, 401);
    assert_eq!(send(addr, with_key("/limited/x", expired.expose())).await.status, 401);
    let not_in_plan = send(addr, with_key("/elsewhere", key.expose())).await;
    assert_eq!(not_in_plan.status, 403);
    assert_eq!(not_in_plan.json()["error"], "route_not_in_plan");

    let ok = send(addr, with_key("/limited/x", key.expose())).await;
    assert_eq!(ok.status, 200);
    // The key is a credential: it is not forwarded to the service (forward_key: false).
    let seen = ok.json();
    assert!(seen["headers"]["x-api-key"].is_null(), "the upstream saw the key: {seen}");
    assert_eq!(send(addr, with_key("/limited/x", key.expose())).await.status, 200);
    let over = send(addr, with_key("/limited/x", key.expose())).await;
    assert_eq!(over.status, 429);
    assert_eq!(over.json()["error"], "quota_exceeded");
    let events = gateway.events_for(&over.request_id()).await;
    let event = serde_json::to_string(&events[0]).unwrap();
    assert!(event.contains(&record.id), "{event}");
    assert!(!event.contains(key.expose()), "the key must never appear in events");

    let usage_path = format!("/keys/{}/usage", record.id);
    let usage = send(admin, get(admin, &usage_path, &[])).await;
    assert_eq!(usage.status, 200);
    let usage = usage.json();
    assert_eq!(usage["plan"], "gold");
    assert_eq!(usage["policies"][0]["used"], 2);
    assert_eq!(usage["policies"][0]["remaining"], 0);

    let disabled = send(admin, post(admin, &format!("/keys/{}/disable", record.id), "")).await;
    assert_eq!(disabled.status, 200);
    let refused = send(addr, with_key("/limited/x", key.expose())).await;
    assert_eq!(refused.status, 401);
    let events = gateway.events_for(&refused.request_id()).await;
    let event = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(event["details"]["reason"], "api_key_disabled");
    let stored = KeysFile::load(&gateway.dir.path().join("keys.yaml")).unwrap();
    assert!(!stored.keys[0].enabled, "disable must be persisted");

    send(admin, post(admin, &format!("/keys/{}/enable", record.id), "")).await;
    assert_eq!(send(addr, with_key("/limited/x", key.expose())).await.status, 429);
    let unknown_id = send(admin, get(admin, "/keys/key_nope/usage", &[])).await;
    assert_eq!(unknown_id.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_share_one_redis_limit_exactly() {
    let Some(redis) = RedisServer::start() else { return };
    let upstream = TestUpstream::start("up").await;
    let shared = format!(
        r#"
  rate_limits:
    - name: shared
      key: [route]
      algorithm: {{quota: {{limit: 150, period: day}}}}
      store: redis
  redis: {{url: "redis://127.0.0.1:{}/", response_timeout: 2s}}
"#,
        redis.port
    );
    let yaml = config(upstream.addr, &shared, "    rate_limits: [shared]");
    let first = TestGateway::start(&yaml).await;
    let second = TestGateway::start(&yaml).await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..400 {
        let addr = if i % 2 == 0 { first.addr() } else { second.addr() };
        tasks.spawn(async move { send(addr, get(addr, "/limited/s", &[])).await.status });
    }
    let mut admitted = 0;
    let mut denied = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap().as_u16() {
            200 => admitted += 1,
            429 => denied += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((admitted, denied), (150, 250));
}
