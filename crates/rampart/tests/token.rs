//! `rampart token mint` with RSA, EC and Ed25519 keys (algorithm from the key), `token jwks`,
//! and the service-tokens example, through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "exit {:?}: {stderr}", output.status.code());
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Writes a fresh PKCS#8 private key to `dir/NAME.pem` and returns its path as text.
fn key(dir: &Path, name: &str, alg: &'static rcgen::SignatureAlgorithm) -> String {
    let pair = rcgen::KeyPair::generate_for(alg).unwrap();
    let path = dir.join(format!("{name}.pem"));
    std::fs::write(&path, pair.serialize_pem()).unwrap();
    path.to_string_lossy().into_owned()
}

/// `rampart token jwks` for `key`, written to `dir/NAME.jwks.json`.
fn publish(dir: &Path, name: &str, key: &str) {
    let jwks = stdout(&rampart(&["token", "jwks", "--key", key, "--kid", name]));
    std::fs::write(dir.join(format!("{name}.jwks.json")), jwks).unwrap();
}

fn provider_config(dir: &Path, alg: &str) -> String {
    let text = format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:8080"}}]
upstreams: {{orders: {{targets: ["127.0.0.1:9000"]}}}}
jwt_providers:
  checkout:
    {{issuer: checkout, audiences: [orders], algorithms: [{alg}], jwks_file: checkout.jwks.json}}
routes:
  - {{name: orders, match: {{path: "/*"}}, upstream: orders,
      auth: {{jwt: {{providers: [checkout], audiences: [orders]}}}}}}
"#
    );
    let file = dir.join("gateway.yaml");
    std::fs::write(&file, text).unwrap();
    file.to_string_lossy().into_owned()
}

#[test]
fn mint_infers_the_algorithm_and_the_published_jwks_verifies_the_token() {
    let cases: [(&'static rcgen::SignatureAlgorithm, &str); 3] = [
        (&rcgen::PKCS_RSA_SHA256, "RS256"),
        (&rcgen::PKCS_ECDSA_P256_SHA256, "ES256"),
        (&rcgen::PKCS_ED25519, "EdDSA"),
    ];
    for (kind, alg) in cases {
        let dir = tempfile::tempdir().unwrap();
        let key = key(dir.path(), "checkout", kind);
        let args = ["token", "mint", "--issuer", "checkout", "--audience", "orders"];
        let token = stdout(&rampart(&[&args[..], &["--ttl", "5m", "--key", &key]].concat()));

        let shown: serde_json::Value =
            serde_json::from_str(&stdout(&rampart(&["token", "inspect", &token]))).unwrap();
        assert_eq!(shown["header"]["alg"], alg);
        let claims = &shown["claims"];
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 300);

        publish(dir.path(), "checkout", &key);
        let config = provider_config(dir.path(), alg);
        let verdict =
            rampart(&["token", "inspect", &token, "--config", &config, "--provider", "checkout"]);
        assert!(stdout(&verdict).contains("would accept"), "{alg}");
        let checked = rampart(&["check", "--config", &config]);
        assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    }
}

#[test]
fn an_explicit_alg_must_fit_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = key(dir.path(), "svc", &rcgen::PKCS_ED25519);
    let args = ["token", "mint", "--issuer", "svc", "--audience", "x", "--alg", "ES256", "--key"];
    let output = rampart(&[&args[..], &[key.as_str()]].concat());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("EC P-256"), "{stderr}");

    let not_a_key = dir.path().join("notes.pem");
    std::fs::write(&not_a_key, "hello").unwrap();
    let args = ["token", "mint", "--issuer", "svc", "--audience", "x", "--key"];
    let output = rampart(&[&args[..], &[&*not_a_key.to_string_lossy()]].concat());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot tell the algorithm") && stderr.contains("--alg"), "{stderr}");
}

#[test]
fn the_service_tokens_example_is_valid_with_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let checkout = key(&keys, "checkout", &rcgen::PKCS_ED25519);
    let billing = key(&keys, "billing", &rcgen::PKCS_ECDSA_P256_SHA256);
    publish(&keys, "checkout", &checkout);
    publish(&keys, "billing", &billing);

    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/service-tokens/gateway.yaml");
    let config = dir.path().join("gateway.yaml");
    std::fs::copy(example, &config).unwrap();
    let output = rampart(&["check", "--config", &config.to_string_lossy()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
