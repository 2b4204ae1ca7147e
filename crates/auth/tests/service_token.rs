//! Service tokens: minted for one audience, cached until close to expiry, verifiable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use rampart_auth::{JwtAlgorithm, ManualClock, MintError, ServiceTokenMinter};
use serde_json::json;

#[tokio::test]
async fn service_tokens_verify_and_are_cached_until_near_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = jwks_file_provider(dir.path(), &[ec256()], &["ES256"]);
    config.issuer = "research-frontend".into();
    config.audiences = vec!["research-data".into()];
    let (auth, gateway_clock) = authenticator(&[("mesh", config)], dir.path(), 100);
    let clock = ManualClock::new(NOW);
    let minter =
        ServiceTokenMinter::new("research-frontend", ec256().pem.as_bytes(), JwtAlgorithm::ES256)
            .unwrap()
            .with_key_id("ec-256")
            .with_clock(Arc::new(clock.clone()));
    let ttl = Duration::from_secs(300);

    let first = minter.token_for("research-data", ttl).unwrap();
    let verified = auth.verify(&first, &["mesh"]).await.unwrap();
    assert_eq!(verified.subject(), Some("research-frontend"));
    assert_eq!(verified.claim("aud"), Some(&json!("research-data")));

    clock.advance(239);
    assert_eq!(minter.token_for("research-data", ttl).unwrap(), first);
    assert_ne!(minter.token_for("other-service", ttl).unwrap(), first);

    clock.advance(1);
    gateway_clock.advance(240);
    let renewed = minter.token_for("research-data", ttl).unwrap();
    assert_ne!(renewed, first, "with a fifth of the lifetime left the token is renewed");
    assert_eq!(auth.verify(&renewed, &["mesh"]).await.unwrap().expires_at(), NOW + 540);
}

#[test]
fn service_minter_rejects_unusable_keys_and_arguments() {
    let err = ServiceTokenMinter::new("svc", b"not a key", JwtAlgorithm::RS256).unwrap_err();
    assert!(matches!(err, MintError::BadKey { expected: "RSA" }), "{err}");

    let err = ServiceTokenMinter::new("svc", ec256().pem.as_bytes(), JwtAlgorithm::HS256);
    assert!(matches!(err, Err(MintError::KeySourceMismatch { .. })));

    let minter =
        ServiceTokenMinter::new("svc", ed25519().pem.as_bytes(), JwtAlgorithm::EdDSA).unwrap();
    assert!(minter.token_for("", Duration::from_secs(60)).is_err());
    assert!(minter.token_for("x", Duration::ZERO).is_err());
}

#[test]
fn the_algorithm_follows_from_the_key() {
    let cases = [
        (rsa(), JwtAlgorithm::RS256),
        (ec256(), JwtAlgorithm::ES256),
        (ec384(), JwtAlgorithm::ES384),
        (ed25519(), JwtAlgorithm::EdDSA),
    ];
    for (key, alg) in cases {
        assert_eq!(rampart_auth::infer_algorithm(key.pem.as_bytes()).unwrap(), alg);
        let minter = ServiceTokenMinter::from_pem("svc", key.pem.as_bytes()).unwrap();
        assert_eq!(minter.algorithm(), alg);
    }

    let err =
        rampart_auth::infer_algorithm(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END").unwrap_err();
    assert!(matches!(err, MintError::BadKey { .. }), "{err}");
    let public_only = rampart_auth::infer_algorithm(ec256().public_pem.as_bytes());
    assert!(public_only.is_err(), "a public key cannot sign");
}

#[tokio::test]
async fn a_published_jwks_verifies_the_services_tokens() {
    for (key, alg) in [(rsa(), "RS256"), (ec384(), "ES384"), (ed25519(), "EdDSA")] {
        let dir = tempfile::tempdir().unwrap();
        let alg = JwtAlgorithm::from_name(alg).unwrap();
        let document = rampart_auth::public_jwks(key.pem.as_bytes(), alg, Some("svc-1")).unwrap();
        assert_eq!(document["keys"][0]["kid"], "svc-1");
        assert_eq!(document["keys"][0]["use"], "sig");
        assert_eq!(document["keys"][0]["alg"], alg.name());
        assert!(document["keys"][0].get("d").is_none(), "no private part: {document}");
        std::fs::write(dir.path().join("jwks.json"), document.to_string()).unwrap();

        let mut config = provider(json!({"jwks_file": "jwks.json", "algorithms": [alg.name()]}));
        config.issuer = "checkout".into();
        config.audiences = vec!["orders".into()];
        let (auth, _clock) = authenticator(&[("checkout", config)], dir.path(), 10);
        let minter = ServiceTokenMinter::from_pem("checkout", key.pem.as_bytes())
            .unwrap()
            .with_key_id("svc-1")
            .with_clock(Arc::new(ManualClock::new(NOW)));

        let token = minter.token_for("orders", Duration::from_secs(60)).unwrap();
        let verified = auth.verify(&token, &["checkout"]).await.unwrap();
        assert_eq!(verified.issuer(), "checkout");
        assert_eq!(verified.algorithm(), alg);

        let wrong_target = minter.token_for("payments", Duration::from_secs(60)).unwrap();
        assert!(auth.verify(&wrong_target, &["checkout"]).await.is_err());
    }
}

#[test]
fn a_jwks_needs_a_key_that_fits_the_algorithm() {
    let err = rampart_auth::public_jwks(ec384().pem.as_bytes(), JwtAlgorithm::ES256, None);
    assert!(matches!(err, Err(MintError::BadKey { expected: "EC P-256" })), "{err:?}");
    let err = rampart_auth::public_jwks(rsa().pem.as_bytes(), JwtAlgorithm::EdDSA, None);
    assert!(err.is_err());
}
