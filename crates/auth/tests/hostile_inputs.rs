//! Hostile and mangled tokens: every one is denied with an error, never a panic, and a
//! mangled valid token never verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::*;
use rampart_auth::TokenError;
use serde_json::json;

#[tokio::test]
async fn every_single_byte_change_of_a_valid_token_is_denied() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[ec256()], &["ES256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 0);
    let token = token_with(ec256(), &claims());
    assert!(auth.verify(&token, &["main"]).await.is_ok());

    for position in 0..token.len() {
        for replacement in [b'A', b'.', b'-', b'_', b'~'] {
            let mut bytes = token.clone().into_bytes();
            if bytes[position] == replacement {
                continue;
            }
            bytes[position] = replacement;
            let mangled = String::from_utf8(bytes).unwrap();

            let result = auth.verify(&mangled, &["main"]).await;

            assert!(result.is_err(), "mangled at {position} with {replacement} verified");
        }
    }
}

#[tokio::test]
async fn truncations_and_extensions_are_denied() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 0);
    let token = token_with(rsa(), &claims());

    for end in 0..token.len() {
        assert!(auth.verify(&token[..end], &["main"]).await.is_err(), "prefix of {end}");
    }
    for suffix in [".", "A", "..", ".e30"] {
        assert!(auth.verify(&format!("{token}{suffix}"), &["main"]).await.is_err());
    }
}

#[tokio::test]
async fn deep_nesting_and_extreme_numbers_are_denied_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 0);

    let deep = format!("{}{}", "[".repeat(1500), "]".repeat(1500));
    let header = base64_raw(&format!("{{\"alg\":\"RS256\",\"x\":{deep}}}"));
    let token = format!("{header}.{}.c2ln", b64_json(&claims()));
    let err = auth.verify(&token, &["main"]).await.unwrap_err();
    assert_eq!(err, TokenError::BadJson { segment: "header" });

    for exp in [json!(1e300), json!(-1e300), json!(u64::MAX), json!("1")] {
        let mut claims = claims();
        claims["exp"] = exp.clone();
        let err = auth.verify(&token_with(rsa(), &claims), &["main"]).await.unwrap_err();
        assert!(matches!(err.reason(), "bad_claim" | "expired"), "exp {exp}: {err:?}");
    }
}

#[tokio::test]
async fn non_ascii_and_control_characters_are_denied() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let (auth, _clock) = authenticator(&[("main", config)], dir.path(), 0);

    for token in ["é.é.é", "\u{0}.\u{0}.\u{0}", "a b.c.d", "..", "...."] {
        let err = auth.verify(token, &["main"]).await.unwrap_err();
        assert!(
            matches!(err.reason(), "malformed" | "bad_encoding" | "bad_json"),
            "{token:?}: {err:?}"
        );
    }
}

fn base64_raw(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
