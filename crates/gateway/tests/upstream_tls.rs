//! TLS and mutual TLS to upstreams: chain and identity verification, the gateway's client
//! certificate, HTTP/2 by ALPN, config errors, and rotation of the client certificate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod pki;
mod support;

use std::net::SocketAddr;
use std::path::Path;

use pki::tls_upstream::TlsUpstream;
use pki::{Ca, Leaf, Validity};
use rampart_events::SecurityEvent;
use support::client::{get, send, Reply};
use support::TestGateway;

const DATA_ID: &str = "spiffe://cluster.local/ns/research/sa/research-data";
const FULL_TLS: &str = "{ca: upstream-ca.pem, server_name: data.research.svc, \
    client_certificate: gw.pem, client_key: gw-key.pem, expected_spiffe_id: DATA_ID}";

fn config(upstream: SocketAddr, protocol: &str, tls: &str) -> String {
    let tls = tls.replace("DATA_ID", DATA_ID);
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams:
  data:
    targets: ["{upstream}"]
    protocol: {protocol}
    pool_max_idle: 0
    tls: {tls}
routes:
  - name: data
    match: {{path: "/*"}}
    upstream: data
"#
    )
}

/// The mesh: a CA for upstreams, the upstream's certificate, the gateway's client certificate.
struct Mesh {
    ca: Ca,
    upstream: Leaf,
    gateway: Leaf,
}

impl Mesh {
    fn new() -> Self {
        let ca = Ca::new("mesh-ca");
        let upstream = ca.named_server(&["data.research.svc", "127.0.0.1"], Some(DATA_ID));
        let gateway = ca.spiffe_client("gateway", "rampart", Validity::Now);
        Self { ca, upstream, gateway }
    }

    fn write(&self, dir: &Path) {
        std::fs::write(dir.join("upstream-ca.pem"), &self.ca.pem).unwrap();
        write_client(dir, &self.gateway);
    }
}

fn write_client(dir: &Path, leaf: &Leaf) {
    std::fs::write(dir.join("gw.pem"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("gw-key.pem"), &leaf.key_pem).unwrap();
}

async fn gateway(mesh: &Mesh, upstream: SocketAddr, protocol: &str, tls: &str) -> TestGateway {
    let dir = tempfile::tempdir().unwrap();
    mesh.write(dir.path());
    TestGateway::start_in(dir, &config(upstream, protocol, tls)).await
}

async fn fetch(gw: &TestGateway) -> Reply {
    send(gw.addr(), get(gw.addr(), "/api/data/items", &[])).await
}

async fn only_event(gw: &TestGateway, kind: &str) -> SecurityEvent {
    let events: Vec<_> =
        gw.events().await.into_iter().filter(|e| e.event_type().as_str() == kind).collect();
    assert_eq!(events.len(), 1, "one {kind} event expected: {events:?}");
    events.into_iter().next().unwrap()
}

#[tokio::test]
async fn the_right_identity_is_served_and_sees_the_gateways_certificate() {
    let mesh = Mesh::new();
    let up = TlsUpstream::start(&mesh.upstream, Some(&mesh.ca)).await;
    for (protocol, version) in [("http1", "HTTP/1.1"), ("http2", "HTTP/2.0")] {
        let gw = gateway(&mesh, up.addr, protocol, FULL_TLS).await;
        let reply = fetch(&gw).await;
        assert_eq!(reply.status, 200, "{protocol}: {:?}", reply.body);
        let body = reply.json();
        assert_eq!(body["client"], "cluster.local/ns/gateway/sa/rampart", "{protocol}");
        assert_eq!(body["version"], version, "{protocol}: ALPN decides the version");
        assert_eq!(body["path"], "/api/data/items");
    }
}

#[tokio::test]
async fn a_wrong_spiffe_id_is_a_502_and_the_upstream_gets_nothing() {
    let mesh = Mesh::new();
    let up = TlsUpstream::start(&mesh.upstream, Some(&mesh.ca)).await;
    let billing = "spiffe://cluster.local/ns/research/sa/research-billing";
    let tls =
        FULL_TLS.replace("expected_spiffe_id: DATA_ID", &format!("expected_spiffe_id: {billing}"));
    let gw = gateway(&mesh, up.addr, "http1", &tls).await;

    let reply = fetch(&gw).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.json()["error"], "upstream_identity_mismatch");
    assert_eq!(up.served(), 0, "no request may reach an upstream with the wrong identity");

    let event = only_event(&gw, "upstream_tls_failed").await;
    assert_eq!(event.details()["reason"], "identity_mismatch");
    assert_eq!(event.details()["upstream"], "data");
    assert_eq!(event.details()["target"], up.addr.to_string());
    assert_eq!(event.details()["expected_spiffe_id"], billing);
    assert_eq!(event.details()["presented_spiffe_ids"], serde_json::json!([DATA_ID]));
    assert_eq!(event.severity(), rampart_events::Severity::High);
}

#[tokio::test]
async fn an_upstream_certificate_from_another_ca_is_a_502() {
    let mesh = Mesh::new();
    let impostor = Ca::new("other-ca").named_server(&["data.research.svc"], Some(DATA_ID));
    let up = TlsUpstream::start(&impostor, Some(&mesh.ca)).await;
    let gw = gateway(&mesh, up.addr, "http1", FULL_TLS).await;

    let reply = fetch(&gw).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.json()["error"], "upstream_tls_failed");
    assert_eq!(up.served(), 0);
    let event = only_event(&gw, "upstream_tls_failed").await;
    assert_eq!(event.details()["reason"], "handshake_failed");
    let error = event.details()["error"].as_str().unwrap();
    assert!(error.contains("UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn an_upstream_that_requires_a_client_certificate_the_gateway_lacks_is_a_502() {
    let mesh = Mesh::new();
    let up = TlsUpstream::start(&mesh.upstream, Some(&mesh.ca)).await;
    let tls = "{ca: upstream-ca.pem, expected_spiffe_id: DATA_ID}";
    let gw = gateway(&mesh, up.addr, "http1", tls).await;

    let reply = fetch(&gw).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.json()["error"], "upstream_tls_failed");
    assert_eq!(up.served(), 0);
    let event = only_event(&gw, "upstream_tls_failed").await;
    let error = event.details()["error"].as_str().unwrap();
    assert!(error.contains("CertificateRequired"), "{error}");
}

#[tokio::test]
async fn without_an_expected_id_the_server_name_is_verified() {
    let mesh = Mesh::new();
    let up = TlsUpstream::start(&mesh.upstream, None).await;
    let cases = [
        ("{ca: upstream-ca.pem}", 200),
        ("{ca: upstream-ca.pem, server_name: data.research.svc}", 200),
        ("{ca: upstream-ca.pem, server_name: billing.research.svc}", 502),
    ];
    for (tls, status) in cases {
        let gw = gateway(&mesh, up.addr, "http1", tls).await;
        let reply = fetch(&gw).await;
        assert_eq!(reply.status, status, "{tls}: {:?}", reply.body);
        if status == 200 {
            assert_eq!(reply.json()["client"], serde_json::Value::Null, "{tls}");
        } else {
            let event = only_event(&gw, "upstream_tls_failed").await;
            let error = event.details()["error"].as_str().unwrap();
            assert!(error.contains("not valid for name"), "{tls}: {error}");
        }
    }
}

#[tokio::test]
async fn a_rotated_client_certificate_is_presented_on_new_connections() {
    let mesh = Mesh::new();
    let up = TlsUpstream::start(&mesh.upstream, Some(&mesh.ca)).await;
    let gw = gateway(&mesh, up.addr, "http1", FULL_TLS).await;
    assert_eq!(fetch(&gw).await.json()["client"], "cluster.local/ns/gateway/sa/rampart");

    let next = mesh.ca.spiffe_client("gateway", "rampart-next", Validity::Now);
    write_client(gw.dir.path(), &next);
    assert_eq!(gw.running.refresh_tls(), 0);
    let reply = fetch(&gw).await;
    assert_eq!(reply.json()["client"], "cluster.local/ns/gateway/sa/rampart-next");
    let event = only_event(&gw, "tls_reloaded").await;
    assert_eq!(event.details()["upstream"], "data");

    std::fs::write(gw.dir.path().join("gw-key.pem"), mesh.gateway.key_pem.as_bytes()).unwrap();
    assert_eq!(gw.running.refresh_tls(), 1, "a key of another certificate is refused");
    let refused = only_event(&gw, "tls_reload_failed").await;
    assert!(refused.details()["file"].as_str().unwrap().ends_with("gw-key.pem"));
    let reply = fetch(&gw).await;
    assert_eq!(reply.json()["client"], "cluster.local/ns/gateway/sa/rampart-next");
}

#[tokio::test]
async fn a_rotated_upstream_ca_is_trusted_from_the_next_connection() {
    let mesh = Mesh::new();
    let new_ca = Ca::new("new-mesh-ca");
    let up = TlsUpstream::start(&new_ca.named_server(&["127.0.0.1"], None), None).await;
    let gw = gateway(&mesh, up.addr, "http1", "{ca: upstream-ca.pem}").await;
    assert_eq!(fetch(&gw).await.status, 502, "the upstream's CA is not trusted yet");

    std::fs::write(gw.dir.path().join("upstream-ca.pem"), &new_ca.pem).unwrap();
    assert_eq!(gw.running.refresh_tls(), 0);
    assert_eq!(fetch(&gw).await.status, 200);
    assert_eq!(gw.running.refresh_tls(), 0, "unchanged files are not reloaded again");
    assert_eq!(
        gw.events().await.iter().filter(|e| e.event_type().as_str() == "tls_reloaded").count(),
        1
    );
}

#[tokio::test]
async fn config_errors_name_the_path() {
    let mesh = Mesh::new();
    let cases = [
        ("{ca: upstream-ca.pem, client_key: gw-key.pem}", "upstreams.data.tls.client_certificate"),
        ("{ca: upstream-ca.pem, client_certificate: gw.pem}", "upstreams.data.tls.client_key"),
        ("{ca: missing-ca.pem}", "upstreams.data.tls.ca"),
        ("{ca: gw-key.pem}", "upstreams.data.tls.ca"),
        ("{ca: upstream-ca.pem, expected_spiffe_id: cluster.local/x}", "tls.expected_spiffe_id"),
        ("{ca: upstream-ca.pem, server_name: 'a b'}", "upstreams.data.tls.server_name"),
        (
            "{ca: upstream-ca.pem, client_certificate: gw.pem, client_key: upstream-ca.pem}",
            "upstreams.data.tls.client_key",
        ),
    ];
    for (tls, path) in cases {
        let dir = tempfile::tempdir().unwrap();
        mesh.write(dir.path());
        let file = dir.path().join("gateway.yaml");
        std::fs::write(&file, config("127.0.0.1:9".parse().unwrap(), "http1", tls)).unwrap();
        let parsed = rampart_gateway::config::load(&file).unwrap();
        let metrics = std::sync::Arc::new(rampart_gateway::metrics::Metrics::new());
        let error = rampart_gateway::config::compile(parsed, &file, &metrics).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(path), "{tls}: {text}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gateway.yaml");
    let unknown = "{ca: upstream-ca.pem, verify: false}";
    std::fs::write(&file, config("127.0.0.1:9".parse().unwrap(), "http1", unknown)).unwrap();
    let error = rampart_gateway::config::load(&file).unwrap_err().to_string();
    assert!(error.contains("upstreams.data.tls") && error.contains("verify"), "{error}");
}
