//! Every condition that denies a token, each asserting its variant and reason label.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::*;
use jsonwebtoken::{Algorithm, EncodingKey};
use rampart_auth::{JwtAuthenticator, ManualClock, TokenError};
use serde_json::{json, Value};

struct Fixture {
    auth: JwtAuthenticator,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut main = jwks_file_provider(dir.path(), &[rsa(), ec256()], &["RS256", "ES256", "PS256"]);
    main.required_claims = vec!["tenant".to_owned()];
    set_secret("REJECT_TEST_SECRET");
    let shared = provider(json!({
        "issuer": "https://shared.test",
        "algorithms": ["HS256"],
        "hmac_secret_env": "REJECT_TEST_SECRET",
    }));
    let (auth, clock) = authenticator(&[("main", main), ("shared", shared)], dir.path(), 100);
    Fixture { auth, clock, _dir: dir }
}

fn good_claims() -> Value {
    let mut claims = claims();
    claims["tenant"] = json!("acme");
    claims
}

async fn deny(fixture: &Fixture, token: &str) -> TokenError {
    let err = fixture.auth.verify(token, &["main", "shared"]).await.unwrap_err();
    let description = err.description();
    assert!(!description.is_empty());
    assert!(!token.is_empty() && !description.contains(token));
    assert_eq!(err.error_code(), "invalid_token");
    err
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

#[tokio::test]
async fn a_valid_token_is_accepted() {
    let fixture = fixture();
    let token = token_with(rsa(), &good_claims());

    let verified = fixture.auth.verify(&token, &["main"]).await.unwrap();

    assert_eq!(verified.provider(), "main");
    assert_eq!(verified.subject(), Some("alice"));
    assert_eq!(verified.scopes(), ["orders:read", "orders:write"]);
    assert_eq!(verified.expires_at(), NOW + 300);
    assert_eq!(verified.key_id(), Some("rsa-1"));
    assert_eq!(verified.request_principal().as_deref(), Some("https://idp.test/alice"));
}

#[tokio::test]
async fn alg_none_is_denied() {
    let fixture = fixture();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT"});
        let token = format!("{}.{}.", b64_json(&header), b64_json(&good_claims()));

        let err = deny(&fixture, &token).await;

        assert_eq!(err, TokenError::AlgNone);
        assert_eq!(err.reason(), "alg_none");
    }
}

#[tokio::test]
async fn unknown_or_missing_alg_is_denied() {
    let fixture = fixture();
    for header in [json!({"alg": "HS1"}), json!({"typ": "JWT"}), json!({"alg": 256})] {
        let token = format!("{}.{}.c2ln", b64_json(&header), b64_json(&good_claims()));

        let err = deny(&fixture, &token).await;

        assert_eq!(err.reason(), "alg_unsupported");
    }
}

#[tokio::test]
async fn algorithm_outside_the_provider_list_is_denied() {
    let fixture = fixture();
    let token = token_with(ec384(), &good_claims());

    let err = deny(&fixture, &token).await;

    assert!(matches!(err, TokenError::AlgNotAllowed { alg: "ES384", .. }), "{err:?}");
    assert_eq!(err.reason(), "alg_not_allowed");
}

#[tokio::test]
async fn rsa_public_key_used_as_hmac_secret_is_denied() {
    let fixture = fixture();
    let secret = EncodingKey::from_secret(rsa().public_pem.as_bytes()).unwrap();
    let header = json!({"alg": "HS256", "kid": "rsa-1"});

    let token = sign_raw(&header, &good_claims(), &secret, Algorithm::HS256);
    let err = deny(&fixture, &token).await;

    assert!(matches!(err, TokenError::AlgNotAllowed { alg: "HS256", .. }), "{err:?}");
}

#[tokio::test]
async fn key_of_another_family_is_denied() {
    let fixture = fixture();
    let header = json!({"alg": "ES256", "kid": "rsa-1"});

    let token = sign_raw(&header, &good_claims(), &ec256().encoding, Algorithm::ES256);
    let err = deny(&fixture, &token).await;

    assert!(matches!(err, TokenError::KeyAlgMismatch { alg: "ES256", .. }), "{err:?}");
    assert_eq!(err.reason(), "key_alg_mismatch");
}

#[tokio::test]
async fn oversized_token_is_denied_before_decoding() {
    let fixture = fixture();
    let token = format!("{}.x.y", "a".repeat(9000));

    let err = deny(&fixture, &token).await;

    assert_eq!(err, TokenError::TooLarge { len: 9004, max: 8192 });
    assert_eq!(err.reason(), "too_large");
}

#[tokio::test]
async fn malformed_structure_is_denied() {
    let fixture = fixture();
    for token in ["abc", "a.b", "a.b.c.d", ""] {
        let err = fixture.auth.verify(token, &["main"]).await.unwrap_err();

        assert_eq!(err, TokenError::Malformed, "{token}");
        assert_eq!(err.reason(), "malformed");
    }
}

#[tokio::test]
async fn bad_base64_is_denied() {
    let fixture = fixture();
    let header = b64_json(&json!({"alg": "RS256"}));
    let claims = b64_json(&good_claims());
    let cases = [
        (format!("!!.{claims}.c2ln"), "header"),
        (format!("{header}.{claims}=.c2ln"), "payload"),
        (format!("{header}.{claims}.c2l+"), "signature"),
    ];
    for (token, segment) in cases {
        let err = deny(&fixture, &token).await;

        assert_eq!(err, TokenError::BadEncoding { segment }, "{token}");
        assert_eq!(err.reason(), "bad_encoding");
    }
}

#[tokio::test]
async fn bad_json_is_denied() {
    use base64::Engine;
    let fixture = fixture();
    let not_json = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("{\"alg\":");
    let array = b64_json(&json!(["RS256"]));
    let claims = b64_json(&good_claims());
    for header in [not_json, array] {
        let token = format!("{header}.{claims}.c2ln");

        let err = deny(&fixture, &token).await;

        assert_eq!(err, TokenError::BadJson { segment: "header" });
        assert_eq!(err.reason(), "bad_json");
    }
}

#[tokio::test]
async fn crit_header_is_denied() {
    let fixture = fixture();
    let header = json!({"alg": "RS256", "kid": "rsa-1", "crit": ["exp"], "exp": 1});

    let token = sign_raw(&header, &good_claims(), &rsa().encoding, Algorithm::RS256);
    let err = deny(&fixture, &token).await;

    assert_eq!(err, TokenError::CritHeader);
    assert_eq!(err.reason(), "crit_header");
}

#[tokio::test]
async fn wrong_issuer_is_denied() {
    let fixture = fixture();
    for claims in
        [with(good_claims(), "iss", json!("https://evil.test")), without(good_claims(), "iss")]
    {
        let err = deny(&fixture, &token_with(rsa(), &claims)).await;

        assert_eq!(err, TokenError::WrongIssuer);
        assert_eq!(err.reason(), "wrong_issuer");
    }
}

#[tokio::test]
async fn wrong_audience_is_denied() {
    let fixture = fixture();
    let cases = [
        with(good_claims(), "aud", json!("billing-api")),
        with(good_claims(), "aud", json!(["billing-api", "x"])),
        with(good_claims(), "aud", json!(7)),
        without(good_claims(), "aud"),
    ];
    for claims in cases {
        let err = deny(&fixture, &token_with(rsa(), &claims)).await;

        assert!(matches!(err, TokenError::WrongAudience { .. }), "{err:?}");
        assert_eq!(err.reason(), "wrong_audience");
    }
    let listed = with(good_claims(), "aud", json!(["billing-api", AUDIENCE]));
    assert!(fixture.auth.verify(&token_with(rsa(), &listed), &["main"]).await.is_ok());
}

#[tokio::test]
async fn expiry_honours_the_leeway() {
    let fixture = fixture();
    let token = token_with(rsa(), &good_claims());
    fixture.clock.set(NOW + 300 + 59);
    assert!(fixture.auth.verify(&token, &["main"]).await.is_ok());

    let token = token_with(rsa(), &with(good_claims(), "nonce", json!(1)));
    fixture.clock.set(NOW + 300 + 60);
    let err = deny(&fixture, &token).await;

    assert_eq!(err, TokenError::Expired { exp: NOW + 300, now: NOW + 360, leeway: 60 });
    assert_eq!(err.reason(), "expired");
}

#[tokio::test]
async fn not_yet_valid_is_denied() {
    let fixture = fixture();
    let ok = token_with(rsa(), &with(good_claims(), "nbf", json!(NOW + 60)));
    assert!(fixture.auth.verify(&ok, &["main"]).await.is_ok());

    let token = token_with(rsa(), &with(good_claims(), "nbf", json!(NOW + 61)));
    let err = deny(&fixture, &token).await;

    assert_eq!(err, TokenError::NotYetValid { nbf: NOW + 61, now: NOW });
    assert_eq!(err.reason(), "not_yet_valid");
}

#[tokio::test]
async fn issued_in_the_future_is_denied() {
    let fixture = fixture();
    let token = token_with(rsa(), &with(good_claims(), "iat", json!(NOW + 120)));

    let err = deny(&fixture, &token).await;

    assert_eq!(err, TokenError::IssuedInFuture { iat: NOW + 120, now: NOW });
    assert_eq!(err.reason(), "issued_in_future");
}

#[tokio::test]
async fn unknown_kid_is_denied() {
    let fixture = fixture();
    let header = json!({"alg": "RS256", "kid": "nobody"});

    let token = sign_raw(&header, &good_claims(), &rsa().encoding, Algorithm::RS256);
    let err = deny(&fixture, &token).await;

    assert!(matches!(&err, TokenError::UnknownKid { kid, .. } if kid == "nobody"), "{err:?}");
    assert_eq!(err.reason(), "unknown_kid");
}

#[tokio::test]
async fn missing_kid_with_several_keys_of_the_family_is_denied() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa(), rsa2()], &["RS256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 0);
    let header = json!({"alg": "RS256"});

    let token = sign_raw(&header, &claims(), &rsa().encoding, Algorithm::RS256);
    let err = auth.verify(&token, &["main"]).await.unwrap_err();

    assert_eq!(err.reason(), "kid_required");
}

#[tokio::test]
async fn bad_signature_is_denied() {
    let fixture = fixture();
    let token = token_with(rsa(), &good_claims());
    let forged = b64_json(&with(good_claims(), "sub", json!("admin")));
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[1] = &forged;
    let tampered = parts.join(".");

    let err = deny(&fixture, &tampered).await;

    assert_eq!(err, TokenError::BadSignature);
    assert_eq!(err.reason(), "bad_signature");
}

#[tokio::test]
async fn signature_from_another_key_of_the_same_kid_is_denied() {
    let fixture = fixture();
    let header = json!({"alg": "RS256", "kid": "rsa-1"});

    let token = sign_raw(&header, &good_claims(), &rsa2().encoding, Algorithm::RS256);
    let err = deny(&fixture, &token).await;

    assert_eq!(err, TokenError::BadSignature);
}

#[tokio::test]
async fn missing_required_claims_are_denied() {
    let fixture = fixture();
    let cases =
        [(without(good_claims(), "tenant"), "tenant"), (without(good_claims(), "exp"), "exp")];
    for (claims, missing) in cases {
        let err = deny(&fixture, &token_with(rsa(), &claims)).await;

        assert_eq!(err, TokenError::MissingClaim { claim: missing.to_owned() });
        assert_eq!(err.reason(), "missing_claim");
    }
    let null_tenant = with(good_claims(), "tenant", Value::Null);
    assert_eq!(deny(&fixture, &token_with(rsa(), &null_tenant)).await.reason(), "missing_claim");
}

#[tokio::test]
async fn claims_of_the_wrong_type_are_denied() {
    let fixture = fixture();
    let cases = [
        (with(good_claims(), "exp", json!("tomorrow")), "exp"),
        (with(good_claims(), "sub", json!(42)), "sub"),
        (with(good_claims(), "scope", json!(true)), "scope"),
        (with(good_claims(), "scp", json!([1, 2])), "scp"),
    ];
    for (claims, claim) in cases {
        let err = deny(&fixture, &token_with(rsa(), &claims)).await;

        assert_eq!(err, TokenError::BadClaim { claim });
        assert_eq!(err.reason(), "bad_claim");
    }
}

#[tokio::test]
async fn hmac_token_of_another_provider_is_not_accepted_by_a_route_without_it() {
    let fixture = fixture();
    let secret = EncodingKey::from_secret(&set_secret("REJECT_TEST_SECRET")).unwrap();
    let claims = with(good_claims(), "iss", json!("https://shared.test"));
    let token = sign_raw(&json!({"alg": "HS256"}), &claims, &secret, Algorithm::HS256);

    assert!(fixture.auth.verify(&token, &["shared"]).await.is_ok());
    let err = fixture.auth.verify(&token, &["main"]).await.unwrap_err();

    assert_eq!(err, TokenError::WrongIssuer);
}

#[tokio::test]
async fn unknown_provider_names_are_a_wiring_error() {
    let fixture = fixture();
    let token = token_with(rsa(), &good_claims());

    let err = fixture.auth.verify(&token, &["ghost"]).await.unwrap_err();

    assert_eq!(err.reason(), "unknown_provider");
    assert!(err.is_server_side());
    let config_err = fixture.auth.resolve(&["main", "ghost"]).unwrap_err();
    assert_eq!(
        config_err.to_string(),
        "jwt provider `ghost` is not configured (known: main, shared)"
    );
}

#[tokio::test]
async fn scopes_come_from_scope_scp_and_scopes() {
    let fixture = fixture();
    let mut claims = without(good_claims(), "scope");
    claims["scp"] = json!(["a", "b"]);
    claims["scopes"] = json!(["b", "c"]);

    let verified = fixture.auth.verify(&token_with(rsa(), &claims), &["main"]).await.unwrap();
    assert_eq!(verified.scopes(), ["a", "b", "c"]);

    let azure = with(without(good_claims(), "scope"), "scp", json!("x  y"));
    let verified = fixture.auth.verify(&token_with(rsa(), &azure), &["main"]).await.unwrap();
    assert_eq!(verified.scopes(), ["x", "y"]);
}
