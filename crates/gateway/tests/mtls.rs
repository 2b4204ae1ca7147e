//! Downstream mutual TLS: client certificate verification per listener, peer identities, and
//! STRICT routes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod pki;
mod support;

use std::time::Duration;

use pki::{request, write_server_files, Ca, Validity};
use rampart_events::SecurityEvent;
use support::upstream::TestUpstream;
use support::TestGateway;

fn config(upstream: std::net::SocketAddr, tls: &str) -> String {
    format!(
        r#"
listeners:
  - name: main
    address: "127.0.0.1:0"
    tls: {tls}
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: strict
    match: {{path: "/strict/*"}}
    upstream: api
    mtls: strict
  - name: open
    match: {{path: "/*"}}
    upstream: api
"#
    )
}

const REQUIRED: &str =
    "{cert: server.pem, key: server-key.pem, client_ca: client-ca.pem, client_auth: required}";
const OPTIONAL: &str =
    "{cert: server.pem, key: server-key.pem, client_ca: client-ca.pem, client_auth: optional}";

async fn gateway(ca: &Ca, tls: &str) -> (TestGateway, TestUpstream) {
    let up = TestUpstream::start("api").await;
    let dir = tempfile::tempdir().unwrap();
    write_server_files(dir.path(), ca, ca);
    let gw = TestGateway::start_in(dir, &config(up.addr, tls)).await;
    (gw, up)
}

/// The first event of `kind`, waiting (without sleeping) for the connection task to record it.
async fn wait_for(gw: &TestGateway, kind: &str) -> SecurityEvent {
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let events = gw.events().await;
            if let Some(event) = events.into_iter().find(|e| e.event_type().as_str() == kind) {
                return event;
            }
            tokio::task::yield_now().await;
        }
    });
    found.await.unwrap_or_else(|_| panic!("no {kind} event"))
}

#[tokio::test]
async fn required_client_auth_serves_verified_clients_only() {
    let ca = Ca::new("mesh-ca");
    let (gw, _up) = gateway(&ca, REQUIRED).await;
    let frontend = ca.spiffe_client("research", "research-frontend", Validity::Now);

    let (status, _) = request(gw.addr(), &ca, Some(&frontend), "GET", "/x", &[]).await.unwrap();
    assert_eq!(status, 200);
    let (status, _) =
        request(gw.addr(), &ca, Some(&frontend), "GET", "/strict/x", &[]).await.unwrap();
    assert_eq!(status, 200);

    let without = request(gw.addr(), &ca, None, "GET", "/x", &[]).await;
    assert!(without.is_err(), "no certificate must end the handshake: {without:?}");
    let event = wait_for(&gw, "tls_handshake_failed").await;
    assert!(event.details()["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(event.details().get("subject").is_none());
}

#[tokio::test]
async fn certificates_from_another_ca_are_refused_and_named() {
    let ca = Ca::new("mesh-ca");
    let (gw, _up) = gateway(&ca, REQUIRED).await;
    let stranger = Ca::new("other-ca").spiffe_client("evil", "intruder", Validity::Now);

    let result = request(gw.addr(), &ca, Some(&stranger), "GET", "/x", &[]).await;
    assert!(result.is_err(), "a foreign certificate must end the handshake: {result:?}");
    let event = wait_for(&gw, "tls_handshake_failed").await;
    assert_eq!(event.details()["subject"], "CN=intruder.evil");
    assert!(event.details()["reason"].as_str().unwrap().contains("certificate"));
}

#[tokio::test]
async fn expired_and_not_yet_valid_certificates_are_refused() {
    let ca = Ca::new("mesh-ca");
    for (validity, name) in [(Validity::Expired, "old"), (Validity::NotYetValid, "future")] {
        let (gw, _up) = gateway(&ca, OPTIONAL).await;
        let client = ca.spiffe_client("research", name, validity);
        let result = request(gw.addr(), &ca, Some(&client), "GET", "/x", &[]).await;
        assert!(result.is_err(), "{name}: the handshake must fail: {result:?}");
        let event = wait_for(&gw, "tls_handshake_failed").await;
        assert_eq!(event.details()["subject"], format!("CN={name}.research"));
    }
}

#[tokio::test]
async fn optional_client_auth_leaves_strict_routes_to_verified_clients() {
    let ca = Ca::new("mesh-ca");
    let (gw, _up) = gateway(&ca, OPTIONAL).await;
    let frontend = ca.spiffe_client("research", "research-frontend", Validity::Now);

    let (status, _) = request(gw.addr(), &ca, None, "GET", "/x", &[]).await.unwrap();
    assert_eq!(status, 200, "permissive routes serve clients without certificates");
    let (status, body) = request(gw.addr(), &ca, None, "GET", "/strict/x", &[]).await.unwrap();
    assert_eq!(status, 403);
    assert!(body.contains(r#""error":"forbidden""#), "{body}");
    assert!(body.contains("request_id"), "{body}");
    let event = wait_for(&gw, "policy_denied").await;
    assert_eq!(event.details()["reason"], "no_client_certificate");
    assert_eq!(event.route(), Some("strict"));

    let (status, _) =
        request(gw.addr(), &ca, Some(&frontend), "GET", "/strict/x", &[]).await.unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn strict_routes_deny_plaintext() {
    let up = TestUpstream::start("api").await;
    let config = config(up.addr, "null");
    let gw = TestGateway::start(&config).await;
    let reply =
        support::client::send(gw.addr(), support::client::get(gw.addr(), "/strict/a", &[])).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"], "forbidden");
    let event = wait_for(&gw, "policy_denied").await;
    assert_eq!(event.details()["reason"], "plaintext");
    let open = support::client::send(gw.addr(), support::client::get(gw.addr(), "/a", &[])).await;
    assert_eq!(open.status, 200);
}

#[tokio::test]
async fn a_missing_client_ca_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("mesh-ca");
    write_server_files(dir.path(), &ca, &ca);
    std::fs::remove_file(dir.path().join("client-ca.pem")).unwrap();
    let file = dir.path().join("gateway.yaml");
    std::fs::write(&file, config("127.0.0.1:9".parse().unwrap(), REQUIRED)).unwrap();
    let parsed = rampart_gateway::config::load(&file).unwrap();
    let metrics = std::sync::Arc::new(rampart_gateway::metrics::Metrics::new());
    let error = rampart_gateway::config::compile(parsed, &file, &metrics).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("listeners[0].tls") && text.contains("client-ca.pem"), "{text}");
}
