//! Proxy semantics over real sockets: headers, request ids, streaming, upgrades, failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use rampart_events::EventType;
use support::client::{get, post, raw, raw_status, send, send_h2};
use support::upstream::{dead_address, fnv, TestUpstream};
use support::{simple_config, TestGateway};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn proxies_and_sets_forwarding_headers() {
    let upstream = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(upstream.addr, "")).await;

    let request = get(
        gw.addr(),
        "/hello?x=1",
        &[
            ("host", "api.example.com"),
            ("x-forwarded-for", "6.6.6.6"),
            ("connection", "x-hop-secret"),
            ("x-hop-secret", "1"),
            ("keep-alive", "timeout=5"),
        ],
    );
    let reply = send(gw.addr(), request).await;
    assert_eq!(reply.status, 200);
    let echo = reply.json();
    assert_eq!(echo["uri"], "/hello?x=1");
    let headers = &echo["headers"];
    assert_eq!(headers["x-forwarded-for"][0], "127.0.0.1", "untrusted peer's XFF replaced");
    assert_eq!(headers["x-forwarded-proto"][0], "http");
    assert_eq!(headers["x-forwarded-host"][0], "api.example.com");
    assert_eq!(headers["host"][0], "api.example.com");
    assert!(headers.get("x-hop-secret").is_none(), "header named in Connection removed");
    assert!(headers.get("keep-alive").is_none());
    assert_eq!(headers["x-request-id"][0], reply.request_id().as_str());

    assert!(reply.header("x-upstream-hop").is_none(), "response hop-by-hop removed");
}

#[tokio::test]
async fn request_ids_are_kept_or_replaced() {
    let upstream = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(upstream.addr, "")).await;

    let kept = send(gw.addr(), get(gw.addr(), "/", &[("x-request-id", "trace-1.2:3_x")])).await;
    assert_eq!(kept.request_id(), "trace-1.2:3_x");
    assert_eq!(kept.json()["headers"]["x-request-id"][0], "trace-1.2:3_x");

    for bad in ["has space", "semi;colon", &"a".repeat(129)] {
        let reply = send(gw.addr(), get(gw.addr(), "/", &[("x-request-id", bad)])).await;
        let id = reply.request_id();
        assert_ne!(id, bad);
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
        assert_eq!(reply.json()["headers"]["x-request-id"][0], id.as_str());
    }
}

#[tokio::test]
async fn unmatched_requests_get_404_json_with_event() {
    let upstream = TestUpstream::start("a").await;
    let config = simple_config(upstream.addr, "").replace("path: \"/*\"", "path: \"/api/*\"");
    let gw = TestGateway::start(&config).await;

    let reply = send(gw.addr(), get(gw.addr(), "/other", &[])).await;
    assert_eq!(reply.status, 404);
    let body = reply.json();
    assert_eq!(body["error"], "no_route");
    assert_eq!(body["request_id"], reply.request_id().as_str());

    let events = gw.events_for(&reply.request_id()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type(), EventType::RequestDenied);
    assert_eq!(events[0].status(), Some(404));
}

#[tokio::test]
async fn routes_match_host_method_and_templates_in_order() {
    let a = TestUpstream::start("a").await;
    let b = TestUpstream::start("b").await;
    let config = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams:
  a: {{targets: ["{a}"]}}
  b: {{targets: ["{b}"]}}
routes:
  - {{name: item, match: {{path: "/items/{{id}}", methods: [GET], host: "*.example.com"}}, upstream: b}}
  - {{name: rest, match: {{path: "/*"}}, upstream: a}}
"#,
        a = a.addr,
        b = b.addr
    );
    let gw = TestGateway::start(&config).await;

    let hit = send(gw.addr(), get(gw.addr(), "/items/7", &[("host", "API.Example.com.")])).await;
    assert_eq!(hit.json()["upstream"], "b");
    let other_host = send(gw.addr(), get(gw.addr(), "/items/7", &[("host", "example.org")])).await;
    assert_eq!(other_host.json()["upstream"], "a");
    let post_reply = send(gw.addr(), post(gw.addr(), "/items/7", "{}")).await;
    assert_eq!(post_reply.json()["upstream"], "a");
    let nested = send(gw.addr(), get(gw.addr(), "/items/7/x", &[("host", "a.example.com")])).await;
    assert_eq!(nested.json()["upstream"], "a");
}

#[tokio::test]
async fn paths_are_normalized_before_matching_and_forwarding() {
    let a = TestUpstream::start("a").await;
    let config = simple_config(a.addr, "").replace("path: \"/*\"", "path: \"/public/*\"");
    let gw = TestGateway::start(&config).await;

    let reply = send(gw.addr(), get(gw.addr(), "//public/../public/./x", &[])).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["uri"], "/public/x");

    let escaped = send(gw.addr(), get(gw.addr(), "/public/..%2f..%2fadmin", &[])).await;
    assert_eq!(escaped.status, 400);
    assert_eq!(escaped.json()["error"], "invalid_path");
}

#[tokio::test]
async fn host_is_kept_or_rewritten_per_route() {
    let a = TestUpstream::start("a").await;
    let config = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams: {{a: {{targets: ["{a}"]}}}}
routes:
  - {{name: fixed, match: {{path: "/fixed"}}, upstream: a, host: {{rewrite: "internal.svc"}}}}
  - {{name: target, match: {{path: "/target"}}, upstream: a, host: target}}
  - {{name: keep, match: {{path: "/keep"}}, upstream: a}}
"#,
        a = a.addr
    );
    let gw = TestGateway::start(&config).await;
    let host_of = |reply: support::client::Reply| reply.json()["headers"]["host"][0].clone();

    let fixed = send(gw.addr(), get(gw.addr(), "/fixed", &[("host", "outside.example")])).await;
    assert_eq!(host_of(fixed), "internal.svc");
    let target = send(gw.addr(), get(gw.addr(), "/target", &[("host", "outside.example")])).await;
    assert_eq!(host_of(target), a.addr.to_string().as_str());
    let keep = send(gw.addr(), get(gw.addr(), "/keep", &[("host", "outside.example")])).await;
    assert_eq!(host_of(keep), "outside.example");
}

#[tokio::test]
async fn trusted_proxies_extend_the_chain() {
    let a = TestUpstream::start("a").await;
    let config = simple_config(a.addr, "").replace("10.0.0.0/8", "127.0.0.0/8");
    let gw = TestGateway::start(&config).await;

    let request =
        get(gw.addr(), "/", &[("x-forwarded-for", "203.0.113.9"), ("x-forwarded-proto", "https")]);
    let reply = send(gw.addr(), request).await;
    let headers = &reply.json()["headers"];
    assert_eq!(headers["x-forwarded-for"][0], "203.0.113.9, 127.0.0.1");
    assert_eq!(headers["x-forwarded-proto"][0], "https");
}

#[tokio::test]
async fn round_robin_and_passive_health() {
    let a = TestUpstream::start("a").await;
    let b = TestUpstream::start("b").await;
    let dead = dead_address().await;
    let config = simple_config(a.addr, "").replace(
        &format!("targets: [\"{}\"]", a.addr),
        &format!("targets: [\"{}\", \"{dead}\", \"{}\"]", a.addr, b.addr),
    );
    let gw = TestGateway::start(&config).await;

    let mut seen = Vec::new();
    for _ in 0..6 {
        let reply = send(gw.addr(), get(gw.addr(), "/", &[])).await;
        assert_eq!(reply.status, 200, "a refused target is skipped, never surfaced");
        seen.push(reply.json()["upstream"].as_str().unwrap().to_owned());
    }
    assert!(seen.contains(&"a".to_owned()) && seen.contains(&"b".to_owned()), "{seen:?}");
}

#[tokio::test]
async fn upstream_down_gives_502_then_503_with_events() {
    let dead = dead_address().await;
    let gw = TestGateway::start(&simple_config(dead, "")).await;

    let first = send(gw.addr(), get(gw.addr(), "/", &[])).await;
    assert_eq!(first.status, 502);
    assert_eq!(first.json()["error"], "upstream_connect_failed");
    let second = send(gw.addr(), get(gw.addr(), "/", &[])).await;
    assert_eq!(second.status, 503, "the refused target rests");
    assert_eq!(second.json()["error"], "upstream_unavailable");

    let events = gw.events_for(&first.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::UpstreamFailure);
    assert_eq!(events[0].details()["reason"], "connect");

    let metrics = rampart_gateway::metrics::Metrics::render(&gw.running.gateway.metrics, 0);
    assert!(metrics.contains("rampart_upstream_errors_total{upstream=\"api\",kind=\"connect\"} 1"));
}

#[tokio::test]
async fn slow_upstream_gives_504() {
    let a = TestUpstream::start("a").await;
    let config = simple_config(a.addr, "    timeout: 300ms");
    let gw = TestGateway::start(&config).await;

    let reply = send(gw.addr(), get(gw.addr(), "/slow", &[])).await;
    assert_eq!(reply.status, 504);
    assert_eq!(reply.json()["error"], "upstream_timeout");
}

#[tokio::test]
async fn response_bodies_stream() {
    let a = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(a.addr, "")).await;

    let mut stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    stream.write_all(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("first;") {
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before the first chunk");
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(!String::from_utf8_lossy(&seen).contains("second"));
    a.controls.release_stream.notify_one();
    while !String::from_utf8_lossy(&seen).contains("second") {
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }
}

#[tokio::test]
async fn large_request_bodies_pass_intact() {
    let a = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(a.addr, "    max_body_bytes: 8000000")).await;

    let body: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
    let reply = send(gw.addr(), post(gw.addr(), "/upload", body.clone())).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["body_len"], 5_000_000);
    assert_eq!(reply.json()["body_sha"], format!("{:x}", fnv(&body)));
}

#[tokio::test]
async fn body_limits_give_413_declared_or_streamed() {
    let a = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(a.addr, "    max_body_bytes: 1000")).await;

    let declared = send(gw.addr(), post(gw.addr(), "/", vec![b'x'; 1001])).await;
    assert_eq!(declared.status, 413);
    assert_eq!(declared.json()["error"], "body_too_large");

    let mut chunked =
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(b"258\r\n");
        chunked.extend_from_slice(&[b'y'; 600]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = raw(gw.addr(), &chunked).await;
    assert_eq!(raw_status(&streamed), 413, "{streamed}");

    let within = send(gw.addr(), post(gw.addr(), "/", vec![b'x'; 1000])).await;
    assert_eq!(within.status, 200);
}

#[tokio::test]
async fn websocket_upgrades_pass_through() {
    let a = TestUpstream::start("a").await;
    let gw = TestGateway::start(&simple_config(a.addr, "")).await;

    let mut stream = tokio::net::TcpStream::connect(gw.addr()).await.unwrap();
    let handshake = "GET /ws HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\
                     sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    stream.write_all(handshake.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1);
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(head.to_ascii_lowercase().contains("upgrade: websocket"));

    stream.write_all(b"ping-bytes").await.unwrap();
    let mut echoed = [0u8; 10];
    stream.read_exact(&mut echoed).await.unwrap();
    assert_eq!(&echoed, b"ping-bytes");
}

#[tokio::test]
async fn http2_clients_and_http2_upstreams() {
    let a = TestUpstream::start("a").await;
    let config = simple_config(a.addr, "").replace(
        &format!("targets: [\"{}\"]}}", a.addr),
        &format!("targets: [\"{}\"], protocol: http2}}", a.addr),
    );
    let gw = TestGateway::start(&config).await;

    let request = Request::get(format!("http://{}/h2", gw.addr()))
        .version(http::Version::HTTP_2)
        .body(Full::new(Bytes::new()))
        .unwrap();
    let reply = send_h2(gw.addr(), request).await;
    assert_eq!(reply.status, 200);
    let echo = reply.json();
    assert_eq!(echo["version"], "HTTP/2.0", "spoken to the upstream");
    assert_eq!(echo["uri"].as_str().unwrap().rsplit('/').next(), Some("h2"));
}
