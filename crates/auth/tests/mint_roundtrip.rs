//! Tokens minted by `mint` verify against matching providers, for every algorithm family.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::time::Duration;

use common::*;
use rampart_auth::{
    mint_with_clock, JwtAlgorithm, ManualClock, MintError, MintRequest, ScopeRequirement,
    SigningKeySource,
};
use serde_json::{json, Map};

fn request(algorithm: JwtAlgorithm, key: SigningKeySource, kid: Option<&str>) -> MintRequest {
    let mut extra = Map::new();
    extra.insert("tenant".to_owned(), json!("acme"));
    MintRequest {
        issuer: ISSUER.to_owned(),
        audiences: vec![AUDIENCE.to_owned(), "other".to_owned()],
        subject: Some("svc-a".to_owned()),
        scopes: vec!["orders:read".to_owned()],
        ttl: Duration::from_secs(120),
        extra_claims: extra,
        kid: kid.map(str::to_owned),
        algorithm,
        key,
    }
}

#[tokio::test]
async fn asymmetric_algorithms_round_trip_with_kid_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let keys = [rsa(), ec256(), ec384(), ed25519()];
    let algorithms = ["RS256", "PS256", "ES256", "ES384", "EdDSA"];
    let config = jwks_file_provider(dir.path(), &keys, &algorithms);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 100);
    let clock = ManualClock::new(NOW);
    let cases = [
        (JwtAlgorithm::RS256, rsa()),
        (JwtAlgorithm::PS256, rsa()),
        (JwtAlgorithm::ES256, ec256()),
        (JwtAlgorithm::ES384, ec384()),
        (JwtAlgorithm::EdDSA, ed25519()),
    ];
    for (alg, key) in cases {
        let path = dir.path().join(format!("{}.pem", key.kid));
        std::fs::write(&path, &key.pem).unwrap();
        let req = request(alg, SigningKeySource::PemFile(path), Some(&key.kid));

        let token = mint_with_clock(&req, &clock).unwrap();
        let verified = auth.verify(&token, &["main"]).await.unwrap();

        assert_eq!(verified.algorithm(), alg);
        assert_eq!(verified.key_id(), Some(key.kid.as_str()));
        assert_eq!(verified.subject(), Some("svc-a"));
        assert_eq!(verified.claim("tenant"), Some(&json!("acme")));
        assert_eq!(verified.expires_at(), NOW + 120);
    }
}

#[tokio::test]
async fn hmac_algorithms_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    set_secret("MINT_TEST_SECRET");
    let config = provider(json!({
        "algorithms": ["HS256", "HS384", "HS512"],
        "hmac_secret_env": "MINT_TEST_SECRET",
    }));
    let (auth, _clock) = authenticator(&[("shared", config)], dir.path(), 100);
    let clock = ManualClock::new(NOW);
    for alg in [JwtAlgorithm::HS256, JwtAlgorithm::HS384, JwtAlgorithm::HS512] {
        let req = request(alg, SigningKeySource::HmacEnv("MINT_TEST_SECRET".into()), None);

        let token = mint_with_clock(&req, &clock).unwrap();
        let verified = auth.verify(&token, &["shared"]).await.unwrap();

        assert_eq!(verified.algorithm(), alg);
        assert!(ScopeRequirement::AllOf(vec!["orders:read".into()]).check(&verified).is_ok());
    }
}

#[tokio::test]
async fn scope_requirements_report_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    set_secret("MINT_TEST_SCOPES");
    let config = provider(json!({"algorithms": ["HS256"], "hmac_secret_env": "MINT_TEST_SCOPES"}));
    let (auth, _clock) = authenticator(&[("shared", config)], dir.path(), 100);
    let mut req =
        request(JwtAlgorithm::HS256, SigningKeySource::HmacEnv("MINT_TEST_SCOPES".into()), None);
    req.scopes = vec!["a".into(), "b".into()];
    let token = mint_with_clock(&req, &ManualClock::new(NOW)).unwrap();
    let verified = auth.verify(&token, &["shared"]).await.unwrap();

    let all = ScopeRequirement::AllOf(vec!["a".into(), "c".into(), "d".into()]);
    let err = all.check(&verified).unwrap_err();
    assert_eq!(err.missing, ["c", "d"]);
    assert_eq!(err.reason(), "insufficient_scope");
    assert_eq!(err.scope_attribute(), "c d");
    assert_eq!(err.to_string(), "token lacks all of the scopes [c, d]");

    assert!(ScopeRequirement::AnyOf(vec!["z".into(), "b".into()]).check(&verified).is_ok());
    assert!(ScopeRequirement::AnyOf(vec![]).check(&verified).is_err());
    assert!(ScopeRequirement::AllOf(vec![]).check(&verified).is_ok());
}

#[test]
fn mint_errors_are_specific() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(NOW);
    let hmac = SigningKeySource::HmacEnv("MINT_TEST_ABSENT".into());
    let err = mint_with_clock(&request(JwtAlgorithm::HS256, hmac.clone(), None), &clock);
    assert_eq!(
        err.unwrap_err().to_string(),
        "environment variable `MINT_TEST_ABSENT` with the hmac secret is not set"
    );

    let err = mint_with_clock(&request(JwtAlgorithm::RS256, hmac, None), &clock).unwrap_err();
    assert!(matches!(err, MintError::KeySourceMismatch { alg: "RS256", .. }), "{err}");

    let path = dir.path().join("ec.pem");
    std::fs::write(&path, &ec256().pem).unwrap();
    let pem = SigningKeySource::PemFile(path);
    let err = mint_with_clock(&request(JwtAlgorithm::RS256, pem.clone(), None), &clock);
    assert_eq!(err.unwrap_err().to_string(), "the key is not a valid RSA private key in PEM form");

    let mut reserved = request(JwtAlgorithm::ES256, pem.clone(), None);
    reserved.extra_claims.insert("exp".into(), json!(1));
    let err = mint_with_clock(&reserved, &clock).unwrap_err();
    assert_eq!(err.to_string(), "extra claim `exp` is reserved; use the matching option instead");

    let mut no_aud = request(JwtAlgorithm::ES256, pem, None);
    no_aud.audiences.clear();
    assert!(matches!(mint_with_clock(&no_aud, &clock), Err(MintError::Invalid { .. })));

    let missing = SigningKeySource::PemFile(dir.path().join("nope.pem"));
    let err = mint_with_clock(&request(JwtAlgorithm::EdDSA, missing, None), &clock).unwrap_err();
    assert!(err.to_string().starts_with("cannot read key file "), "{err}");
}
