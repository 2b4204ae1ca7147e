//! `inspect` decodes without verifying; `explain` lists every reason a provider would deny.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::*;
use rampart_auth::{explain_at, inspect, ManualClock, UNVERIFIED_NOTICE};
use serde_json::json;

#[test]
fn inspect_decodes_header_and_claims_without_verifying() {
    let token = token_with(rsa(), &claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[2] = "AAAA";
    let forged = parts.join(".");

    let inspection = inspect(&forged).unwrap();

    assert_eq!(inspection.header["kid"], json!("rsa-1"));
    assert_eq!(inspection.claims["sub"], json!("alice"));
    assert_eq!(inspection.signature_bytes, 3);
    assert!(UNVERIFIED_NOTICE.starts_with("UNVERIFIED"));
    assert_eq!(inspect("not-a-token").unwrap_err().reason(), "malformed");
}

#[tokio::test]
async fn explain_lists_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let mut bad = claims();
    bad["iss"] = json!("https://evil.test");
    bad["aud"] = json!("nobody");
    bad["exp"] = json!(NOW - 3600);
    let header = json!({"alg": "RS256", "kid": "rsa-1"});
    let token = sign_raw(&header, &bad, &rsa2().encoding, jsonwebtoken::Algorithm::RS256);

    let lines = explain_at(&token, &config, dir.path(), &ManualClock::new(NOW)).await;

    let reasons: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(reasons, ["bad_signature", "wrong_issuer", "wrong_audience", "expired"]);
}

#[tokio::test]
async fn explain_reports_header_and_claim_problems_together() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let mut bad = claims();
    bad.as_object_mut().unwrap().remove("exp");
    let token = format!("{}.{}.", b64_json(&json!({"alg": "none"})), b64_json(&bad));

    let lines = explain_at(&token, &config, dir.path(), &ManualClock::new(NOW)).await;

    assert_eq!(
        lines,
        ["alg_none: token is unsigned (alg none)", "missing_claim: token lacks required claim exp"]
    );
}

#[tokio::test]
async fn explain_accepts_a_good_token_and_reports_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256"]);
    let token = token_with(rsa(), &claims());

    let lines = explain_at(&token, &config, dir.path(), &ManualClock::new(NOW)).await;
    let accepted = "accepted: the provider would accept this token \
                    (sub alice, scopes [orders:read orders:write])";
    assert_eq!(lines, [accepted]);

    let broken = provider(json!({}));
    let lines = explain_at(&token, &broken, dir.path(), &ManualClock::new(NOW)).await;
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("config: jwt provider `provider`: no key source"), "{lines:?}");
}
