//! The verified-token cache: hits skip the signature check, entries end at `exp`, the size
//! is bounded, and a hit never crosses into a route that does not accept the provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn a_repeated_token_costs_no_signature_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 100);
    let token = token_with(rsa(), &claims());

    let first = auth.verify(&token, &["main"]).await.unwrap();
    let second = auth.verify(&token, &["main"]).await.unwrap();

    let stats = auth.stats();
    assert_eq!(stats.signature_checks, 1);
    assert_eq!((stats.cache_hits, stats.cache_misses), (1, 1));
    assert!(std::sync::Arc::ptr_eq(&first, &second));
}

#[tokio::test]
async fn an_entry_ends_at_the_token_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let (auth, clock) = authenticator(&[("main", config)], dir.path(), 100);
    let token = token_with(rsa(), &claims());
    auth.verify(&token, &["main"]).await.unwrap();

    clock.set(NOW + 299);
    auth.verify(&token, &["main"]).await.unwrap();
    assert_eq!(auth.stats().signature_checks, 1);

    clock.set(NOW + 300);
    auth.verify(&token, &["main"]).await.unwrap();
    assert_eq!(auth.stats().signature_checks, 2, "at exp the entry must be gone");

    clock.set(NOW + 360);
    let err = auth.verify(&token, &["main"]).await.unwrap_err();
    assert_eq!(err.reason(), "expired");
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    set_secret("CACHE_TEST_SECRET");
    let config = provider(json!({"algorithms": ["HS256"], "hmac_secret_env": "CACHE_TEST_SECRET"}));
    let (auth, _clock) = authenticator(&[("shared", config)], dir.path(), 32);
    let key = jsonwebtoken::EncodingKey::from_secret(&set_secret("CACHE_TEST_SECRET")).unwrap();

    for n in 0..500 {
        let mut claims = claims();
        claims["n"] = json!(n);
        let token =
            sign_raw(&json!({"alg": "HS256"}), &claims, &key, jsonwebtoken::Algorithm::HS256);
        auth.verify(&token, &["shared"]).await.unwrap();
    }

    let entries = auth.stats().cache_entries;
    assert!(entries > 0 && entries <= 32, "{entries} entries");
}

#[tokio::test]
async fn a_zero_sized_cache_disables_caching() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[ec256()], &["ES256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 0);
    let token = token_with(ec256(), &claims());

    auth.verify(&token, &["main"]).await.unwrap();
    auth.verify(&token, &["main"]).await.unwrap();

    assert_eq!(auth.stats().signature_checks, 2);
}

#[tokio::test]
async fn a_cached_token_is_not_accepted_by_a_route_without_its_provider() {
    let dir = tempfile::tempdir().unwrap();
    let main = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let mut other = main.clone();
    other.audiences = vec!["elsewhere".into()];
    let (auth, _clock) = authenticator(&[("main", main), ("other", other)], dir.path(), 100);
    let token = token_with(rsa(), &claims());
    auth.verify(&token, &["main"]).await.unwrap();

    let err = auth.verify(&token, &["other"]).await.unwrap_err();

    assert_eq!(err.reason(), "wrong_audience");
    assert_eq!(auth.stats().cache_hits, 0);
}

#[tokio::test]
async fn a_provider_set_from_another_authenticator_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let (first, _) = authenticator(&[("main", config.clone())], dir.path(), 100);
    let (second, _) = authenticator(&[("main", config)], dir.path(), 100);
    let set = first.resolve(&["main"]).unwrap();
    let token = token_with(rsa(), &claims());

    assert!(first.verify_with(&token, &set).await.is_ok());
    let err = second.verify_with(&token, &set).await.unwrap_err();

    assert_eq!(err.reason(), "unknown_provider");
}
