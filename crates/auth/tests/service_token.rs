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
