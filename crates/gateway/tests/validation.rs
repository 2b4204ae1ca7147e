//! The validate stage on real requests: the seed JSON Schema, template parameters, OpenAPI in
//! strict mode, and the shipped example config.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use rampart_events::EventType;
use support::client::{get, post, send, Reply};
use support::upstream::TestUpstream;
use support::TestGateway;

fn examples() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/validation")
        .canonicalize()
        .unwrap()
}

fn config(upstream: std::net::SocketAddr) -> String {
    let examples = examples();
    let examples = examples.display();
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams: {{api: {{targets: ["{upstream}"]}}}}
routes:
  - name: readings
    match: {{path: "/readings", methods: [POST]}}
    upstream: api
    validate:
      max_body_bytes: 2048
      body: {{schema_file: "{examples}/experiment.schema.yaml"}}
  - name: items
    match: {{path: "/items/{{id}}"}}
    upstream: api
    validate:
      path: {{id: {{schema: {{type: integer, minimum: 1}}}}}}
      query: {{limit: {{schema: {{type: integer, maximum: 100}}}}}}
  - name: lab
    match: {{path: "/lab/*"}}
    upstream: api
    openapi: {{file: "{examples}/openapi-3.1.yaml", strict: true, base_path: /lab}}
  - name: tight
    match: {{path: "/tight/*"}}
    upstream: api
    openapi:
      file: "{examples}/openapi-3.1.yaml"
      base_path: /tight
      max_body_bytes: 300
      max_depth: 2
  - name: plain
    match: {{path: "/*"}}
    upstream: api
"#
    )
}

const VALID: &str = r#"{"experiment_id": "exp-1", "temperature": 21.5, "pressure": 101.3,
    "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "ada_lovelace"}"#;

fn pairs(reply: &Reply) -> Vec<(String, String, String)> {
    let body = reply.json();
    let mut got: Vec<(String, String, String)> = body["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {body}"))
        .iter()
        .map(|d| {
            let text = |k: &str| d[k].as_str().unwrap().to_owned();
            (text("location"), text("pointer"), text("message"))
        })
        .collect();
    got.sort();
    got
}

fn with_type(addr: std::net::SocketAddr, path: &str, body: &str, ty: &str) -> Request<Full<Bytes>> {
    Request::post(path)
        .header("host", addr.to_string())
        .header("content-type", ty)
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

#[tokio::test]
async fn seed_schema_passes_valid_bodies_and_lists_each_failing_field() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr)).await;

    let ok = send(gw.addr(), post(gw.addr(), "/readings", VALID)).await;
    assert_eq!(ok.status, 200, "{:?}", String::from_utf8_lossy(&ok.body));
    let events = gw.events_for(&ok.request_id()).await;
    assert!(events.iter().all(|e| e.event_type() != EventType::ValidationFailed));

    let body = r#"{"experiment_id": "", "temperature": -300, "pressure": -1,
        "timestamp": "yesterday", "researcher_id": "ada lovelace!"}"#;
    let bad = send(gw.addr(), post(gw.addr(), "/readings", body)).await;
    assert_eq!(bad.status, 400);
    let json = bad.json();
    assert_eq!(json["error"], "invalid_request");
    assert_eq!(json["request_id"], bad.request_id().as_str());
    let want = [
        ("/experiment_id", "must be at least 1 character long"),
        ("/pressure", "must be >= 0"),
        ("/researcher_id", "\"ada lovelace!\" does not match the pattern ^[a-zA-Z0-9_]+$"),
        ("/temperature", "must be >= -273.15"),
        ("/timestamp", "\"yesterday\" is not a valid date-time"),
    ];
    let want: Vec<(String, String, String)> =
        want.iter().map(|(p, m)| ("body".into(), p.to_string(), m.to_string())).collect();
    assert_eq!(pairs(&bad), want);

    let events = gw.events_for(&bad.request_id()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type(), EventType::ValidationFailed);
    let errors = events[0].details()["validation_errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 5);
    assert_eq!(errors, json["details"].as_array().unwrap().clone());
}

#[tokio::test]
async fn malformed_bodies_are_denied_before_the_upstream() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr)).await;
    let addr = gw.addr();

    let wrong_type = send(addr, with_type(addr, "/readings", VALID, "text/plain")).await;
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.json()["error"], "unsupported_media_type");

    let big = format!(r#"{{"experiment_id": "{}"}}"#, "x".repeat(4096));
    let too_large = send(addr, post(addr, "/readings", big)).await;
    assert_eq!(too_large.status, 413);
    // The gateway's own 413 says `body_too_large`; the validate stage's must say the same.
    assert_eq!(too_large.json()["error"], "body_too_large");

    let malformed = send(addr, post(addr, "/readings", r#"{"experiment_id": "#)).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(pairs(&malformed).len(), 1);

    let duplicate = format!(r#"{{"researcher_id": "a", {}"#, &VALID[1..]);
    let duplicate = send(addr, post(addr, "/readings", duplicate)).await;
    assert_eq!(duplicate.status, 400);
    let (location, pointer, message) = pairs(&duplicate).remove(0);
    assert_eq!((location.as_str(), pointer.as_str()), ("body", "/researcher_id"));
    assert!(message.contains("duplicate"), "{message}");

    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let deep = send(addr, post(addr, "/readings", deep)).await;
    assert_eq!(deep.status, 400);
    let (_, _, message) = pairs(&deep).remove(0);
    assert!(message.contains("deeper than 64"), "{message}");

    let seen = up.controls.seen.lock().await;
    assert!(seen.iter().all(|line| !line.contains("/readings")), "{seen:?}");
}

#[tokio::test]
async fn template_path_and_query_parameters_are_validated() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr)).await;
    let addr = gw.addr();

    let ok = send(addr, get(addr, "/items/7?limit=10", &[])).await;
    assert_eq!(ok.status, 200);

    let bad = send(addr, get(addr, "/items/abc?limit=1000", &[])).await;
    assert_eq!(bad.status, 400);
    let got = pairs(&bad);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("path", "/id"));
    assert_eq!((got[1].0.as_str(), got[1].1.as_str()), ("query", "/limit"));
    assert_eq!(got[1].2, "must be <= 100");
}

#[tokio::test]
async fn openapi_strict_mode_denies_what_the_document_does_not_describe() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr)).await;
    let addr = gw.addr();

    let ok = send(addr, get(addr, "/lab/experiments?limit=5&status=done", &[])).await;
    assert_eq!(ok.status, 200, "{:?}", String::from_utf8_lossy(&ok.body));

    let unknown = send(addr, get(addr, "/lab/nowhere", &[])).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"], "unknown_operation");
    let events = gw.events_for(&unknown.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::ValidationFailed);
    assert_eq!(events[0].details()["reason"], "openapi_unknown_path");

    let put = Request::put("/lab/experiments")
        .header("host", addr.to_string())
        .body(Full::new(Bytes::new()))
        .unwrap();
    let put = send(addr, put).await;
    assert_eq!(put.status, 405);
    assert_eq!(put.header("allow"), Some("GET, POST"));

    let undeclared = send(addr, get(addr, "/lab/experiments?debug=1", &[])).await;
    assert_eq!(undeclared.status, 400);
    let got = pairs(&undeclared);
    let want = ("query".to_owned(), "/debug".to_owned(), "parameter is not allowed".to_owned());
    assert_eq!(got, [want]);
}

#[tokio::test]
async fn openapi_routes_take_their_body_limits_from_the_config() {
    let up = TestUpstream::start("api").await;
    let gw = TestGateway::start(&config(up.addr)).await;
    let addr = gw.addr();
    let json = "application/json";

    let ok = send(addr, with_type(addr, "/tight/experiments", VALID, json)).await;
    assert_eq!(ok.status, 200, "{:?}", String::from_utf8_lossy(&ok.body));

    let nested = VALID.replace(r#""ada_lovelace""#, r#""ada", "extra": {"a": {"b": 1}}"#);
    let deep = send(addr, with_type(addr, "/tight/experiments", &nested, json)).await;
    assert_eq!(deep.status, 400, "{:?}", String::from_utf8_lossy(&deep.body));
    let text = deep.json().to_string();
    assert!(text.contains("nesting deeper than 2 levels"), "{text}");

    let padded = VALID.replace(r#""ada_lovelace""#, &format!(r#""{}""#, "a".repeat(300)));
    let large = send(addr, with_type(addr, "/tight/experiments", &padded, json)).await;
    assert_eq!(large.status, 413, "{:?}", String::from_utf8_lossy(&large.body));

    let same = send(addr, with_type(addr, "/lab/experiments", &nested, json)).await;
    assert_eq!(same.status, 200, "the default depth of 64 admits it: {:?}", same.body);
}

#[tokio::test]
async fn openapi_limits_of_zero_fail_the_config_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gateway.yaml");
    let examples = examples();
    let yaml = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
upstreams: {{api: {{targets: ["127.0.0.1:9"]}}}}
routes:
  - name: r
    match: {{path: "/r/*"}}
    upstream: api
    openapi: {{file: "{}/openapi-3.1.yaml", max_keys: 0}}
"#,
        examples.display()
    );
    std::fs::write(&file, yaml).unwrap();
    let metrics = Arc::new(rampart_gateway::metrics::Metrics::new());
    let config = rampart_gateway::config::load(&file).unwrap();
    let error = rampart_gateway::config::compile(config, &file, &metrics).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("routes[0].openapi.max_keys"), "{text}");
}

#[tokio::test]
async fn shipped_example_config_compiles() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/validation/gateway.yaml");
    let metrics = Arc::new(rampart_gateway::metrics::Metrics::new());
    let config = rampart_gateway::config::load(&file).unwrap();
    let snapshot = rampart_gateway::config::compile(config, &file, &metrics).unwrap();
    let names: Vec<&str> = snapshot.routes.iter().map(|r| &*r.name).collect();
    assert!(names.contains(&"readings"), "{names:?}");
    let stages: Vec<&str> = snapshot.routes[0].stages.iter().map(|s| s.name()).collect();
    assert_eq!(stages, ["validate"]);
}

#[tokio::test]
async fn broken_schema_fails_the_config_with_the_route_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gateway.yaml");
    let yaml = r#"
listeners: [{name: main, address: "127.0.0.1:0"}]
upstreams: {api: {targets: ["127.0.0.1:9"]}}
routes:
  - name: r
    match: {path: "/r"}
    upstream: api
    validate: {body: {schema: {type: object, properties: {a: {minLength: -1}}}}}
"#;
    std::fs::write(&file, yaml).unwrap();
    let metrics = Arc::new(rampart_gateway::metrics::Metrics::new());
    let config = rampart_gateway::config::load(&file).unwrap();
    let error = rampart_gateway::config::compile(config, &file, &metrics).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("routes[0].validate"), "{text}");
    assert!(text.contains("minLength"), "{text}");
}
