//! docs/auth.md's denial table lists every reason with its exact client description.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use rampart_auth::{MissingScopes, TokenError};

fn every_token_error() -> Vec<TokenError> {
    let p = || "p".to_owned();
    vec![
        TokenError::TooLarge { len: 1, max: 0 },
        TokenError::Malformed,
        TokenError::BadEncoding { segment: "header" },
        TokenError::BadJson { segment: "header" },
        TokenError::AlgNone,
        TokenError::AlgUnsupported,
        TokenError::AlgNotAllowed { alg: "HS256", provider: p() },
        TokenError::CritHeader,
        TokenError::KeyAlgMismatch { alg: "HS256", kid: p() },
        TokenError::UnknownKid { kid: p(), provider: p() },
        TokenError::KidRequired { provider: p() },
        TokenError::KeysUnavailable { provider: p() },
        TokenError::BadSignature,
        TokenError::WrongIssuer,
        TokenError::WrongAudience { provider: p() },
        TokenError::Expired { exp: 0, now: 0, leeway: 0 },
        TokenError::NotYetValid { nbf: 0, now: 0 },
        TokenError::IssuedInFuture { iat: 0, now: 0 },
        TokenError::MissingClaim { claim: p() },
        TokenError::BadClaim { claim: "sub" },
        TokenError::UnknownProvider { name: p() },
    ]
}

#[test]
fn every_reason_is_documented_with_its_description() {
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/auth.md");
    let doc = std::fs::read_to_string(doc_path).unwrap();

    for err in every_token_error() {
        let row = format!("| `{}` | `invalid_token` | 401 | {} |", err.reason(), err.description());
        assert!(doc.contains(&row), "docs/auth.md lacks the row: {row}");
    }
    let missing = MissingScopes { missing: vec!["a".into()], any_of: false };
    let row = format!(
        "| `{}` | `{}` | 403 | {} |",
        missing.reason(),
        missing.error_code(),
        missing.description()
    );
    assert!(doc.contains(&row), "docs/auth.md lacks the row: {row}");
}

#[test]
fn reasons_are_unique_and_descriptions_leak_nothing() {
    let errors = every_token_error();
    let mut reasons: Vec<&str> = errors.iter().map(TokenError::reason).collect();
    reasons.sort_unstable();
    reasons.dedup();
    assert_eq!(reasons.len(), errors.len());

    for err in &errors {
        let description = err.description();
        assert!(!description.contains('"') && !description.contains("HS256"), "{description}");
    }
}
