//! Provider configuration errors, each message naming the provider and the field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use rampart_auth::{
    AuthConfigError, JwtAuthenticator, ProviderConfig, ScopeRequirement, DEFAULT_MAX_TOKEN_BYTES,
};
use serde_json::json;

fn compile_one(config: ProviderConfig, dir: &Path) -> Result<JwtAuthenticator, AuthConfigError> {
    let map = BTreeMap::from([("corp".to_owned(), config)]);
    JwtAuthenticator::compile(&map, dir)
}

fn message(config: ProviderConfig, dir: &Path) -> String {
    compile_one(config, dir).unwrap_err().to_string()
}

#[test]
fn defaults_are_documented_values() {
    let config = provider(json!({"jwks_url": "http://127.0.0.1:1/jwks"}));

    assert_eq!(config.jwks_refresh_secs, 300);
    assert_eq!(config.jwks_refetch_min_secs, 30);
    assert_eq!(config.jwks_fetch_timeout_secs, 5);
    assert_eq!(config.leeway_secs, 60);
    assert_eq!(config.max_token_bytes, DEFAULT_MAX_TOKEN_BYTES);
    assert!(config.required_claims.is_empty());
}

#[test]
fn unknown_fields_and_algorithms_are_rejected_by_serde() {
    let base = json!({"issuer": "i", "audiences": ["a"], "algorithms": ["RS256"]});
    let mut unknown = base.clone();
    unknown["jwks_uri"] = json!("http://x");
    let err = serde_json::from_value::<ProviderConfig>(unknown).unwrap_err().to_string();
    assert!(err.contains("unknown field `jwks_uri`"), "{err}");

    for alg in ["none", "HS1", "rs256"] {
        let mut bad = base.clone();
        bad["algorithms"] = json!([alg]);
        let err = serde_json::from_value::<ProviderConfig>(bad).unwrap_err().to_string();
        assert!(err.contains(&format!("unknown variant `{alg}`")), "{err}");
    }
}

#[test]
fn no_key_source_is_rejected() {
    let dir = tempfile::tempdir().unwrap();

    let msg = message(provider(json!({})), dir.path());

    assert_eq!(
        msg,
        "jwt provider `corp`: no key source; set exactly one of `jwks_file`, `jwks_url` or \
         `hmac_secret_env`"
    );
}

#[test]
fn two_key_sources_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = provider(json!({"jwks_file": "a.json", "jwks_url": "http://127.0.0.1:9/"}));

    let msg = message(config, dir.path());

    assert_eq!(
        msg,
        "jwt provider `corp`: `jwks_file`, `jwks_url` are all set; set exactly one key source"
    );
}

#[test]
fn missing_secret_variable_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        provider(json!({"algorithms": ["HS256"], "hmac_secret_env": "CONFIG_TEST_UNSET_VAR"}));

    let msg = message(config, dir.path());

    assert_eq!(
        msg,
        "jwt provider `corp`: field `hmac_secret_env`: environment variable \
         `CONFIG_TEST_UNSET_VAR` is not set"
    );
}

#[test]
fn short_secret_is_rejected_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("CONFIG_TEST_SHORT", "hunter2-hunter2");
    let config = provider(json!({"algorithms": ["HS256"], "hmac_secret_env": "CONFIG_TEST_SHORT"}));

    let msg = message(config, dir.path());

    assert_eq!(
        msg,
        "jwt provider `corp`: field `hmac_secret_env`: the secret in `CONFIG_TEST_SHORT` has 15 \
         bytes; use at least 32 random bytes"
    );
    assert!(!msg.contains("hunter2"));
}

#[test]
fn hmac_secret_cannot_serve_asymmetric_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    set_secret("CONFIG_TEST_MIXED");
    let config =
        provider(json!({"algorithms": ["HS256", "RS256"], "hmac_secret_env": "CONFIG_TEST_MIXED"}));

    let msg = message(config, dir.path());

    assert_eq!(
        msg,
        "jwt provider `corp`: field `algorithms`: no key can verify RS256; `hmac_secret_env` \
         serves only HS256/HS384/HS512"
    );
}

#[test]
fn jwks_sources_cannot_serve_hmac_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256", "HS256"]);

    let msg = message(config, dir.path());

    assert!(msg.starts_with("jwt provider `corp`: field `algorithms`: no key can verify HS256;"));
}

#[test]
fn algorithm_without_a_matching_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = jwks_file_provider(dir.path(), &[rsa()], &["RS256", "ES384"]);

    let msg = message(config, dir.path());

    assert_eq!(
        msg,
        "jwt provider `corp`: field `algorithms`: no key can verify ES384; add a key of that \
         type to the JWKS or remove the algorithm"
    );
}

#[test]
fn unreadable_jwks_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = provider(json!({"jwks_file": "missing.json"}));

    let msg = message(config, dir.path());

    let expected = format!(
        "jwt provider `corp`: field `jwks_file`: cannot read {}/missing.json:",
        dir.path().display()
    );
    assert!(msg.starts_with(&expected), "{msg}");
}

#[test]
fn invalid_jwks_documents_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{\"keys\": 3}", "invalid jwks: not a JWKS document"),
        ("[]", "invalid jwks: not a JWKS document"),
        ("{\"keys\": []}", "invalid jwks: no usable signing key"),
        ("{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}", "invalid jwks: no usable"),
        ("{\"keys\": [{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}]}", "no usable"),
    ];
    for (document, expected) in cases {
        std::fs::write(dir.path().join("bad.json"), document).unwrap();
        let config = provider(json!({"jwks_file": "bad.json"}));

        let msg = message(config, dir.path());

        assert!(msg.starts_with("jwt provider `corp`: field `jwks_file`: "), "{msg}");
        assert!(msg.contains(expected), "{document}: {msg}");
    }
}

#[test]
fn out_of_range_fields_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let url = json!("http://127.0.0.1:9/jwks");
    let cases = [
        (json!({"jwks_url": url, "audiences": []}), "field `audiences`"),
        (json!({"jwks_url": url, "algorithms": []}), "field `algorithms`"),
        (json!({"jwks_url": url, "issuer": ""}), "field `issuer`"),
        (json!({"jwks_url": url, "leeway_secs": 86400}), "field `leeway_secs`: must be at most"),
        (json!({"jwks_url": url, "max_token_bytes": 10}), "field `max_token_bytes`"),
        (json!({"jwks_url": url, "jwks_refresh_secs": 1}), "field `jwks_refresh_secs`"),
        (json!({"jwks_url": "ftp://x/jwks"}), "field `jwks_url`: must start with https://"),
        (json!({"jwks_url": url, "jwks_ca_file": "ca.pem"}), "field `jwks_ca_file`: only applies"),
        (json!({"jwks_file": "j.json", "jwks_ca_file": "ca.pem"}), "field `jwks_ca_file`"),
        (
            json!({"jwks_url": "https://idp/jwks", "jwks_ca_file": "none.pem"}),
            "field `jwks_ca_file`: cannot read",
        ),
        (json!({"jwks_url": "http://u:p@idp/jwks"}), "must not contain credentials"),
    ];
    for (extra, expected) in cases {
        let msg = message(provider(extra.clone()), dir.path());

        assert!(msg.starts_with("jwt provider `corp`: "), "{msg}");
        assert!(msg.contains(expected), "{extra}: {msg}");
    }
}

#[test]
fn serialization_never_contains_the_secret() {
    let secret = set_secret("CONFIG_TEST_REDACT");
    let config =
        provider(json!({"algorithms": ["HS256"], "hmac_secret_env": "CONFIG_TEST_REDACT"}));
    let dir = tempfile::tempdir().unwrap();
    assert!(compile_one(config.clone(), dir.path()).is_ok());

    let out = serde_json::to_string(&config).unwrap();

    assert!(out.contains("\"hmac_secret_env\":\"CONFIG_TEST_REDACT\""));
    assert!(!out.contains(std::str::from_utf8(&secret).unwrap()));
    let back: ProviderConfig = serde_json::from_str(&out).unwrap();
    assert_eq!(back, config);
}

#[test]
fn scope_requirements_parse_from_both_shapes() {
    let all: ScopeRequirement = serde_json::from_value(json!({"all_of": ["a", "b"]})).unwrap();
    let any: ScopeRequirement = serde_json::from_value(json!({"any_of": ["c"]})).unwrap();

    assert_eq!(all, ScopeRequirement::AllOf(vec!["a".into(), "b".into()]));
    assert_eq!(any, ScopeRequirement::AnyOf(vec!["c".into()]));
    assert!(serde_json::from_value::<ScopeRequirement>(json!({"one_of": ["c"]})).is_err());
}
