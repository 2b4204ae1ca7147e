//! Shared fixtures: keys made at test time with rcgen, JWKS documents, token builders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use rampart_auth::{AuthOptions, CacheConfig, JwtAuthenticator, ManualClock, ProviderConfig};
use serde_json::{json, Value};

/// The fixed time every test starts at.
pub const NOW: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://idp.test";
pub const AUDIENCE: &str = "orders-api";

/// A private key with its public JWK.
pub struct TestKey {
    pub alg: Algorithm,
    pub kid: String,
    pub pem: String,
    pub public_pem: String,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

fn generate(alg: Algorithm, kid: &str) -> TestKey {
    let rcgen_alg = match alg {
        Algorithm::RS256 | Algorithm::PS256 => &rcgen::PKCS_RSA_SHA256,
        Algorithm::ES256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::ES384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        Algorithm::EdDSA => &rcgen::PKCS_ED25519,
        other => panic!("no key generation for {other:?}"),
    };
    let pair = rcgen::KeyPair::generate_for(rcgen_alg).unwrap();
    let pem = pair.serialize_pem();
    let encoding = match alg {
        Algorithm::RS256 | Algorithm::PS256 => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
    };
    let jwk = public_jwk(alg, kid, &pair, &encoding);
    let public_pem = pair.public_key_pem();
    TestKey { alg, kid: kid.to_owned(), pem, public_pem, encoding, jwk }
}

fn public_jwk(alg: Algorithm, kid: &str, pair: &rcgen::KeyPair, enc: &EncodingKey) -> Value {
    let raw = pair.public_key_raw();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    match alg {
        Algorithm::RS256 | Algorithm::PS256 => {
            let mut jwk = serde_json::to_value(Jwk::from_encoding_key(enc, alg).unwrap()).unwrap();
            jwk.as_object_mut().unwrap().remove("alg");
            jwk["kid"] = json!(kid);
            jwk
        }
        Algorithm::ES256 => {
            let (x, y) = (b64(&raw[1..33]), b64(&raw[33..65]));
            json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": x, "y": y})
        }
        Algorithm::ES384 => {
            let (x, y) = (b64(&raw[1..49]), b64(&raw[49..97]));
            json!({"kty": "EC", "crv": "P-384", "kid": kid, "x": x, "y": y})
        }
        _ => json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(raw)}),
    }
}

/// Keys generated once per test binary (RSA generation is slow).
pub fn rsa() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(Algorithm::RS256, "rsa-1"))
}

/// A second RSA key, for rotation.
pub fn rsa2() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(Algorithm::RS256, "rsa-2"))
}

pub fn ec256() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(Algorithm::ES256, "ec-256"))
}

pub fn ec384() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(Algorithm::ES384, "ec-384"))
}

pub fn ed25519() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| generate(Algorithm::EdDSA, "ed-1"))
}

/// A JWKS document with the public halves of `keys`.
pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({ "keys": keys.iter().map(|key| key.jwk.clone()).collect::<Vec<_>>() })
}

pub fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Signs any header and claims (including hostile ones) with `key` under `alg`.
pub fn sign_raw(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    let message = format!("{}.{}", b64_json(header), b64_json(claims));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

/// Standard valid claims at [`NOW`].
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "iat": NOW,
        "exp": NOW + 300,
        "scope": "orders:read orders:write",
    })
}

/// A token signed with a generated key, its kid in the header.
pub fn token_with(key: &TestKey, claims: &Value) -> String {
    let header = json!({"alg": alg_name(key.alg), "typ": "JWT", "kid": key.kid});
    sign_raw(&header, claims, &key.encoding, key.alg)
}

pub fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::RS256 => "RS256",
        Algorithm::PS256 => "PS256",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::EdDSA => "EdDSA",
        other => panic!("unused alg {other:?}"),
    }
}

/// A provider config from JSON (so serde defaults are exercised).
pub fn provider(extra: Value) -> ProviderConfig {
    let mut base = json!({
        "issuer": ISSUER,
        "audiences": [AUDIENCE],
        "algorithms": ["RS256"],
    });
    for (key, value) in extra.as_object().unwrap() {
        base[key] = value.clone();
    }
    serde_json::from_value(base).unwrap()
}

/// Writes a JWKS file in `dir` and returns a provider config using it.
pub fn jwks_file_provider(dir: &Path, keys: &[&TestKey], algorithms: &[&str]) -> ProviderConfig {
    std::fs::write(dir.join("jwks.json"), serde_json::to_vec(&jwks(keys)).unwrap()).unwrap();
    provider(json!({"jwks_file": "jwks.json", "algorithms": algorithms}))
}

/// An authenticator with a manual clock at [`NOW`].
pub fn authenticator(
    providers: &[(&str, ProviderConfig)],
    dir: &Path,
    cache_entries: usize,
) -> (JwtAuthenticator, ManualClock) {
    let clock = ManualClock::new(NOW);
    let options = AuthOptions {
        cache: CacheConfig { max_entries: cache_entries },
        clock: Arc::new(clock.clone()),
    };
    let map: BTreeMap<String, ProviderConfig> =
        providers.iter().map(|(name, config)| ((*name).to_owned(), config.clone())).collect();
    (JwtAuthenticator::compile_with(&map, dir, options).unwrap(), clock)
}

/// A 48-byte HMAC secret set in the environment variable `var`.
pub fn set_secret(var: &str) -> Vec<u8> {
    let secret = format!("{var:-<48}").into_bytes();
    std::env::set_var(var, std::str::from_utf8(&secret).unwrap());
    secret
}
