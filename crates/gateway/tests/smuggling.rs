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

/// Two upstreams: `admin` behind a host route, `api` behind the catch-all.
async fn host_routed_gateway() -> (TestUpstream, TestUpstream, TestGateway) {
    let admin = TestUpstream::start("admin").await;
    let api = TestUpstream::start("api").await;
    let config = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams:
  admin: {{targets: ["{}"]}}
  api: {{targets: ["{}"]}}
routes:
  - name: admin
    match: {{host: admin.example.com, path: "/*"}}
    upstream: admin
  - name: all
    match: {{path: "/*"}}
    upstream: api
"#,
        admin.addr, api.addr
    );
    let gw = TestGateway::start(&config).await;
    (admin, api, gw)
}

#[tokio::test]
async fn absolute_form_naming_another_host_than_the_host_header_is_400() {
    // Found by a new user: routing used the target's host while the upstream got the Host
    // header, so a host-based route could be reached through another route's checks.
    let (admin, api, gw) = host_routed_gateway().await;
    for target in ["http://other/x", "https://other/x", "http://admin.example.com:8080/x"] {
        let request = format!(
            "GET {target} HTTP/1.1\r\nhost: admin.example.com\r\nconnection: close\r\n\r\n"
        );
        let reply = raw(gw.addr(), request.as_bytes()).await;
        assert_eq!(raw_status(&reply), 400, "{target}: {reply}");
        assert!(reply.contains("different hosts"), "{reply}");
    }
    assert!(admin.controls.seen.lock().await.is_empty());
    assert!(api.controls.seen.lock().await.is_empty());

    let same = b"GET http://ADMIN.example.com./x HTTP/1.1\r\nhost: admin.example.com\r\n\
        connection: close\r\n\r\n";
    let reply = raw(gw.addr(), same).await;
    assert_eq!(raw_status(&reply), 200, "{reply}");
    assert!(reply.contains(r#""upstream":"admin""#), "{reply}");
}

#[tokio::test]
async fn more_than_one_host_header_is_400() {
    let (admin, api, gw) = host_routed_gateway().await;
    let request = b"GET /x HTTP/1.1\r\nhost: other\r\nhost: admin.example.com\r\n\
        connection: close\r\n\r\n";
    let reply = raw(gw.addr(), request).await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
    assert!(reply.contains("more than one Host header"), "{reply}");
    assert!(admin.controls.seen.lock().await.is_empty());
    assert!(api.controls.seen.lock().await.is_empty());
}

#[tokio::test]
async fn http11_without_host_is_400_and_http10_without_host_is_routed() {
    let (_admin, api, gw) = host_routed_gateway().await;
    let reply = raw(gw.addr(), b"GET /x HTTP/1.1\r\nconnection: close\r\n\r\n").await;
    assert_eq!(raw_status(&reply), 400, "{reply}");
    assert!(reply.contains("needs a Host header"), "{reply}");
    assert!(api.controls.seen.lock().await.is_empty());

    let reply = raw(gw.addr(), b"GET /x HTTP/1.0\r\n\r\n").await;
    assert_eq!(raw_status(&reply), 200, "{reply}");
    assert!(reply.contains(r#""upstream":"api""#), "{reply}");
}

#[tokio::test]
async fn a_malformed_chunked_body_on_a_get_cannot_smuggle_a_request() {
    let (_admin, api, gw) = host_routed_gateway().await;
    let request = b"GET /first HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n\
        zz\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    let reply = raw(gw.addr(), request).await;
    let seen = api.controls.seen.lock().await.clone();
    assert!(!seen.iter().any(|r| r.contains("/smuggled")), "{seen:?} {reply}");
}

#[tokio::test]
async fn connect_is_405_and_the_connection_closes() {
    let (_admin, api, gw) = host_routed_gateway().await;
    // No `connection: close` from the client: the gateway must close by itself, or `raw`
    // waits for its 5 s read timeout and the reply still arrives (the assertion on the
    // header below is what fails then).
    let reply =
        raw(gw.addr(), b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nhost: 127.0.0.1:22\r\n\r\n").await;
    assert_eq!(raw_status(&reply), 405, "{reply}");
    assert!(reply.contains("CONNECT is not supported"), "{reply}");
    assert!(reply.to_ascii_lowercase().contains("connection: close"), "{reply}");
    assert!(api.controls.seen.lock().await.is_empty());
}
