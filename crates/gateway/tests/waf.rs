//! The WAF stage with the OWASP Core Rule Set (from ../shared/crs) on real requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use rampart_events::EventType;
use support::client::{get, send};
use support::upstream::TestUpstream;
use support::TestGateway;

fn crs_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/crs")
        .canonicalize()
        .unwrap()
}

fn config(upstream: std::net::SocketAddr, mode: &str, extra: &str) -> String {
    let crs = crs_dir();
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams: {{api: {{targets: ["{upstream}"]}}}}
routes:
  - name: app
    match: {{path: "/*"}}
    upstream: api
    waf:
      mode: {mode}
      rules: ["{crs}/crs-setup.conf.example", "{crs}/rules/*.conf"]
      paranoia_level: 1
      anomaly_threshold: 5
{extra}
"#,
        crs = crs.display()
    )
}

fn form(_addr: std::net::SocketAddr, path: &str, body: &str) -> Request<Full<Bytes>> {
    Request::post(path)
        .header("host", "shop.example.com")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", "rampart-tests")
        .header("accept", "*/*")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

fn browser_get(addr: std::net::SocketAddr, path: &str) -> Request<Full<Bytes>> {
    get(
        addr,
        path,
        &[("host", "shop.example.com"), ("user-agent", "rampart-tests"), ("accept", "*/*")],
    )
}

#[tokio::test]
async fn block_mode_denies_attacks_and_passes_benign_requests() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr, "block", "")).await;

    let benign = send(gw.addr(), browser_get(gw.addr(), "/search?q=blue+shoes&page=2")).await;
    assert_eq!(benign.status, 200, "{:?}", String::from_utf8_lossy(&benign.body));
    let benign_events = gw.events_for(&benign.request_id()).await;
    assert!(
        benign_events.is_empty(),
        "{:?}",
        benign_events.iter().map(|e| e.details().clone()).collect::<Vec<_>>()
    );

    let xss =
        send(gw.addr(), browser_get(gw.addr(), "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"))
            .await;
    assert_eq!(xss.status, 403);
    let body = xss.json();
    assert_eq!(body["error"], "request_denied");
    assert_eq!(body["request_id"], xss.request_id().as_str());

    let events = gw.events_for(&xss.request_id()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type(), EventType::Waf);
    let details = events[0].details();
    let ids: Vec<u64> =
        details["rule_ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert!(ids.contains(&941100), "{ids:?}");
    assert!(ids.contains(&949110), "the blocking evaluation rule: {ids:?}");
    assert!(details["anomaly_score"].as_i64().unwrap() >= 5);
    assert!(details["matches"][0]["variable"].as_str().unwrap().starts_with("ARGS"));
    assert!(up.controls.seen.lock().await.iter().all(|line| !line.contains("script")));

    let sqli =
        send(gw.addr(), form(gw.addr(), "/login", "user=admin&password=%27%20or%201%3D1--")).await;
    assert_eq!(sqli.status, 403);
    let events = gw.events_for(&sqli.request_id()).await;
    let text = serde_json::to_string(events[0].details()).unwrap();
    assert!(!text.contains("or 1=1"), "a password value is masked in events: {text}");
}

#[tokio::test]
async fn detect_mode_records_and_passes() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr, "detect", "")).await;

    let xss =
        send(gw.addr(), browser_get(gw.addr(), "/?q=%3Cscript%3Ealert(1)%3C/script%3E")).await;
    assert_eq!(xss.status, 200);
    let events = gw.events_for(&xss.request_id()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type(), EventType::Waf);
    assert_eq!(events[0].details()["mode"], "detect");
    assert_eq!(events[0].status(), Some(200));
}

#[tokio::test]
async fn exclusions_take_rules_out() {
    let up = TestUpstream::start("api").await;
    let extra = "      exclusions: {remove_targets: [{rule_id: 941100, target: ARGS:q}, \
                 {rule_id: 941110, target: ARGS:q}, {rule_id: 941160, target: ARGS:q}], \
                 remove_tags: [\"attack-xss\"]}";
    let gw = TestGateway::start(&config(up.addr, "block", extra)).await;

    let reply =
        send(gw.addr(), browser_get(gw.addr(), "/?q=%3Cscript%3Ealert(1)%3C/script%3E")).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
}
