//! The authorize stage end to end: the seed's Istio policies over mutual TLS, DENY over ALLOW,
//! AUDIT, requestPrincipals from JWTs, and path normalization attacks against policies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod pki;
mod support;

use std::time::Duration;

use pki::{request, write_server_files, Ca, Leaf, Validity};
use rampart_auth::{JwtAlgorithm, MintRequest, SigningKeySource};
use rampart_events::SecurityEvent;
use support::upstream::TestUpstream;
use support::TestGateway;

const SEED: &str = include_str!("../../policy/tests/fixtures/seed.yaml");
const ISSUER: &str = "https://issuer.test";
const HMAC_ENV: &str = "RAMPART_TEST_POLICY_SECRET";
const HMAC_SECRET: &str = "a-policy-test-secret-of-32-bytes-at-least!";

fn config(upstream: std::net::SocketAddr) -> String {
    format!(
        r#"
listeners:
  - name: main
    address: "127.0.0.1:0"
    tls: {{cert: server.pem, key: server-key.pem, client_ca: client-ca.pem, client_auth: optional}}
jwt_providers:
  main:
    issuer: "{ISSUER}"
    audiences: ["api"]
    algorithms: ["HS256"]
    hmac_secret_env: {HMAC_ENV}
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: reports
    match: {{path: "/reports/*"}}
    upstream: api
    auth: {{jwt: {{providers: [main]}}}}
  - name: research-data
    match: {{path: "/*"}}
    upstream: api
authorization:
  policies:
    - name: deny-admin
      action: DENY
      targets: [research-data]
      rules:
        - to: [{{operation: {{paths: ["/api/data/admin", "/api/data/admin/*", "/admin*"]}}}}]
        - to: [{{operation: {{hosts: ["admin.example.com"]}}}}]
    - name: audit-exports
      action: AUDIT
      targets: [research-data]
      rules: [{{to: [{{operation: {{paths: ["/api/data/export*"]}}}}]}}]
    - name: reports-for-alice
      targets: [reports]
      rules:
        - from: [{{source: {{requestPrincipals: ["{ISSUER}/alice"]}}}}]
  istio:
    files: [seed.yaml]
    workloads:
      - target: research-data
        namespace: research
        labels: {{app: research-data-service}}
"#
    )
}

struct Fixture {
    gw: TestGateway,
    ca: Ca,
    frontend: Leaf,
    _up: TestUpstream,
}

async fn fixture() -> Fixture {
    // The one variable this test binary sets, before the gateway reads it.
    std::env::set_var(HMAC_ENV, HMAC_SECRET);
    let up = TestUpstream::start("api").await;
    let ca = Ca::new("mesh-ca");
    let dir = tempfile::tempdir().unwrap();
    write_server_files(dir.path(), &ca, &ca);
    std::fs::write(dir.path().join("seed.yaml"), SEED).unwrap();
    let gw = TestGateway::start_in(dir, &config(up.addr)).await;
    let frontend = ca.spiffe_client("research", "research-frontend", Validity::Now);
    Fixture { gw, ca, frontend, _up: up }
}

impl Fixture {
    async fn status(&self, client: Option<&Leaf>, method: &str, target: &str) -> u16 {
        self.send(client, method, target, &[]).await
    }

    async fn send(
        &self,
        client: Option<&Leaf>,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
    ) -> u16 {
        request(self.gw.addr(), &self.ca, client, method, target, headers).await.unwrap().0
    }

    async fn last(&self, kind: &str) -> SecurityEvent {
        let events = self.gw.events().await;
        events.into_iter().rev().find(|e| e.event_type().as_str() == kind).unwrap()
    }
}

#[tokio::test]
async fn the_seed_policy_allows_only_the_frontend_to_read_and_write_data() {
    let fx = fixture().await;
    let frontend = Some(&fx.frontend);
    assert_eq!(fx.status(frontend, "GET", "/api/data/items").await, 200);
    assert_eq!(fx.status(frontend, "POST", "/api/data/items").await, 200);
    assert_eq!(fx.status(frontend, "GET", "/api/data/a/b?x=1").await, 200);

    for (method, path) in [("DELETE", "/api/data/items"), ("PUT", "/api/data/x")] {
        assert_eq!(fx.status(frontend, method, path).await, 403, "{method} {path}");
    }
    for path in ["/api/data", "/api/other", "/"] {
        assert_eq!(fx.status(frontend, "GET", path).await, 403, "{path}");
    }
    let event = fx.last("policy_denied").await;
    assert_eq!(event.details()["reason"], "no_allow_policy_matched");
    assert_eq!(event.details()["principal"], "cluster.local/ns/research/sa/research-frontend");
    assert_eq!(event.route(), Some("research-data"));

    let others = [
        fx.ca.spiffe_client("research", "research-backend", Validity::Now),
        fx.ca.spiffe_client("marketing", "research-frontend", Validity::Now),
    ];
    for other in &others {
        assert_eq!(fx.status(Some(other), "GET", "/api/data/items").await, 403);
    }
    let event = fx.last("policy_denied").await;
    assert_eq!(event.details()["principal"], "cluster.local/ns/marketing/sa/research-frontend");
}

#[tokio::test]
async fn the_seed_peer_authentication_makes_the_route_strict() {
    let fx = fixture().await;
    let (status, body) =
        request(fx.gw.addr(), &fx.ca, None, "GET", "/api/data/items", &[]).await.unwrap();
    assert_eq!(status, 403);
    assert!(body.contains(r#""error":"forbidden""#), "{body}");
    let event = fx.last("policy_denied").await;
    assert_eq!(event.details()["reason"], "no_client_certificate");
}

#[tokio::test]
async fn deny_overrides_allow_and_names_the_policy() {
    let fx = fixture().await;
    let (status, body) =
        request(fx.gw.addr(), &fx.ca, Some(&fx.frontend), "GET", "/api/data/admin", &[])
            .await
            .unwrap();
    assert_eq!(status, 403);
    assert!(body.contains(r#""error":"forbidden""#) && body.contains("request_id"), "{body}");
    let event = fx.last("policy_denied").await;
    assert_eq!(event.details()["policy"], "deny-admin");
    assert_eq!(event.details()["rule"], 0);
    assert_eq!(event.details()["reason"], "deny_policy_matched");
    assert_eq!(event.details()["principal"], "cluster.local/ns/research/sa/research-frontend");
}

#[tokio::test]
async fn audit_policies_record_without_deciding() {
    let fx = fixture().await;
    assert_eq!(fx.status(Some(&fx.frontend), "GET", "/api/data/export/1").await, 200);
    let event = fx.last("policy_audit").await;
    assert_eq!(event.details()["policy"], "audit-exports");
    assert_eq!(event.details()["principal"], "cluster.local/ns/research/sa/research-frontend");
    assert_eq!(event.status(), Some(200));
}

#[tokio::test]
async fn path_normalization_attacks_do_not_bypass_policies() {
    let fx = fixture().await;
    let frontend = Some(&fx.frontend);

    // Against the DENY policy on /api/data/admin and /admin*.
    for target in [
        "//api/data/admin",
        "/api//data/admin",
        "/api/data/./admin",
        "/api/data/x/../admin",
        "/api/data/%2e%2e/data/admin",
        "/api/data/%61dmin",
        "/api/data/..%2f..%2fadmin",
        "/api/data/%2fadmin",
        "/api/data/admin%5c",
        "/public/..;/api/data/admin",
        "/api/data/admin;x=1",
        "/x#/../admin",
    ] {
        let status = fx.status(frontend, "GET", target).await;
        assert!(status == 400 || status == 403, "{target}: {status}");
    }

    // Against the ALLOW policy on /api/data/*: escaping it must not keep the ALLOW.
    for target in [
        "/api/data/../../secret",
        "/api/data/%2e%2e/%2e%2e/secret",
        "/api/data/..%2f..%2fsecret",
        "/api/data/..;/..;/secret",
    ] {
        let status = fx.status(frontend, "GET", target).await;
        assert!(status == 400 || status == 403, "{target}: {status}");
    }

    // Hosts match case-insensitively, without the trailing dot or the default port.
    for host in ["ADMIN.example.com.", "admin.EXAMPLE.com:443", "admin.example.com"] {
        let status = fx.send(frontend, "GET", "/api/data/items", &[("host", host)]).await;
        assert_eq!(status, 403, "{host}");
    }
    let event = fx.last("policy_denied").await;
    assert_eq!(event.details()["policy"], "deny-admin");
    assert_eq!(event.details()["rule"], 1);
    let status = fx.send(frontend, "GET", "/api/data/items", &[("host", "data.example.com")]).await;
    assert_eq!(status, 200);
}

fn token(subject: &str) -> String {
    rampart_auth::mint(&MintRequest {
        issuer: ISSUER.into(),
        audiences: vec!["api".into()],
        subject: Some(subject.into()),
        scopes: Vec::new(),
        ttl: Duration::from_secs(300),
        extra_claims: serde_json::Map::new(),
        kid: None,
        algorithm: JwtAlgorithm::HS256,
        key: SigningKeySource::HmacEnv(HMAC_ENV.into()),
    })
    .unwrap()
}

#[tokio::test]
async fn request_principals_come_from_the_verified_jwt() {
    let fx = fixture().await;
    let alice = format!("Bearer {}", token("alice"));
    let bob = format!("Bearer {}", token("bob"));
    let status = fx.send(None, "GET", "/reports/1", &[("authorization", alice.as_str())]).await;
    assert_eq!(status, 200);
    let status = fx.send(None, "GET", "/reports/1", &[("authorization", bob.as_str())]).await;
    assert_eq!(status, 403);
    let event = fx.last("policy_denied").await;
    assert_eq!(event.details()["reason"], "no_allow_policy_matched");
    assert_eq!(event.identity(), Some("bob"));
    assert_eq!(fx.send(None, "GET", "/reports/1", &[]).await, 401);
}
