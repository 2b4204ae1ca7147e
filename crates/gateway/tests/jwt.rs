//! JWT authentication end to end: RFC 6750 answers, scopes, claim forwarding, events, metrics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rampart_auth::{JwtAlgorithm, ManualClock, MintRequest, SigningKeySource};
use rampart_events::EventType;
use support::client::{get, send, Reply};
use support::upstream::TestUpstream;
use support::TestGateway;

const ISSUER: &str = "https://issuer.test";

/// An ES256 key pair: the private key as PEM, the public key as a JWKS document.
fn es256_keys(kid: &str) -> (String, String) {
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let raw = pair.public_key_raw();
    let (x, y) = (&raw[1..33], &raw[33..65]);
    let jwks = serde_json::json!({"keys": [{
        "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
        "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
    }]});
    (pair.serialize_pem(), jwks.to_string())
}

struct Fixture {
    gw: TestGateway,
    key_file: std::path::PathBuf,
}

async fn fixture() -> Fixture {
    let upstream = TestUpstream::start("api").await;
    let dir = tempfile::tempdir().unwrap();
    let (private_pem, jwks) = es256_keys("k1");
    std::fs::write(dir.path().join("jwks.json"), jwks).unwrap();
    let key_file = dir.path().join("signing.pem");
    std::fs::write(&key_file, private_pem).unwrap();

    let config = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
jwt_providers:
  main:
    issuer: "{ISSUER}"
    audiences: ["api"]
    algorithms: ["ES256"]
    jwks_file: jwks.json
upstreams: {{api: {{targets: ["{up}"]}}}}
routes:
  - name: read
    match: {{path: "/data/*", methods: [GET]}}
    upstream: api
    auth:
      jwt:
        providers: [main]
        scopes: {{all_of: ["data:read"]}}
        forward_claims: {{x-user-id: sub, x-tenant: tenant}}
  - name: passthrough
    match: {{path: "/with-auth/*"}}
    upstream: api
    auth: {{jwt: {{providers: [main], forward_authorization: true, realm: "svc"}}}}
"#,
        up = upstream.addr
    );
    let gw = TestGateway::start_in(dir, &config).await;
    Fixture { gw, key_file }
}

impl Fixture {
    fn token(&self, edit: impl FnOnce(&mut MintRequest)) -> String {
        let mut request = MintRequest {
            issuer: ISSUER.into(),
            audiences: vec!["api".into()],
            subject: Some("alice".into()),
            scopes: vec!["data:read".into()],
            ttl: Duration::from_secs(300),
            extra_claims: serde_json::json!({"tenant": "t1"}).as_object().unwrap().clone(),
            kid: Some("k1".into()),
            algorithm: JwtAlgorithm::ES256,
            key: SigningKeySource::PemFile(self.key_file.clone()),
        };
        edit(&mut request);
        rampart_auth::mint(&request).unwrap()
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        send(self.gw.addr(), get(self.gw.addr(), path, headers)).await
    }

    async fn with_token(&self, path: &str, token: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        self.get(path, &[("authorization", bearer.as_str())]).await
    }
}

/// Found by a new user: a `sub` holding CR LF was accepted and its header silently left out, so
/// the service got a request without the identity it expects. Now the token is refused.
#[tokio::test]
async fn a_forwarded_claim_that_cannot_be_a_header_is_401() {
    let f = fixture().await;
    let token = f.token(|request| request.subject = Some("alice\r\nx-admin: true".into()));
    let reply = f.with_token("/data/1", &token).await;
    assert_eq!(reply.status, 401, "{:?}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["error"], "invalid_token");

    let events = f.gw.events_for(&reply.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::AuthenticationFailed);
    assert_eq!(events[0].details()["reason"], "unforwardable_claim");
    assert_eq!(events[0].details()["claim"], "sub");

    // A token without the claim at all still passes: the header is simply not set.
    let token = f.token(|request| request.subject = None);
    let reply = f.with_token("/data/1", &token).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["headers"].get("x-user-id").is_none());
}

#[tokio::test]
async fn missing_token_is_401_without_error_code() {
    let f = fixture().await;
    let reply = f.get("/data/1", &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer realm=\"rampart\""));
    assert_eq!(reply.json()["error"], "unauthorized");

    let events = f.gw.events_for(&reply.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::AuthenticationFailed);
    assert_eq!(events[0].details()["reason"], "missing_token");
    assert_eq!(events[0].route(), Some("read"));
}

#[tokio::test]
async fn valid_token_forwards_claims_and_strips_credentials() {
    let f = fixture().await;
    let token = f.token(|_| {});
    let bearer = format!("Bearer {token}");
    let headers = [("authorization", bearer.as_str()), ("x-user-id", "mallory")];
    let reply = f.get("/data/1", &headers).await;
    assert_eq!(reply.status, 200);
    let seen = &reply.json()["headers"];
    assert_eq!(seen["x-user-id"], serde_json::json!(["alice"]), "client copy removed first");
    assert_eq!(seen["x-tenant"], serde_json::json!(["t1"]));
    assert!(seen.get("authorization").is_none());

    let events = f.gw.events_for(&reply.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::RequestAllowed);
    assert_eq!(events[0].identity(), Some("alice"));
    let lines = f.gw.events.lines().join("\n");
    assert!(!lines.contains(&token), "a token never reaches an event");

    let passthrough = f.with_token("/with-auth/x", &token).await;
    assert_eq!(passthrough.json()["headers"]["authorization"][0], bearer.as_str());
}

#[tokio::test]
async fn invalid_tokens_are_401_invalid_token() {
    let f = fixture().await;
    let past = ManualClock::new(1_000_000_000);
    let expired = {
        let mut request = MintRequest {
            issuer: ISSUER.into(),
            audiences: vec!["api".into()],
            subject: Some("alice".into()),
            scopes: vec!["data:read".into()],
            ttl: Duration::from_secs(60),
            extra_claims: Default::default(),
            kid: Some("k1".into()),
            algorithm: JwtAlgorithm::ES256,
            key: SigningKeySource::PemFile(f.key_file.clone()),
        };
        request.subject = Some("old".into());
        rampart_auth::mint_with_clock(&request, &past).unwrap()
    };
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(br#"{"iss":"https://issuer.test","aud":"api","sub":"x"}"#);
    let cases = [
        ("garbage", "not-a-jwt".to_owned()),
        ("expired", expired),
        ("wrong audience", f.token(|r| r.audiences = vec!["other".into()])),
        ("wrong issuer", f.token(|r| r.issuer = "https://evil".into())),
        ("unknown kid", f.token(|r| r.kid = Some("k9".into()))),
        ("alg none", format!("{header}.{claims}.")),
    ];
    for (label, token) in cases {
        let reply = f.with_token("/data/1", &token).await;
        assert_eq!(reply.status, 401, "{label}");
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with("Bearer realm=\"rampart\", error=\"invalid_token\""),
            "{label}: {challenge}"
        );
        assert!(challenge.contains("error_description=\""), "{label}");
        let body = reply.json();
        assert_eq!(body["error"], "invalid_token", "{label}");
        assert_eq!(body["request_id"], reply.request_id().as_str());
        let events = f.gw.events_for(&reply.request_id()).await;
        assert_eq!(events[0].event_type(), EventType::AuthenticationFailed, "{label}");
    }

    let metrics = f.gw.running.gateway.metrics.render(0);
    assert!(metrics.contains("rampart_auth_failures_total{reason=\"expired\"} 1"), "{metrics}");
}

#[tokio::test]
async fn missing_scope_is_403_insufficient_scope() {
    let f = fixture().await;
    let token = f.token(|r| r.scopes = vec!["other".into()]);
    let reply = f.with_token("/data/1", &token).await;
    assert_eq!(reply.status, 403);
    let challenge = reply.header("www-authenticate").unwrap();
    assert!(challenge.contains("error=\"insufficient_scope\""), "{challenge}");
    assert!(challenge.contains("scope=\"data:read\""), "{challenge}");

    let events = f.gw.events_for(&reply.request_id()).await;
    assert_eq!(events[0].event_type(), EventType::Forbidden);
    assert_eq!(events[0].identity(), Some("alice"));
}

#[tokio::test]
async fn malformed_authorization_is_400() {
    let f = fixture().await;
    let token = f.token(|_| {});
    let stream_request = format!(
        "GET /data/1 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         authorization: Bearer {token}\r\nconnection: close\r\n\r\n"
    );
    let reply = support::client::raw(f.gw.addr(), stream_request.as_bytes()).await;
    assert_eq!(support::client::raw_status(&reply), 400, "{reply}");
    assert!(reply.contains("invalid_request"));
}
