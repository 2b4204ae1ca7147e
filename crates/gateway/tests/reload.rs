//! Config reload: valid files swap in atomically, invalid ones are rejected with an event while
//! the running config keeps serving, and requests in flight finish on the config they began with.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use rampart_events::{EventSink, EventType};
use rampart_gateway::{start, StartOptions};
use support::client::{get, send};
use support::upstream::TestUpstream;
use support::{simple_config, TestGateway};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The same listeners as the running config (port 0 stays port 0: the bound socket is kept).
fn pinned(upstream: std::net::SocketAddr) -> String {
    simple_config(upstream, "") + "\nadmin: {address: \"127.0.0.1:0\"}\n"
}

#[tokio::test]
async fn valid_reload_swaps_the_config() {
    let a = TestUpstream::start("a").await;
    let b = TestUpstream::start("b").await;
    let gw = TestGateway::start(&simple_config(a.addr, "")).await;
    assert_eq!(send(gw.addr(), get(gw.addr(), "/", &[])).await.json()["upstream"], "a");

    gw.write_config(&pinned(b.addr));
    gw.running.reload().unwrap();
    assert_eq!(send(gw.addr(), get(gw.addr(), "/", &[])).await.json()["upstream"], "b");

    let events = gw.events().await;
    assert!(events.iter().any(|e| e.event_type() == EventType::ConfigReloaded));
    let metrics = gw.running.gateway.metrics.render(0);
    assert!(metrics.contains("rampart_config_reloads_total{result=\"applied\"} 1"));
}

#[tokio::test]
async fn invalid_reload_is_rejected_and_the_old_config_serves() {
    let a = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(a.addr, "")).await;

    let broken = pinned(a.addr).replace("upstream: api", "upstream: nowhere");
    gw.write_config(&broken);
    let error = gw.running.reload().unwrap_err().to_string();
    assert!(error.contains("at `routes[0].upstream`: unknown upstream `nowhere`"), "{error}");
    assert_eq!(send(gw.addr(), get(gw.addr(), "/", &[])).await.json()["upstream"], "a");

    gw.write_config("listeners: [");
    assert!(gw.running.reload().is_err());

    let moved = pinned(a.addr).replacen("127.0.0.1:0", "127.0.0.1:1", 1);
    gw.write_config(&moved);
    let error = gw.running.reload().unwrap_err().to_string();
    assert!(error.contains("takes a restart"), "{error}");

    let rejected: Vec<_> = gw
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type() == EventType::ConfigRejected)
        .collect();
    assert_eq!(rejected.len(), 3);
    assert!(rejected[0].details()["error"].as_str().unwrap().contains("unknown upstream"));
}

#[tokio::test]
async fn requests_in_flight_finish_on_their_config() {
    let a = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(a.addr, "")).await;

    let mut stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    stream
        .write_all(b"GET /stream HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("first;") {
        let mut buf = [0u8; 512];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }

    let without_route = pinned(a.addr).replace("path: \"/*\"", "path: \"/gone\"");
    gw.write_config(&without_route);
    gw.running.reload().unwrap();
    assert_eq!(send(gw.addr(), get(gw.addr(), "/stream", &[])).await.status, 404);

    a.controls.release_stream.notify_one();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("second"));
}

#[tokio::test]
async fn file_changes_are_picked_up() {
    let a = TestUpstream::start("a").await;
    let b = TestUpstream::start("b").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gw.yaml");
    std::fs::write(&file, simple_config(a.addr, "") + "\nadmin: {address: \"127.0.0.1:0\"}\n")
        .unwrap();
    let (sink, events) = EventSink::memory();
    let options = StartOptions {
        config: file.clone(),
        events: Some(sink),
        watch_interval: Some(Duration::from_millis(50)),
    };
    let running = start(options).await.unwrap();
    let addr = running.listeners[0].1;

    std::fs::write(&file, pinned(b.addr) + "# changed\n").unwrap();
    let mut upstream = String::new();
    for _ in 0..200 {
        upstream =
            send(addr, get(addr, "/", &[])).await.json()["upstream"].as_str().unwrap().to_owned();
        if upstream == "b" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    running.gateway.events.flush().await.unwrap();
    assert_eq!(upstream, "b", "{:?}", events.lines());
    running.shutdown().await;
}
