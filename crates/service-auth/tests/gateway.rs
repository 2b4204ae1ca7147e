//! A real gateway with a route for service `orders` that accepts tokens for audience `orders`
//! from issuer `checkout` only, and services calling it with `ServiceClient`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rampart_events::EventSink;
use rampart_gateway::{start, RunningGateway, StartOptions};
use rampart_service_auth::{
    JwtAlgorithm, ManualClock, ServiceCallError, ServiceClient, ServiceTokenMinter,
};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// An upstream answering every request with JSON: its path, body and Authorization header.
async fn echo_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let service =
                    service_fn(|request| async move { Ok::<_, Infallible>(echo(request).await) });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

async fn echo(request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (head, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let authorization = head.headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
    let answer = json!({
        "path": head.uri.path(),
        "body": String::from_utf8_lossy(&body),
        "authorization": authorization,
    });
    Response::new(Full::new(Bytes::from(answer.to_string())))
}

/// A service's key pair: the PEM private key, and its JWKS written as `dir/NAME.jwks.json`.
fn service_key(
    dir: &std::path::Path,
    name: &str,
    alg: &'static rcgen::SignatureAlgorithm,
) -> Vec<u8> {
    let pem = rcgen::KeyPair::generate_for(alg).unwrap().serialize_pem();
    let alg = rampart_auth::infer_algorithm(pem.as_bytes()).unwrap();
    let jwks = rampart_auth::public_jwks(pem.as_bytes(), alg, Some(name)).unwrap();
    std::fs::write(dir.join(format!("{name}.jwks.json")), jwks.to_string()).unwrap();
    pem.into_bytes()
}

struct Mesh {
    gateway: RunningGateway,
    base: String,
    checkout_pem: Vec<u8>,
    billing_pem: Vec<u8>,
    _dir: tempfile::TempDir,
}

/// The gateway of the example in examples/service-tokens/, on ephemeral ports: `checkout` has
/// an EdDSA key, `billing` an ES256 key; both are known providers, only checkout may call
/// `/orders/*`, and only with `aud: orders`.
async fn mesh() -> Mesh {
    let upstream = echo_upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let checkout_pem = service_key(dir.path(), "checkout", &rcgen::PKCS_ED25519);
    let billing_pem = service_key(dir.path(), "billing", &rcgen::PKCS_ECDSA_P256_SHA256);
    let config = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
admin: {{address: "127.0.0.1:0"}}
jwt_providers:
  checkout:
    issuer: checkout
    audiences: [orders, payments]
    algorithms: [EdDSA]
    jwks_file: checkout.jwks.json
  billing:
    issuer: billing
    audiences: [orders, payments]
    algorithms: [ES256]
    jwks_file: billing.jwks.json
upstreams: {{orders: {{targets: ["{upstream}"]}}}}
routes:
  - name: orders
    match: {{path: "/orders/*"}}
    upstream: orders
    auth:
      jwt:
        providers: [checkout]
        audiences: [orders]
        forward_authorization: true
"#
    );
    let file = dir.path().join("gateway.yaml");
    std::fs::write(&file, config).unwrap();

    let (sink, _events) = EventSink::memory();
    let options = StartOptions { config: file, events: Some(sink), watch_interval: None };
    let gateway = start(options).await.unwrap();
    let base = format!("http://{}", gateway.listeners[0].1);
    Mesh { gateway, base, checkout_pem, billing_pem, _dir: dir }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn client(mesh: &Mesh, minter: ServiceTokenMinter, audience: &str) -> ServiceClient {
    ServiceClient::new(Arc::new(minter), &mesh.base, audience).unwrap()
}

fn body(response: &rampart_service_auth::ServiceResponse) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

#[tokio::test]
async fn checkout_calls_orders_through_the_gateway() {
    let mesh = mesh().await;
    let minter = ServiceTokenMinter::from_pem("checkout", &mesh.checkout_pem).unwrap();
    let orders = client(&mesh, minter.with_key_id("checkout"), "orders");

    let response = orders.get("/orders/42").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text());
    let seen = body(&response);
    assert_eq!(seen["path"], "/orders/42");
    assert!(seen["authorization"].as_str().unwrap().starts_with("Bearer ey"));

    let created = orders.post("/orders/", r#"{"item":"book"}"#).await.unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(body(&created)["body"], r#"{"item":"book"}"#);
    drop(mesh.gateway);
}

#[tokio::test]
async fn a_token_for_another_audience_is_denied() {
    let mesh = mesh().await;
    let minter = ServiceTokenMinter::from_pem("checkout", &mesh.checkout_pem).unwrap();
    let payments = client(&mesh, minter.with_key_id("checkout"), "payments");

    let response = payments.get("/orders/42").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("audience"), "{challenge}");
}

#[tokio::test]
async fn an_issuer_the_route_does_not_list_is_denied() {
    let mesh = mesh().await;
    let minter = ServiceTokenMinter::from_pem("billing", &mesh.billing_pem).unwrap();
    assert_eq!(minter.algorithm(), JwtAlgorithm::ES256);
    let orders = client(&mesh, minter.with_key_id("billing"), "orders");

    let response = orders.get("/orders/42").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("issuer"), "{challenge}");
}

#[tokio::test]
async fn an_expired_token_is_denied() {
    let mesh = mesh().await;
    let an_hour_ago = ManualClock::new(unix_now() - 3600);
    let minter = ServiceTokenMinter::from_pem("checkout", &mesh.checkout_pem)
        .unwrap()
        .with_key_id("checkout")
        .with_clock(Arc::new(an_hour_ago));
    let orders = client(&mesh, minter, "orders");

    let response = orders.get("/orders/42").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("expired"), "{challenge}");
}

#[tokio::test]
async fn the_token_is_reused_then_renewed_before_it_expires() {
    let mesh = mesh().await;
    // Start 250 s in the past, so that after 240 s (four fifths of 300 s) the clock still
    // lags the gateway's and the renewed token's `iat` is not in the gateway's future.
    let clock = ManualClock::new(unix_now() - 250);
    let minter = ServiceTokenMinter::from_pem("checkout", &mesh.checkout_pem)
        .unwrap()
        .with_key_id("checkout")
        .with_clock(Arc::new(clock.clone()));
    let orders = client(&mesh, minter, "orders").with_token_ttl(Duration::from_secs(300));
    let token_of = |response: &rampart_service_auth::ServiceResponse| {
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text());
        body(response)["authorization"].as_str().unwrap().to_owned()
    };

    let first = token_of(&orders.get("/orders/1").await.unwrap());
    clock.advance(239);
    assert_eq!(token_of(&orders.get("/orders/2").await.unwrap()), first, "still fresh");

    let calls: Vec<_> = (0..16)
        .map(|i| {
            let orders = orders.clone();
            tokio::spawn(async move { orders.get(&format!("/orders/{i}")).await.unwrap() })
        })
        .collect();
    for call in calls {
        assert_eq!(token_of(&call.await.unwrap()), first, "concurrent calls share the token");
    }

    clock.advance(1);
    let renewed = token_of(&orders.get("/orders/3").await.unwrap());
    assert_ne!(renewed, first, "renewed with a fifth of its lifetime left");
}

#[tokio::test]
async fn unusable_arguments_are_typed_errors() {
    let pem = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap().serialize_pem();
    let minter = Arc::new(ServiceTokenMinter::from_pem("checkout", pem.as_bytes()).unwrap());

    let error = ServiceClient::new(minter.clone(), "ftp://gw", "orders").unwrap_err();
    assert!(matches!(error, ServiceCallError::BaseUrl { .. }), "{error}");
    let error = ServiceClient::new(minter.clone(), "http://gw", "").unwrap_err();
    assert!(matches!(error, ServiceCallError::Audience), "{error}");

    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let client = ServiceClient::new(minter, &format!("http://{closed}"), "orders").unwrap();
    let error = client.get("orders").await.unwrap_err();
    assert!(matches!(error, ServiceCallError::Path { .. }), "{error}");
    let error = client.get("/orders").await.unwrap_err();
    assert!(matches!(error, ServiceCallError::Request { .. }), "{error}");
    assert!(!error.to_string().contains("Bearer"), "no token in errors: {error}");
}
