//! Rotation of a listener's certificate, key and client CA bundle while clients keep
//! connecting: new handshakes get the new material, established connections keep working, and
//! broken files are refused with an event while the old material keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod pki;
mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use pki::{connect, request, serial_of, Ca, Leaf, Validity};
use rampart_events::{EventSink, MemoryEvents, SecurityEvent};
use rampart_gateway::{start, RunningGateway, StartOptions};
use support::upstream::TestUpstream;

/// How long a test waits for the watcher before failing.
const DEADLINE: Duration = Duration::from_secs(20);

struct Watched {
    running: RunningGateway,
    events: MemoryEvents,
    dir: tempfile::TempDir,
    _upstream: TestUpstream,
}

impl Watched {
    /// A gateway whose TLS files are checked every 50 ms.
    async fn start(server: &Leaf, client_ca: &Ca) -> Self {
        let upstream = TestUpstream::start("api").await;
        let dir = tempfile::tempdir().unwrap();
        write_server(dir.path(), server);
        std::fs::write(dir.path().join("client-ca.pem"), &client_ca.pem).unwrap();
        let config = dir.path().join("gateway.yaml");
        let yaml = format!(
            r#"
listeners:
  - name: main
    address: "127.0.0.1:0"
    tls: {{cert: server.pem, key: server-key.pem, client_ca: client-ca.pem}}
admin: {{address: "127.0.0.1:0"}}
upstreams:
  api: {{targets: ["{}"]}}
routes:
  - name: all
    match: {{path: "/*"}}
    upstream: api
"#,
            upstream.addr
        );
        std::fs::write(&config, yaml).unwrap();
        let (sink, events) = EventSink::memory();
        let watch_interval = Some(Duration::from_millis(50));
        let running =
            start(StartOptions { config, events: Some(sink), watch_interval }).await.unwrap();
        Self { running, events, dir, _upstream: upstream }
    }

    fn addr(&self) -> SocketAddr {
        self.running.listeners[0].1
    }

    async fn events(&self, kind: &str) -> Vec<SecurityEvent> {
        self.running.gateway.events.flush().await.unwrap();
        self.events.events().into_iter().filter(|e| e.event_type().as_str() == kind).collect()
    }
}

fn write_server(dir: &Path, leaf: &Leaf) {
    replace(&dir.join("server.pem"), &leaf.cert_pem);
    replace(&dir.join("server-key.pem"), &leaf.key_pem);
}

/// Replaces a file in one step (write beside, then rename), as deployment tools do, so the
/// watcher never reads half a file.
fn replace(path: &Path, contents: &str) {
    let staged = path.with_extension("staged");
    std::fs::write(&staged, contents).unwrap();
    std::fs::rename(&staged, path).unwrap();
}

/// A kept-alive HTTP/1.1 connection and the serial of the certificate it was served.
async fn open(addr: SocketAddr, ca: &Ca, client: &Leaf) -> (SendRequest<Full<Bytes>>, Vec<u8>) {
    let stream = connect(addr, ca, Some(client)).await.unwrap();
    let serial = serial_of(&stream.get_ref().1.peer_certificates().unwrap()[0]);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    (sender, serial)
}

async fn get(sender: &mut SendRequest<Full<Bytes>>) -> u16 {
    let request = http::Request::get("/kept").header("host", "localhost");
    let response = sender.send_request(request.body(Full::new(Bytes::new())).unwrap()).await;
    let response = response.unwrap();
    let status = response.status().as_u16();
    response.into_body().collect().await.unwrap();
    status
}

/// The serial a new connection is served, after checking the request on it succeeds.
async fn serial_now(addr: SocketAddr, ca: &Ca, client: &Leaf) -> Vec<u8> {
    let (mut sender, serial) = open(addr, ca, client).await;
    assert_eq!(get(&mut sender).await, 200, "every handshake during rotation must succeed");
    serial
}

#[tokio::test]
async fn a_replaced_server_certificate_serves_new_handshakes_and_spares_open_connections() {
    let ca = Ca::new("mesh-ca");
    let gw = Watched::start(&ca.server_with_serial(1), &ca).await;
    let client = ca.spiffe_client("research", "research-frontend", Validity::Now);
    let (mut kept, kept_serial) = open(gw.addr(), &ca, &client).await;
    assert_eq!(get(&mut kept).await, 200);
    assert_eq!(kept_serial, [1]);

    write_server(gw.dir.path(), &ca.server_with_serial(2));
    let started = Instant::now();
    while serial_now(gw.addr(), &ca, &client).await != [2] {
        assert!(started.elapsed() < DEADLINE, "the new certificate was never served");
        tokio::task::yield_now().await;
    }

    assert_eq!(get(&mut kept).await, 200, "a connection opened before the swap keeps working");
    let reloaded = gw.events("tls_reloaded").await;
    assert!(reloaded.iter().any(|e| e.details()["listener"] == "main"), "{reloaded:?}");
}

#[tokio::test]
async fn a_replaced_client_ca_refuses_old_clients_and_accepts_new_ones() {
    let (old_ca, new_ca) = (Ca::new("old-ca"), Ca::new("new-ca"));
    let gw = Watched::start(&old_ca.server(), &old_ca).await;
    let old_client = old_ca.spiffe_client("research", "old", Validity::Now);
    let new_client = new_ca.spiffe_client("research", "new", Validity::Now);
    let (mut kept, _) = open(gw.addr(), &old_ca, &old_client).await;
    assert_eq!(get(&mut kept).await, 200);
    let before = request(gw.addr(), &old_ca, Some(&new_client), "GET", "/x", &[]).await;
    assert!(before.is_err(), "the new CA's clients are refused before the swap: {before:?}");

    replace(&gw.dir.path().join("client-ca.pem"), &new_ca.pem);
    let started = Instant::now();
    loop {
        let attempt = request(gw.addr(), &old_ca, Some(&new_client), "GET", "/x", &[]).await;
        if let Ok((status, _)) = attempt {
            assert_eq!(status, 200);
            break;
        }
        assert!(started.elapsed() < DEADLINE, "the new CA was never used");
        tokio::task::yield_now().await;
    }

    let after = request(gw.addr(), &old_ca, Some(&old_client), "GET", "/x", &[]).await;
    assert!(after.is_err(), "the old CA's clients are refused after the swap: {after:?}");
    assert_eq!(get(&mut kept).await, 200, "a connection opened before the swap keeps working");
}

#[tokio::test]
async fn broken_files_are_refused_and_the_old_certificate_keeps_serving() {
    let ca = Ca::new("mesh-ca");
    let gw = Watched::start(&ca.server_with_serial(1), &ca).await;
    let client = ca.spiffe_client("research", "research-frontend", Validity::Now);
    let cert = gw.dir.path().join("server.pem");

    replace(&cert, "-----BEGIN CERTIFICATE-----\nnot base64\n");
    let refused = wait_for_refusal(&gw, 1).await;
    assert!(refused.details()["file"].as_str().unwrap().ends_with("server.pem"), "{refused:?}");
    assert_eq!(refused.details()["listener"], "main");
    assert_eq!(serial_now(gw.addr(), &ca, &client).await, [1]);

    let other = ca.server_with_serial(2);
    replace(&cert, &other.cert_pem);
    let refused = wait_for_refusal(&gw, 2).await;
    assert!(refused.details()["file"].as_str().unwrap().ends_with("server-key.pem"));
    let reason = refused.details()["reason"].as_str().unwrap();
    assert!(reason.contains("cannot be used with its certificate"), "{reason}");
    assert_eq!(serial_now(gw.addr(), &ca, &client).await, [1]);

    replace(&gw.dir.path().join("server-key.pem"), &other.key_pem);
    assert_eq!(gw.running.refresh_tls(), 0, "a check now (as on SIGHUP) applies the pair");
    assert_eq!(serial_now(gw.addr(), &ca, &client).await, [2]);
}

/// The `count`th `tls_reload_failed` event, polled until the deadline.
async fn wait_for_refusal(gw: &Watched, count: usize) -> SecurityEvent {
    let started = Instant::now();
    loop {
        let events = gw.events("tls_reload_failed").await;
        if events.len() >= count {
            assert_eq!(events.len(), count, "each broken content is reported once: {events:?}");
            return events[count - 1].clone();
        }
        assert!(started.elapsed() < DEADLINE, "no tls_reload_failed event");
        tokio::task::yield_now().await;
    }
}
