//! WAF response inspection (phases 3 and 4) with the OWASP Core Rule Set, through real sockets:
//! an upstream that answers with data leaks, a gateway in front, and HTTP/1.1 clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rampart_events::{EventType, SecurityEvent};
use support::client::send;
use support::TestGateway;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

const SQL_ERROR: &str = "<html><body><p>Query failed: You have an error in your SQL syntax; \
    check the manual that corresponds to your MySQL server version for the right syntax to use \
    near ''' at line 1</p></body></html>";

const DIRECTORY_LISTING: &str = "<html><head><title>Index of /backup</title></head><body>\
    <h1>Index of /backup</h1><ul><li><a href=\"db.sql\">db.sql</a></li></ul></body></html>";

const PHP_SOURCE: &str = "<?php\n// settings shared by every page of the shop: do not edit\n\
    $password = 'hunter2';\necho $password;\n?>\n";

const BENIGN: &str = "<html><head><title>Blue shoes</title></head><body><h1>Blue shoes</h1>\
    <p>In stock: 3 pairs.</p></body></html>";

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// What the scripted upstream answers on one path.
#[derive(Clone)]
struct Script {
    status: u16,
    content_type: Option<&'static str>,
    chunks: Vec<Bytes>,
    /// When set, the chunks after the first are sent only once this is notified.
    gate: Option<Arc<Notify>>,
}

impl Script {
    fn body(content_type: &'static str, body: impl Into<Bytes>) -> Self {
        Self {
            status: 200,
            content_type: Some(content_type),
            chunks: vec![body.into()],
            gate: None,
        }
    }

    fn chunked(content_type: &'static str, chunks: &[&'static str]) -> Self {
        let chunks = chunks.iter().map(|c| Bytes::from_static(c.as_bytes())).collect();
        Self { status: 200, content_type: Some(content_type), chunks, gate: None }
    }
}

/// An upstream that answers each path with its script and counts connections.
struct ScriptedUpstream {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl ScriptedUpstream {
    async fn start(scripts: Vec<(&'static str, Script)>) -> Self {
        let scripts: Arc<HashMap<&'static str, Script>> = Arc::new(scripts.into_iter().collect());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                counter.fetch_add(1, Ordering::SeqCst);
                let scripts = scripts.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let script = scripts.get(req.uri().path()).cloned();
                        async move { Ok::<_, Infallible>(answer(script)) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, connections }
    }
}

fn answer(script: Option<Script>) -> Response<Body> {
    let Some(script) = script else {
        let mut response = Response::new(Full::new(Bytes::from_static(b"no script")).boxed());
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    };
    let body = match (&script.gate, script.chunks.len()) {
        (None, 1) => Full::new(script.chunks[0].clone()).boxed(),
        _ => streamed(script.chunks.clone(), script.gate.clone()),
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(script.status).unwrap();
    if let Some(content_type) = script.content_type {
        response.headers_mut().insert("content-type", content_type.parse().unwrap());
    }
    response
}

/// A body without a length (sent chunked), released chunk by chunk.
fn streamed(chunks: Vec<Bytes>, gate: Option<Arc<Notify>>) -> Body {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, Infallible>>(1);
    tokio::spawn(async move {
        for (index, chunk) in chunks.into_iter().enumerate() {
            if let (1, Some(gate)) = (index, &gate) {
                gate.notified().await;
            }
            if tx.send(Ok(Frame::data(chunk))).await.is_err() {
                return;
            }
        }
    });
    StreamBody::new(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))).boxed()
}

fn crs_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/crs")
        .canonicalize()
        .unwrap()
}

fn config(upstream: SocketAddr, mode: &str, response: &str) -> String {
    let crs = crs_dir();
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams: {{api: {{targets: ["{upstream}"]}}}}
routes:
  - name: app
    match: {{path: "/*"}}
    upstream: api
    waf:
      mode: {mode}
      rules: ["{crs}/crs-setup.conf.example", "{crs}/rules/*.conf"]
      response: {response}
"#,
        crs = crs.display()
    )
}

fn request(method: Method, path: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", "shop.example.com")
        .header("user-agent", "rampart-tests")
        .header("accept", "*/*")
        .body(Full::new(Bytes::new()))
        .unwrap()
}

async fn get(gw: &TestGateway, path: &str) -> support::client::Reply {
    send(gw.addr(), request(Method::GET, path)).await
}

fn rule_ids(event: &SecurityEvent) -> Vec<u64> {
    let ids = event.details()["rule_ids"].as_array().unwrap();
    ids.iter().map(|v| v.as_u64().unwrap()).collect()
}

async fn only_waf_event(gw: &TestGateway, request_id: &str) -> SecurityEvent {
    let mut events = gw.events_for(request_id).await;
    assert_eq!(events.len(), 1, "{:?}", events.iter().map(|e| e.details()).collect::<Vec<_>>());
    let event = events.remove(0);
    assert_eq!(event.event_type(), EventType::Waf);
    event
}

fn leaks() -> Vec<(&'static str, Script)> {
    vec![
        ("/sql", Script::body("text/html; charset=utf-8", SQL_ERROR)),
        ("/listing", Script::body("text/html", DIRECTORY_LISTING)),
        ("/php", Script::body("text/plain", PHP_SOURCE)),
        ("/benign", Script::body("text/html", BENIGN)),
    ]
}

#[tokio::test]
async fn block_mode_replaces_leaking_responses_with_a_denial() {
    let up = ScriptedUpstream::start(leaks()).await;
    let gw = TestGateway::start(&config(up.addr, "block", "{inspect: true}")).await;

    for (path, rule_id) in [("/sql", 951230), ("/listing", 950130), ("/php", 953120)] {
        let reply = get(&gw, path).await;
        assert_eq!(reply.status, 403, "{path}: {}", String::from_utf8_lossy(&reply.body));
        let body = reply.json();
        assert_eq!(body["error"], "request_denied");
        assert_eq!(body["request_id"], reply.request_id().as_str());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let text = String::from_utf8_lossy(&reply.body);
        assert!(!text.contains("SQL") && !text.contains("Index of") && !text.contains("php"));

        let event = only_waf_event(&gw, &reply.request_id()).await;
        let ids = rule_ids(&event);
        assert!(ids.contains(&rule_id), "{path}: {ids:?}");
        assert_eq!(ids.last(), Some(&959100), "the outbound evaluation decides: {ids:?}");
        let details = event.details();
        assert_eq!(details["deciding_rule_id"], 959100);
        assert!(details["outbound_anomaly_score"].as_i64().unwrap() >= 4, "{details:?}");
        assert_eq!(details["matches"][0]["phase"], 4);
        assert_eq!(details["matches"][0]["variable"], "RESPONSE_BODY");
        assert_eq!(event.status(), Some(403));
    }

    let event = only_waf_event(&gw, &get(&gw, "/php").await.request_id()).await;
    let text = serde_json::to_string(event.details()).unwrap();
    assert!(!text.contains("hunter2"), "matched values are cut, never whole bodies: {text}");
}

#[tokio::test]
async fn detect_mode_passes_the_original_body_and_records_one_event() {
    let up = ScriptedUpstream::start(leaks()).await;
    let gw = TestGateway::start(&config(up.addr, "detect", "{inspect: true}")).await;

    let reply = get(&gw, "/sql").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, SQL_ERROR);
    let event = only_waf_event(&gw, &reply.request_id()).await;
    assert!(rule_ids(&event).contains(&951230), "{:?}", rule_ids(&event));
    assert_eq!(event.details()["mode"], "detect");
    assert_eq!(event.status(), Some(200));

    // Inbound and outbound matches of one request share one event, in rule order.
    let attack = "/sql?q=%3Cscript%3Ealert(1)%3C/script%3E";
    let reply = get(&gw, attack).await;
    assert_eq!(reply.status, 200);
    let event = only_waf_event(&gw, &reply.request_id()).await;
    let ids = rule_ids(&event);
    let xss = ids.iter().position(|&id| id == 941100).unwrap();
    let sql = ids.iter().position(|&id| id == 951230).unwrap();
    assert!(xss < sql, "{ids:?}");
    assert!(event.details()["anomaly_score"].as_i64().unwrap() >= 5);
    assert!(event.details()["outbound_anomaly_score"].as_i64().unwrap() >= 4);
}

#[tokio::test]
async fn benign_responses_pass_byte_identical_without_events() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let scripts = vec![
        ("/benign", Script::body("text/html", BENIGN)),
        ("/json", Script::body("application/json", r#"{"items":[1,2,3],"next":null}"#)),
        ("/binary", Script::body("application/octet-stream", binary.clone())),
    ];
    let up = ScriptedUpstream::start(scripts).await;
    let gw = TestGateway::start(&config(up.addr, "block", "{inspect: true}")).await;

    for (path, expected) in [
        ("/benign", Bytes::from_static(BENIGN.as_bytes())),
        ("/json", Bytes::from_static(br#"{"items":[1,2,3],"next":null}"#)),
        ("/binary", Bytes::from(binary)),
    ] {
        let reply = get(&gw, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.body, expected, "{path}");
        assert_eq!(reply.header("content-length"), Some(expected.len().to_string().as_str()));
        assert!(gw.events_for(&reply.request_id()).await.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn only_the_first_max_body_bytes_are_inspected() {
    let filler = "<p>".to_owned() + &"lorem ipsum ".repeat(200) + "</p>";
    let late = format!("<html><body>{filler}{SQL_ERROR}</body></html>");
    let early = format!("<html><body>{SQL_ERROR}{}</body></html>", filler.repeat(50));
    let scripts = vec![
        ("/late", Script::body("text/html", late.clone())),
        ("/early", Script::body("text/html", early.clone())),
        ("/benign", Script::body("text/html", BENIGN)),
    ];
    let up = ScriptedUpstream::start(scripts).await;
    let yaml = config(up.addr, "block", "{inspect: true, max_body_bytes: 1024}");
    let gw = TestGateway::start(&yaml).await;

    let reply = get(&gw, "/late").await;
    assert_eq!(reply.status, 200, "a leak past the limit is not seen (ProcessPartial)");
    assert_eq!(reply.body, late);

    let reply = get(&gw, "/early").await;
    assert_eq!(reply.status, 403, "{}", early.len());
    let event = only_waf_event(&gw, &reply.request_id()).await;
    assert!(rule_ids(&event).contains(&951230));

    // The upstream connection of the denied response (body unread) is not reused for the next
    // exchange, which gets its own answer intact.
    let before = up.connections.load(Ordering::SeqCst);
    let reply = get(&gw, "/benign").await;
    assert_eq!((reply.status, reply.body.as_ref()), (StatusCode::OK, BENIGN.as_bytes()));
    assert!(up.connections.load(Ordering::SeqCst) > before);
    let reply = get(&gw, "/benign").await;
    assert_eq!((reply.status, reply.body.as_ref()), (StatusCode::OK, BENIGN.as_bytes()));
}

#[tokio::test]
async fn unlisted_media_types_are_neither_inspected_nor_buffered() {
    let gate = Arc::new(Notify::new());
    let mut streamed_sql = Script::chunked("application/octet-stream", &["first;", SQL_ERROR]);
    streamed_sql.gate = Some(gate.clone());
    let scripts = vec![
        ("/sql.bin", Script::body("application/octet-stream", SQL_ERROR)),
        ("/stream", streamed_sql),
        ("/sql.csv", Script::body("text/csv", SQL_ERROR)),
    ];
    let up = ScriptedUpstream::start(scripts).await;
    let gw = TestGateway::start(&config(up.addr, "block", "{inspect: true}")).await;

    for path in ["/sql.bin", "/sql.csv"] {
        let reply = get(&gw, path).await;
        assert_eq!((reply.status, reply.body.as_ref()), (StatusCode::OK, SQL_ERROR.as_bytes()));
        assert!(gw.events_for(&reply.request_id()).await.is_empty());
    }

    // The first chunk reaches the client while the upstream holds back the second.
    let stream = TcpStream::connect(gw.addr()).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let response = sender.send_request(request(Method::GET, "/stream")).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let first = tokio::time::timeout(Duration::from_secs(20), body.frame()).await;
    let first = first.expect("the first chunk was held back").unwrap().unwrap();
    assert_eq!(first.into_data().unwrap(), "first;");
    gate.notify_one();
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(rest, SQL_ERROR);

    // With a type listed, the same body is inspected.
    let yaml = config(up.addr, "block", "{inspect: true, mime_types: [text/csv]}");
    let gw = TestGateway::start(&yaml).await;
    assert_eq!(get(&gw, "/sql.csv").await.status, 403);
    assert_eq!(get(&gw, "/sql.bin").await.status, 200);
}

#[tokio::test]
async fn chunked_responses_are_inspected_across_chunks() {
    let split_leak = [
        "<html><body><p>Query failed: You have an error in your ",
        "SQL syntax; ",
        "check the manual that corresponds to your MySQL server version</p></body></html>",
    ];
    let benign = ["<html><body>", "<p>one</p>", "<p>two</p>", "</body></html>"];
    let scripts = vec![
        ("/leak", Script::chunked("text/html", &split_leak)),
        ("/benign", Script::chunked("text/html", &benign)),
    ];
    let up = ScriptedUpstream::start(scripts).await;
    let gw = TestGateway::start(&config(up.addr, "block", "{inspect: true}")).await;

    let reply = get(&gw, "/leak").await;
    assert_eq!(reply.status, 403);
    assert!(rule_ids(&only_waf_event(&gw, &reply.request_id()).await).contains(&951230));

    let reply = get(&gw, "/benign").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, benign.concat());
    assert!(gw.events_for(&reply.request_id()).await.is_empty());
}

#[tokio::test]
async fn head_and_not_modified_have_no_body_and_pass() {
    let not_modified = Script {
        status: 304,
        content_type: Some("text/html"),
        chunks: vec![Bytes::new()],
        gate: None,
    };
    let scripts = vec![("/page", Script::body("text/html", BENIGN)), ("/cached", not_modified)];
    let up = ScriptedUpstream::start(scripts).await;
    let gw = TestGateway::start(&config(up.addr, "block", "{inspect: true}")).await;

    let reply = send(gw.addr(), request(Method::HEAD, "/page")).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("content-length"), Some(BENIGN.len().to_string().as_str()));

    let reply = get(&gw, "/cached").await;
    assert_eq!(reply.status, 304);
    assert!(reply.body.is_empty());
    assert!(gw.events_for(&reply.request_id()).await.is_empty());
}

#[tokio::test]
async fn a_server_error_status_is_seen_in_phase_three() {
    let mut failing = Script::body("text/plain", "temporarily broken");
    failing.status = 503;
    let up = ScriptedUpstream::start(vec![("/fail", failing)]).await;
    let yaml = config(up.addr, "detect", "{inspect: true}")
        .replace("      response:", "      paranoia_level: 2\n      response:");
    let gw = TestGateway::start(&yaml).await;

    let reply = get(&gw, "/fail").await;
    assert_eq!((reply.status.as_u16(), reply.body.as_ref()), (503, b"temporarily broken".as_ref()));
    let event = only_waf_event(&gw, &reply.request_id()).await;
    assert_eq!(rule_ids(&event)[0], 950100, "{:?}", rule_ids(&event));
    assert_eq!(event.details()["matches"][0]["phase"], 3);
    assert_eq!(event.details()["matches"][0]["variable"], "RESPONSE_STATUS");
    assert_eq!(event.details()["matches"][0]["value"], "503");
}

#[tokio::test]
async fn inspection_is_off_unless_asked_for() {
    let up = ScriptedUpstream::start(leaks()).await;
    let gw = TestGateway::start(&config(up.addr, "block", "{inspect: false}")).await;
    let reply = get(&gw, "/sql").await;
    assert_eq!((reply.status, reply.body.as_ref()), (StatusCode::OK, SQL_ERROR.as_bytes()));
    assert!(gw.events_for(&reply.request_id()).await.is_empty());
}

#[tokio::test]
async fn the_outbound_threshold_is_the_routes() {
    let up = ScriptedUpstream::start(leaks()).await;
    let yaml = config(up.addr, "block", "{inspect: true, anomaly_threshold: 10}");
    let gw = TestGateway::start(&yaml).await;
    let reply = get(&gw, "/listing").await;
    assert_eq!(reply.status, 200, "one error-level leak scores 4, under 10");
    assert_eq!(reply.body, DIRECTORY_LISTING);
    let event = only_waf_event(&gw, &reply.request_id()).await;
    // The logging phase's correlation rule (980170) reports the scores after phase 4.
    assert_eq!(rule_ids(&event), [950130, 980170]);
    assert_eq!(event.details()["outbound_anomaly_score"], 4);

    let reply = get(&gw, "/sql").await;
    assert_eq!(reply.status, 200, "one critical leak scores 5, under 10");
}

fn config_error(response: &str) -> String {
    let yaml = config("127.0.0.1:9".parse().unwrap(), "block", response);
    let file = std::path::Path::new("gateway.yaml");
    let metrics = Arc::new(rampart_gateway::metrics::Metrics::new());
    let error = match rampart_gateway::config::parse(&yaml, file) {
        Ok(parsed) => rampart_gateway::config::compile(parsed, file, &metrics).err(),
        Err(error) => Some(error),
    };
    error.expect("the config is refused").to_string()
}

#[test]
fn response_settings_are_checked_with_their_path() {
    let cases = [
        (
            "{inspect: true, max_body: 10}",
            "at `routes[0].waf.response.max_body`: unknown field `max_body`, expected one of",
        ),
        ("{inspect: yes-please}", "at `routes[0].waf.response.inspect`"),
        (
            "{inspect: true, max_body_bytes: 0}",
            "at `routes[0].waf.response.max_body_bytes`: max_body_bytes must be between 1 and",
        ),
        (
            "{inspect: true, mime_types: [text/html, \"text/html\\\" x\"]}",
            "at `routes[0].waf.response.mime_types[1]`: `text/html\" x` is not a media type",
        ),
        ("{inspect: true, mime_types: []}", "at `routes[0].waf.response.mime_types`: list at"),
        (
            "{inspect: true, anomaly_threshold: 0}",
            "at `routes[0].waf.response.anomaly_threshold`: anomaly_threshold must be at least 1",
        ),
    ];
    for (response, expected) in cases {
        let error = config_error(response);
        assert!(error.contains(expected), "{response}: {error}");
    }
}
