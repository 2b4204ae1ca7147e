//! The admin listener and TLS termination with ALPN.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Arc;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use support::client::{get, send};
use support::upstream::TestUpstream;
use support::{simple_config, TestGateway};

#[tokio::test]
async fn admin_endpoints_answer() {
    let up = TestUpstream::start("api").await;
    let config = simple_config(up.addr, "")
        + "\njwt_providers:\n  p:\n    issuer: i\n    \
        audiences: [a]\n    algorithms: [HS256]\n    hmac_secret_env: RAMPART_TEST_ADMIN_SECRET\n";
    // SAFETY of the environment: this test binary reads and writes this one variable only here,
    // before any thread of the gateway looks it up.
    std::env::set_var("RAMPART_TEST_ADMIN_SECRET", "a-secret-value-that-is-32-bytes-long!!");
    let gw = TestGateway::start(&config).await;
    let admin = gw.running.admin;

    assert_eq!(send(gw.addr(), get(gw.addr(), "/x", &[])).await.status, 200);
    let health = send(admin, get(admin, "/healthz", &[])).await;
    assert_eq!(health.status, 200);
    assert_eq!(send(admin, get(admin, "/readyz", &[])).await.status, 200);

    let metrics = send(admin, get(admin, "/metrics", &[])).await;
    let text = String::from_utf8_lossy(&metrics.body);
    for name in [
        "rampart_requests_total{route=\"all\",status=\"200\"} 1",
        "rampart_request_duration_seconds_bucket",
        "rampart_events_dropped_total",
        "rampart_connections_active",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }

    let config = send(admin, get(admin, "/config", &[])).await;
    let text = String::from_utf8_lossy(&config.body);
    assert!(text.contains("RAMPART_TEST_ADMIN_SECRET"));
    assert!(!text.contains("a-secret-value"), "secrets never shown");
    assert_eq!(send(admin, get(admin, "/nope", &[])).await.status, 404);
}

fn tls_files(dir: &std::path::Path) -> rustls::pki_types::CertificateDer<'static> {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    cert.der().clone()
}

async fn tls_connect(
    addr: std::net::SocketAddr,
    ca: rustls::pki_types::CertificateDer<'static>,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let mut config =
        rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap()
}

#[tokio::test]
async fn tls_listener_negotiates_h2_and_http11() {
    let up = TestUpstream::start("api").await;
    let dir = tempfile::tempdir().unwrap();
    let ca = tls_files(dir.path());
    let config = simple_config(up.addr, "").replace(
        "address: \"127.0.0.1:0\"}",
        "address: \"127.0.0.1:0\", tls: {cert: cert.pem, key: key.pem}}",
    );
    let gw = TestGateway::start_in(dir, &config).await;

    let stream = tls_connect(gw.addr(), ca.clone(), b"h2").await;
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let request = Request::get("https://localhost/over-h2").body(Full::new(Bytes::new())).unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let echo: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(echo["headers"]["x-forwarded-proto"][0], "https");
    assert_eq!(echo["headers"]["host"][0], "localhost");

    let stream = tls_connect(gw.addr(), ca, b"http/1.1").await;
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let request =
        Request::get("/over-h1").header("host", "localhost").body(Full::new(Bytes::new())).unwrap();
    assert_eq!(sender.send_request(request).await.unwrap().status(), 200);
}
