//! Protective limits: header size and count, slow clients, idle connections, connection cap,
//! graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use support::client::{get, raw, raw_status, send};
use support::upstream::TestUpstream;
use support::{simple_config, TestGateway};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn with_limits(upstream: std::net::SocketAddr, limits: &str) -> String {
    format!("{}\nlimits: {{{limits}}}\n", simple_config(upstream, ""))
}

#[tokio::test]
async fn oversized_or_too_many_headers_are_431() {
    let up = TestUpstream::start("api").await;
    let gw =
        TestGateway::start(&with_limits(up.addr, "max_header_bytes: 8192, max_headers: 20")).await;

    let big = format!("GET / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n", "a".repeat(10_000));
    assert_eq!(raw_status(&raw(gw.addr(), big.as_bytes()).await), 431);

    let mut many = String::from("GET / HTTP/1.1\r\nhost: x\r\n");
    for i in 0..30 {
        many.push_str(&format!("x-h{i}: v\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(raw_status(&raw(gw.addr(), many.as_bytes()).await), 431);
}

#[tokio::test]
async fn slow_clients_are_cut_off() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&with_limits(up.addr, "header_read_timeout: 300ms")).await;

    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the gateway closed the slow connection");
    let text = String::from_utf8_lossy(&out);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&with_limits(up.addr, "idle_timeout: 300ms")).await;

    let mut stream = TcpStream::connect(gw.addr()).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the idle keep-alive connection was closed");
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn connections_beyond_the_cap_wait() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&with_limits(up.addr, "max_connections: 1")).await;

    let first = TcpStream::connect(gw.addr()).await.unwrap();
    let waiting = tokio::spawn({
        let addr = gw.addr();
        async move { send(addr, get(addr, "/", &[])).await.status }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the second connection must wait for a free slot");
    drop(first);
    assert_eq!(waiting.await.unwrap(), 200);
}

#[tokio::test]
async fn shutdown_drains_requests_in_flight() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&simple_config(up.addr, "")).await;
    let addr = gw.addr();

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("first;") {
        let mut buf = [0u8; 512];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }

    let support::TestGateway { running, events: _events, dir: _dir, .. } = gw;
    let shutdown = tokio::spawn(running.shutdown());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(TcpStream::connect(addr).await.is_err(), "no new connections while draining");

    up.controls.release_stream.notify_one();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("second"), "the request in flight finished");
    shutdown.await.unwrap();
}
