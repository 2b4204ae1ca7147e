//! CUSTOM policies end to end: a real external authorizer that allows, denies with 401 and
//! `www-authenticate`, hangs past the timeout (fail closed and fail open), answers 5xx, or is
//! down; headers it sets reach the upstream and cannot be injected; DENY still applies after a
//! CUSTOM allow; providers are not asked when their policy's rules do not match; Istio YAML.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rampart_events::SecurityEvent;
use support::client::{get, send, Reply};
use support::upstream::{dead_address, TestUpstream};
use support::TestGateway;
use tokio::net::TcpListener;

const SECRET_TOKEN: &str = "Bearer secret-token-never-logged";

/// A check as the authorizer saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    headers: http::HeaderMap,
}

/// An external authorizer whose answer depends on the checked path: `/deny` answers 401 with
/// `www-authenticate`, `/slow` never answers, `/error` answers 503, anything else 200 with
/// `x-user-id`.
struct Authorizer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
}

impl Authorizer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (log, count) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let log = log.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let log = log.clone();
                        async move { Ok::<_, Infallible>(answer(&log, req).await) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, seen, connections }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn answer(log: &Mutex<Vec<Seen>>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let uri = req.uri().to_string();
    log.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        uri: uri.clone(),
        headers: req.headers().clone(),
    });
    let body = Full::new(Bytes::from_static(b"{\"internal\":\"detail\"}"));
    let mut response = Response::new(body);
    if uri.contains("/slow") {
        // Never answers: the gateway's timeout must end the check.
        std::future::pending::<()>().await;
    } else if uri.contains("/deny") {
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        let headers = response.headers_mut();
        headers.insert("www-authenticate", "Bearer realm=\"api\"".parse().unwrap());
        headers.insert("x-internal", "authorizer-internals".parse().unwrap());
    } else if uri.contains("/error") {
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    } else {
        let headers = response.headers_mut();
        headers.insert("x-user-id", "u-123".parse().unwrap());
        headers.insert("x-other", "not-listed".parse().unwrap());
    }
    response
}

fn config(upstream: SocketAddr, authz: SocketAddr, dead: SocketAddr) -> String {
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: all
    match: {{path: "/*"}}
    upstream: api
authorization:
  providers:
    - name: authz
      http:
        url: "http://{authz}/check"
        timeout: 300ms
        include_request_headers: [authorization, x-user]
        headers_to_upstream_on_allow: [x-user-id]
        headers_to_downstream_on_deny: [www-authenticate]
    - name: authz-open
      http: {{url: "http://{authz}", timeout: 0.3s, fail_open: true}}
    - name: down
      http: {{url: "http://{dead}/", status_on_error: 503}}
  policies:
    - name: ext
      action: CUSTOM
      provider: {{name: authz}}
      rules: [{{to: [{{operation: {{paths: ["/api/*", "/admin/*"]}}}}]}}]
    - name: ext-open
      action: CUSTOM
      provider: authz-open
      rules: [{{to: [{{operation: {{paths: ["/open/*"]}}}}]}}]
    - name: ext-down
      action: CUSTOM
      provider: down
      rules: [{{to: [{{operation: {{paths: ["/down/*"]}}}}]}}]
    - name: deny-admin
      action: DENY
      rules: [{{to: [{{operation: {{paths: ["/admin/*"]}}}}]}}]
"#
    )
}

struct Fixture {
    gw: TestGateway,
    authz: Authorizer,
    _up: TestUpstream,
}

async fn fixture() -> Fixture {
    let up = TestUpstream::start("api").await;
    let authz = Authorizer::start().await;
    let dead = dead_address().await;
    let gw = TestGateway::start(&config(up.addr, authz.addr, dead)).await;
    Fixture { gw, authz, _up: up }
}

impl Fixture {
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        send(self.gw.addr(), get(self.gw.addr(), path, headers)).await
    }

    async fn event(&self, reply: &Reply, kind: &str) -> SecurityEvent {
        let events = self.gw.events_for(&reply.request_id()).await;
        events.into_iter().find(|e| e.event_type().as_str() == kind).unwrap()
    }

    fn metrics(&self) -> String {
        self.gw.running.gateway.metrics.render(0)
    }
}

#[tokio::test]
async fn an_allowing_authorizer_sees_the_request_and_sets_upstream_headers() {
    let fx = fixture().await;
    let headers = [
        ("authorization", SECRET_TOKEN),
        ("x-user", "alice"),
        ("cookie", "session=1"),
        ("x-user-id", "forged"),
    ];
    let reply = fx.get("/api/items?page=2", &headers).await;
    assert_eq!(reply.status, 200);

    let echoed = reply.json();
    assert_eq!(echoed["headers"]["x-user-id"], serde_json::json!(["u-123"]));
    assert!(echoed["headers"].get("x-other").is_none(), "{echoed}");

    let seen = fx.authz.seen();
    assert_eq!(seen.len(), 1);
    let check = &seen[0];
    assert_eq!((check.method.as_str(), check.uri.as_str()), ("GET", "/check/api/items?page=2"));
    assert_eq!(check.headers["authorization"], SECRET_TOKEN);
    assert_eq!(check.headers["x-user"], "alice");
    assert_eq!(check.headers["content-length"], "0");
    assert_eq!(check.headers["host"], fx.gw.addr().to_string());
    assert_eq!(check.headers["x-request-id"], reply.request_id().as_str());
    assert!(check.headers.get("cookie").is_none() && check.headers.get("x-user-id").is_none());

    let metrics = fx.metrics();
    assert!(
        metrics.contains(r#"rampart_ext_authz_calls_total{provider="authz",outcome="allowed"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"rampart_ext_authz_duration_seconds_count{provider="authz"} 1"#));
}

#[tokio::test]
async fn a_denying_authorizer_sets_the_status_and_listed_headers_only() {
    let fx = fixture().await;
    let reply = fx.get("/api/deny", &[("authorization", SECRET_TOKEN)]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer realm=\"api\""));
    assert_eq!(reply.header("x-internal"), None);
    let body = reply.json();
    assert_eq!(body["error"], "unauthorized");
    assert!(!String::from_utf8_lossy(&reply.body).contains("internal"), "{body}");

    let event = fx.event(&reply, "policy_denied").await;
    assert_eq!(event.details()["policy"], "ext");
    assert_eq!(event.details()["rule"], 0);
    assert_eq!(event.details()["provider"], "authz");
    assert_eq!(event.details()["reason"], "provider_denied");
    assert_eq!(event.details()["provider_status"], 401);
    let recorded = serde_json::to_string(&event).unwrap();
    assert!(!recorded.contains("secret-token"), "{recorded}");
    assert!(fx.metrics().contains(r#"provider="authz",outcome="denied"} 1"#));
}

#[tokio::test]
async fn a_hanging_authorizer_fails_closed_or_open_per_provider() {
    let fx = fixture().await;
    let reply = fx.get("/api/slow", &[]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"], "forbidden");
    let event = fx.event(&reply, "policy_denied").await;
    assert_eq!(event.details()["reason"], "provider_timeout");
    assert_eq!(event.details()["provider"], "authz");

    let reply = fx.get("/open/slow", &[]).await;
    assert_eq!(reply.status, 200);
    let event = fx.event(&reply, "policy_audit").await;
    assert_eq!(event.details()["policy"], "ext-open");
    assert_eq!(event.details()["reason"], "provider_timeout");
    assert_eq!(event.details()["fail_open"], true);

    let metrics = fx.metrics();
    assert!(metrics.contains(r#"provider="authz",outcome="timeout"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"provider="authz-open",outcome="timeout"} 1"#), "{metrics}");
}

#[tokio::test]
async fn an_erroring_or_unreachable_authorizer_fails_closed_with_status_on_error() {
    let fx = fixture().await;
    let reply = fx.get("/api/error", &[]).await;
    assert_eq!(reply.status, 403);
    let event = fx.event(&reply, "policy_denied").await;
    assert_eq!(event.details()["reason"], "provider_error");
    assert_eq!(event.details()["provider_status"], 503);

    let reply = fx.get("/down/x", &[]).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["error"], "authorization_unavailable");
    let event = fx.event(&reply, "policy_denied").await;
    assert_eq!(event.details()["reason"], "provider_unreachable");
    assert_eq!(event.details()["policy"], "ext-down");
    assert!(fx.metrics().contains(r#"provider="down",outcome="unreachable"} 1"#));
}

#[tokio::test]
async fn deny_policies_still_apply_after_a_custom_allow() {
    let fx = fixture().await;
    let reply = fx.get("/admin/panel", &[]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(fx.authz.seen().len(), 1, "the provider is asked first");
    let event = fx.event(&reply, "policy_denied").await;
    assert_eq!(event.details()["policy"], "deny-admin");
    assert_eq!(event.details()["reason"], "deny_policy_matched");
}

#[tokio::test]
async fn providers_are_not_asked_when_their_rules_do_not_match() {
    let fx = fixture().await;
    let reply = fx.get("/public/page", &[("x-user-id", "forged")]).await;
    assert_eq!(reply.status, 200);
    assert!(fx.authz.seen().is_empty());
    // The header only the provider may set is removed even when it is not asked.
    assert!(reply.json()["headers"].get("x-user-id").is_none());
}

#[tokio::test]
async fn checks_reuse_kept_alive_connections() {
    let fx = fixture().await;
    for _ in 0..10 {
        assert_eq!(fx.get("/api/items", &[]).await.status, 200);
    }
    assert_eq!(fx.authz.seen().len(), 10);
    let connections = fx.authz.connections.load(Ordering::SeqCst);
    assert!(connections < 10, "{connections} connections for 10 checks");
}

#[tokio::test]
async fn istio_custom_policies_load_and_call_the_provider() {
    let up = TestUpstream::start("api").await;
    let authz = Authorizer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let istio = r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  action: CUSTOM
  provider: {name: authz}
  rules: [{to: [{operation: {paths: ["/orders/*"]}}]}]
"#;
    std::fs::write(dir.path().join("istio.yaml"), istio).unwrap();
    let yaml = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams:
  api: {{targets: ["{}"]}}
routes:
  - {{name: orders, match: {{path: "/*"}}, upstream: api}}
authorization:
  providers: [{{name: authz, http: {{url: "http://{}/authz"}}}}]
  istio:
    files: [istio.yaml]
    workloads: [{{target: orders, namespace: shop, labels: {{app: orders}}}}]
"#,
        up.addr, authz.addr
    );
    let gw = TestGateway::start_in(dir, &yaml).await;
    let reply = send(gw.addr(), get(gw.addr(), "/orders/deny", &[])).await;
    assert_eq!(reply.status, 401);
    let events = gw.events_for(&reply.request_id()).await;
    let event = events.iter().find(|e| e.event_type().as_str() == "policy_denied").unwrap();
    assert_eq!(event.details()["policy"], "shop/ext-authz");
    assert_eq!(send(gw.addr(), get(gw.addr(), "/orders/1", &[])).await.status, 200);
    let uris: Vec<String> = authz.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(uris, ["/authz/orders/deny", "/authz/orders/1"]);
}

#[tokio::test]
async fn a_custom_policy_without_a_defined_provider_is_a_config_error() {
    let up = TestUpstream::start("api").await;
    let yaml = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams:
  api: {{targets: ["{}"]}}
routes:
  - {{name: all, match: {{path: "/*"}}, upstream: api}}
authorization:
  policies: [{{name: ext, action: CUSTOM, provider: {{name: nowhere}}, rules: [{{}}]}}]
"#,
        up.addr
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.yaml");
    std::fs::write(&config, format!("{yaml}\nadmin: {{address: \"127.0.0.1:0\"}}\n")).unwrap();
    let options = rampart_gateway::StartOptions { config, events: None, watch_interval: None };
    let error = rampart_gateway::start(options).await.err().unwrap().to_string();
    assert!(error.contains("authorization"), "{error}");
    assert!(error.contains("policies[0] `ext`: provider: no provider named `nowhere`"), "{error}");
}
