//! Measures `JwtAuthenticator::verify_with` per call, cached and uncached, for HS256, RS256,
//! ES256 and EdDSA. Run: `cargo run --release -p rampart-auth --example verify_bench`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rampart_auth::{
    mint_with_clock, AuthOptions, CacheConfig, JwtAlgorithm, JwtAuthenticator, ManualClock,
    MintRequest, ProviderConfig, SigningKeySource,
};
use serde_json::{json, Map};

const NOW: i64 = 1_800_000_000;
const ROUNDS: usize = 5;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("BENCH_HMAC_SECRET", "0123456789abcdef0123456789abcdef0123456789");
    let columns = ("alg", "uncached µs", "cached µs", "1000 distinct µs");
    println!("{:<8} {:>14} {:>14} {:>18}", columns.0, columns.1, columns.2, columns.3);
    for alg in [JwtAlgorithm::HS256, JwtAlgorithm::RS256, JwtAlgorithm::ES256, JwtAlgorithm::EdDSA]
    {
        let (config, key) = setup(alg, dir.path());
        let uncached = authenticator(&config, dir.path(), 0);
        let cached = authenticator(&config, dir.path(), 10_000);
        let token = mint_one(alg, &key, 0);
        let tokens: Vec<String> = (0..1000).map(|n| mint_one(alg, &key, n)).collect();

        let iterations = if alg.is_hmac() { 20_000 } else { 2_000 };
        let slow = median_micros(&uncached, std::slice::from_ref(&token), iterations).await;
        let fast = median_micros(&cached, &[token], 200_000).await;
        let distinct = median_micros(&cached, &tokens, 20_000).await;
        println!("{:<8} {slow:>14.2} {fast:>14.2} {distinct:>18.2}", alg.name());
    }
}

fn setup(alg: JwtAlgorithm, dir: &Path) -> (ProviderConfig, SigningKeySource) {
    let mut config = json!({
        "issuer": "https://bench.test",
        "audiences": ["api"],
        "algorithms": [alg.name()],
    });
    if alg.is_hmac() {
        config["hmac_secret_env"] = json!("BENCH_HMAC_SECRET");
        let key = SigningKeySource::HmacEnv("BENCH_HMAC_SECRET".into());
        return (serde_json::from_value(config).unwrap(), key);
    }

    let pair = rcgen::KeyPair::generate_for(match alg {
        JwtAlgorithm::RS256 => &rcgen::PKCS_RSA_SHA256,
        JwtAlgorithm::ES256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        _ => &rcgen::PKCS_ED25519,
    })
    .unwrap();
    let pem_path = dir.join(format!("{}.pem", alg.name()));
    std::fs::write(&pem_path, pair.serialize_pem()).unwrap();
    let jwks_path = dir.join(format!("{}.json", alg.name()));
    std::fs::write(&jwks_path, json!({"keys": [public_jwk(alg, &pair)]}).to_string()).unwrap();
    config["jwks_file"] = json!(jwks_path);
    (serde_json::from_value(config).unwrap(), SigningKeySource::PemFile(pem_path))
}

fn public_jwk(alg: JwtAlgorithm, pair: &rcgen::KeyPair) -> serde_json::Value {
    let raw = pair.public_key_raw();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    match alg {
        JwtAlgorithm::RS256 => {
            let pem = pair.serialize_pem();
            let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
            let jwk =
                jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::RS256);
            let mut value = serde_json::to_value(jwk.unwrap()).unwrap();
            value["kid"] = json!("k");
            value
        }
        JwtAlgorithm::ES256 => {
            let (x, y) = (b64(&raw[1..33]), b64(&raw[33..]));
            json!({"kty": "EC", "crv": "P-256", "kid": "k", "x": x, "y": y})
        }
        _ => json!({"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": b64(raw)}),
    }
}

fn authenticator(config: &ProviderConfig, dir: &Path, cache: usize) -> JwtAuthenticator {
    let providers = BTreeMap::from([("bench".to_owned(), config.clone())]);
    let options = AuthOptions {
        cache: CacheConfig { max_entries: cache },
        clock: Arc::new(ManualClock::new(NOW)),
    };
    JwtAuthenticator::compile_with(&providers, dir, options).unwrap()
}

fn mint_one(alg: JwtAlgorithm, key: &SigningKeySource, n: usize) -> String {
    let mut extra = Map::new();
    extra.insert("n".into(), json!(n));
    let request = MintRequest {
        issuer: "https://bench.test".into(),
        audiences: vec!["api".into()],
        subject: Some(format!("user-{n}")),
        scopes: vec!["read".into(), "write".into()],
        ttl: Duration::from_secs(3600),
        extra_claims: extra,
        kid: (!alg.is_hmac()).then(|| "k".to_owned()),
        algorithm: alg,
        key: key.clone(),
    };
    mint_with_clock(&request, &ManualClock::new(NOW)).unwrap()
}

/// Median over rounds of the mean time per verification, in microseconds.
async fn median_micros(auth: &JwtAuthenticator, tokens: &[String], iterations: usize) -> f64 {
    let set = auth.resolve(&["bench"]).unwrap();
    for token in tokens {
        auth.verify_with(token, &set).await.unwrap();
    }
    let mut rounds = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for i in 0..iterations {
            let token = &tokens[i % tokens.len()];
            std::hint::black_box(auth.verify_with(token, &set).await.unwrap());
        }
        let total = start.elapsed().as_secs_f64() * 1e6;
        rounds.push(total / iterations as f64);
    }
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}
