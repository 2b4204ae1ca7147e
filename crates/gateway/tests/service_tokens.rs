//! Service tokens on a route: the audience must be the route's service, the issuer one of the
//! route's providers (one provider per calling service, each with that service's public key).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use http::StatusCode;
use rampart_auth::{JwtAlgorithm, ServiceTokenMinter};
use support::client::{get, send};
use support::upstream::TestUpstream;
use support::TestGateway;

const TTL: Duration = Duration::from_secs(300);

/// A service's private key (written to `dir/NAME.pem`) and a minter for it; its JWKS is
/// written to `dir/NAME.jwks.json`.
fn service(dir: &std::path::Path, name: &str) -> ServiceTokenMinter {
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let pem = pair.serialize_pem();
    std::fs::write(dir.join(format!("{name}.pem")), &pem).unwrap();
    let jwks = rampart_auth::public_jwks(pem.as_bytes(), JwtAlgorithm::ES256, Some(name)).unwrap();
    std::fs::write(dir.join(format!("{name}.jwks.json")), jwks.to_string()).unwrap();
    ServiceTokenMinter::from_pem(name, pem.as_bytes()).unwrap().with_key_id(name)
}

/// `checkout` may call `orders` and `payments`; `billing` only `payments`. The `orders` route
/// accepts checkout's provider and requires `aud: orders` (`route_audiences` in YAML).
fn config(upstream: std::net::SocketAddr, route_audiences: &str) -> String {
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
jwt_providers:
  checkout:
    issuer: checkout
    audiences: [orders, payments]
    algorithms: [ES256]
    jwks_file: checkout.jwks.json
  billing:
    issuer: billing
    audiences: [orders, payments]
    algorithms: [ES256]
    jwks_file: billing.jwks.json
upstreams: {{api: {{targets: ["{upstream}"]}}}}
routes:
  - name: orders
    match: {{path: "/orders/*"}}
    upstream: api
    auth:
      jwt:
        providers: [checkout]
        {route_audiences}
"#
    )
}

struct Fixture {
    gw: TestGateway,
    checkout: ServiceTokenMinter,
    billing: ServiceTokenMinter,
}

async fn fixture(route_audiences: &str) -> Fixture {
    let upstream = TestUpstream::start("orders").await;
    let dir = tempfile::tempdir().unwrap();
    let checkout = service(dir.path(), "checkout");
    let billing = service(dir.path(), "billing");
    let gw = TestGateway::start_in(dir, &config(upstream.addr, route_audiences)).await;
    Fixture { gw, checkout, billing }
}

async fn call(gw: &TestGateway, token: &str) -> support::client::Reply {
    let bearer = format!("Bearer {token}");
    send(gw.addr(), get(gw.addr(), "/orders/42", &[("authorization", &bearer)])).await
}

#[tokio::test]
async fn the_route_requires_its_own_audience_and_an_allowed_issuer() {
    let f = fixture("audiences: [orders]").await;

    let allowed = call(&f.gw, &f.checkout.token_for("orders", TTL).unwrap()).await;
    assert_eq!(allowed.status, StatusCode::OK);

    let for_payments = call(&f.gw, &f.checkout.token_for("payments", TTL).unwrap()).await;
    assert_eq!(for_payments.status, StatusCode::UNAUTHORIZED);
    let challenge = for_payments.header("www-authenticate").unwrap();
    assert!(challenge.contains("the token audience is not accepted"), "{challenge}");
    let events = f.gw.events_for(&for_payments.request_id()).await;
    assert!(events
        .iter()
        .any(|e| e.details().get("reason").and_then(|r| r.as_str()) == Some("wrong_audience")));

    let from_billing = call(&f.gw, &f.billing.token_for("orders", TTL).unwrap()).await;
    assert_eq!(from_billing.status, StatusCode::UNAUTHORIZED, "billing is not a listed caller");
}

#[tokio::test]
async fn an_audience_array_naming_the_route_is_accepted_with_the_callers_key_only() {
    let f = fixture("audiences: [orders]").await;
    let checkout_key = f.gw.dir.path().join("checkout.pem");
    let both = call(&f.gw, &two_audiences(&checkout_key)).await;
    assert_eq!(both.status, StatusCode::OK);

    let foreign_key = f.gw.dir.path().join("intruder.pem");
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    std::fs::write(&foreign_key, pair.serialize_pem()).unwrap();
    let forged = call(&f.gw, &two_audiences(&foreign_key)).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "signed by a key checkout does not own");
}

/// A checkout token for `[payments, orders]`, signed with the key in `key`.
fn two_audiences(key: &std::path::Path) -> String {
    let request = rampart_auth::MintRequest {
        issuer: "checkout".into(),
        audiences: vec!["payments".into(), "orders".into()],
        subject: Some("checkout".into()),
        scopes: vec![],
        ttl: TTL,
        extra_claims: serde_json::Map::new(),
        kid: Some("checkout".into()),
        algorithm: JwtAlgorithm::ES256,
        key: rampart_auth::SigningKeySource::PemFile(key.to_path_buf()),
    };
    rampart_auth::mint(&request).unwrap()
}

#[tokio::test]
async fn without_route_audiences_the_providers_audiences_decide() {
    let f = fixture("").await;
    let for_payments = call(&f.gw, &f.checkout.token_for("payments", TTL).unwrap()).await;
    assert_eq!(for_payments.status, StatusCode::OK, "the route check is what denied it above");
}

#[test]
fn an_empty_route_audience_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    service(dir.path(), "checkout");
    service(dir.path(), "billing");
    let file = dir.path().join("gateway.yaml");
    std::fs::write(&file, config("127.0.0.1:9".parse().unwrap(), "audiences: [orders, \"\"]"))
        .unwrap();

    let metrics = std::sync::Arc::new(rampart_gateway::metrics::Metrics::new());
    let parsed = rampart_gateway::config::load(&file).unwrap();
    let error = rampart_gateway::config::compile(parsed, &file, &metrics).unwrap_err().to_string();
    assert!(error.contains("routes[0].auth.jwt.audiences[1]"), "{error}");
}
