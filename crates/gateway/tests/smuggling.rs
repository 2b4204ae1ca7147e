//! Request smuggling and framing: malformed framing is refused, and what goes upstream is always
//! framed by the gateway itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use support::client::{raw, raw_status};
use support::upstream::TestUpstream;
use support::{simple_config, TestGateway};

async fn gateway() -> (TestUpstream, TestGateway) {
    let upstream = TestUpstream::start("api").await;
    let gw = TestGateway::start(&simple_config(upstream.addr, "")).await;
    (upstream, gw)
}

#[tokio::test]
async fn obsolete_line_folding_is_400() {
    let (_up, gw) = gateway().await;
    let reply = raw(gw.addr(), b"GET / HTTP/1.1\r\nhost: x\r\nx-a: 1\r\n  folded\r\n\r\n").await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
}

#[tokio::test]
async fn differing_content_lengths_are_400() {
    let (up, gw) = gateway().await;
    let request =
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!";
    assert_eq!(raw_status(&raw(gw.addr(), request).await), 400);
    assert!(up.controls.seen.lock().await.is_empty());
}

#[tokio::test]
async fn invalid_chunk_sizes_are_400() {
    let (_up, gw) = gateway().await;
    let request =
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n";
    let reply = raw(gw.addr(), request).await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
}

#[tokio::test]
async fn transfer_encoding_not_ending_in_chunked_is_400() {
    let (_up, gw) = gateway().await;
    for te in ["chunked, identity", "gzip"] {
        let request =
            format!("POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: {te}\r\n\r\n0\r\n\r\n");
        let reply = raw(gw.addr(), request.as_bytes()).await;
        assert_eq!(raw_status(&reply), 400, "{te}: {reply}");
    }
}

#[tokio::test]
async fn whitespace_before_colon_is_400() {
    let (_up, gw) = gateway().await;
    let reply =
        raw(gw.addr(), b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length : 3\r\n\r\nabc").await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
}

/// With both Content-Length and Transfer-Encoding, the body is read as chunked (RFC 9112 6.3),
/// the upstream gets a message the gateway framed, and the connection is closed afterwards, so
/// bytes hidden behind the declared length can never become a second request.
#[tokio::test]
async fn content_length_with_chunked_cannot_smuggle_a_request() {
    let (up, gw) = gateway().await;
    let request = b"POST /first HTTP/1.1\r\nhost: x\r\ncontent-length: 40\r\n\
        transfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: x\r\n\r\n";
    let reply = raw(gw.addr(), request).await;
    assert_eq!(reply.matches("HTTP/1.1 ").count(), 1, "one response only: {reply}");
    let seen = up.controls.seen.lock().await.clone();
    assert_eq!(seen, vec!["POST /first".to_owned()]);
    let echo: serde_json::Value =
        serde_json::from_str(&reply[reply.find('{').unwrap()..reply.rfind('}').unwrap() + 1])
            .unwrap();
    let headers = &echo["headers"];
    let framed_once =
        headers.get("content-length").is_some() != headers.get("transfer-encoding").is_some();
    assert!(framed_once || echo["body_len"] == 0, "{headers}");
    assert!(headers.get("content-length").is_none_or(|v| v[0] == "0"));
}

#[tokio::test]
async fn chunked_requests_are_reframed_cleanly() {
    let (_up, gw) = gateway().await;
    let request =
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n\
        5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nx-trailer: t\r\n\r\n";
    let reply = raw(gw.addr(), request).await;
    assert_eq!(raw_status(&reply), 200, "{reply}");
    let echo: serde_json::Value = serde_json::from_str(&reply[reply.find('{').unwrap()..]).unwrap();
    assert_eq!(echo["body_len"], 11);
    let headers = &echo["headers"];
    assert!(headers.get("content-length").is_none() || headers.get("transfer-encoding").is_none());
}
