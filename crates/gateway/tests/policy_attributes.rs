//! Connection attributes in policies (`connection.sni`, `destination.ip`) and Istio's
//! `portLevelMtls` mapped to listener ports, over real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod pki;
mod support;

use pki::{request, write_server_files, Ca};
use support::client::{get, send};
use support::upstream::{dead_address, TestUpstream};
use support::TestGateway;

#[tokio::test]
async fn conditions_on_sni_and_destination_ip_see_the_connection() {
    let up = TestUpstream::start("api").await;
    let ca = Ca::new("attrs-ca");
    let dir = tempfile::tempdir().unwrap();
    write_server_files(dir.path(), &ca, &ca);
    let yaml = format!(
        r#"
listeners:
  - {{name: tls, address: "127.0.0.1:0", tls: {{cert: server.pem, key: server-key.pem}}}}
  - {{name: plain, address: "127.0.0.1:0"}}
upstreams:
  api: {{targets: ["{}"]}}
routes:
  - {{name: all, match: {{path: "/*"}}, upstream: api}}
authorization:
  policies:
    - name: deny-sni
      action: DENY
      rules:
        - to: [{{operation: {{paths: ["/sni/*"]}}}}]
          when: [{{key: connection.sni, values: [localhost]}}]
    - name: deny-loopback
      action: DENY
      rules:
        - to: [{{operation: {{paths: ["/dst/*"]}}}}]
          when: [{{key: destination.ip, values: ["127.0.0.0/8"]}}]
    - name: deny-other-dst
      action: DENY
      rules:
        - to: [{{operation: {{paths: ["/other/*"]}}}}]
          when: [{{key: destination.ip, values: ["10.0.0.0/8"]}}]
"#,
        up.addr
    );
    let gw = TestGateway::start_in(dir, &yaml).await;
    let (tls, plain) = (gw.running.listeners[0].1, gw.running.listeners[1].1);

    // Over TLS the client asked for `localhost`; in plaintext there is no server name.
    assert_eq!(request(tls, &ca, None, "GET", "/sni/x", &[]).await.unwrap().0, 403);
    assert_eq!(send(plain, get(plain, "/sni/x", &[])).await.status, 200);
    let events = gw.events().await;
    let denied = events.iter().find(|e| e.event_type().as_str() == "policy_denied").unwrap();
    assert_eq!(denied.details()["policy"], "deny-sni");

    // Both listeners are bound on loopback.
    assert_eq!(send(plain, get(plain, "/dst/x", &[])).await.status, 403);
    assert_eq!(request(tls, &ca, None, "GET", "/dst/x", &[]).await.unwrap().0, 403);
    assert_eq!(send(plain, get(plain, "/other/x", &[])).await.status, 200);
}

#[tokio::test]
async fn port_level_mtls_applies_to_the_listener_port() {
    let up = TestUpstream::start("api").await;
    let metrics_port = dead_address().await.port();
    let dir = tempfile::tempdir().unwrap();
    let istio = format!(
        r#"
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {{name: orders, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: orders}}}}
  mtls: {{mode: STRICT}}
  portLevelMtls:
    {metrics_port}: {{mode: PERMISSIVE}}
"#
    );
    std::fs::write(dir.path().join("peer.yaml"), istio).unwrap();
    let yaml = format!(
        r#"
listeners:
  - {{name: main, address: "127.0.0.1:0"}}
  - {{name: metrics, address: "127.0.0.1:{metrics_port}"}}
upstreams:
  api: {{targets: ["{}"]}}
routes:
  - {{name: orders, match: {{path: "/*"}}, upstream: api}}
authorization:
  istio:
    files: [peer.yaml]
    workloads: [{{target: orders, namespace: shop, labels: {{app: orders}}}}]
"#,
        up.addr
    );
    let gw = TestGateway::start_in(dir, &yaml).await;
    let (main, metrics) = (gw.running.listeners[0].1, gw.running.listeners[1].1);
    assert_eq!(metrics.port(), metrics_port);

    let reply = send(main, get(main, "/orders/1", &[])).await;
    assert_eq!(reply.status, 403);
    let events = gw.events_for(&reply.request_id()).await;
    assert_eq!(events[0].details()["reason"], "plaintext");
    assert_eq!(send(metrics, get(metrics, "/orders/1", &[])).await.status, 200);
}
