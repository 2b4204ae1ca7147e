//! Minting tokens for tests and for services (`rampart token mint`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::algorithm::{JwtAlgorithm, KeyFamily};
use crate::clock::{Clock, SystemClock};
use crate::compile::MIN_HMAC_SECRET_BYTES;
use crate::provider::crypto_provider;

/// Claims that [`MintRequest`] sets itself and `extra_claims` may not override.
const RESERVED_CLAIMS: [&str; 8] = ["iss", "aud", "sub", "exp", "iat", "nbf", "scope", "scp"];
/// Longest token lifetime mint accepts: 366 days.
const MAX_TTL: Duration = Duration::from_secs(366 * 24 * 3600);

/// Where the signing key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningKeySource {
    /// An HMAC secret in the named environment variable (HS256/384/512).
    HmacEnv(String),
    /// A PKCS#8 (or PKCS#1 for RSA) PEM private key file (RS*/PS*/ES*/EdDSA).
    PemFile(PathBuf),
}

/// What to put in a minted token.
#[derive(Debug, Clone, PartialEq)]
pub struct MintRequest {
    /// The `iss` claim.
    pub issuer: String,
    /// The `aud` claim: a string when one, an array when several. Must not be empty.
    pub audiences: Vec<String>,
    /// The `sub` claim.
    pub subject: Option<String>,
    /// Scopes, written as the space-separated `scope` claim when not empty.
    pub scopes: Vec<String>,
    /// Lifetime: `exp` is `iat` plus this (1 s to 366 days).
    pub ttl: Duration,
    /// More claims (a JSON object); may not contain the registered claims set above.
    pub extra_claims: Map<String, Value>,
    /// The `kid` header.
    pub kid: Option<String>,
    /// The signature algorithm.
    pub algorithm: JwtAlgorithm,
    /// The signing key.
    pub key: SigningKeySource,
}

/// Why a token could not be minted. Never contains key material or secrets.
#[derive(Debug, Error)]
pub enum MintError {
    /// The environment variable with the HMAC secret is not set.
    #[error("environment variable `{var}` with the hmac secret is not set")]
    SecretEnvMissing {
        /// The variable's name.
        var: String,
    },
    /// The HMAC secret is too short.
    #[error("the secret in `{var}` has {len} bytes; use at least 32 random bytes")]
    SecretTooShort {
        /// The variable's name.
        var: String,
        /// The secret's length.
        len: usize,
    },
    /// The key file cannot be read.
    #[error("cannot read key file {}: {source}", path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key does not parse as a private key for the algorithm.
    #[error("the key is not a valid {expected} private key in PEM form")]
    BadKey {
        /// The kind of key the algorithm needs.
        expected: &'static str,
    },
    /// The key source does not fit the algorithm (HMAC secret for RS256, PEM for HS256).
    #[error("algorithm {alg} cannot be used with {source_kind}")]
    KeySourceMismatch {
        /// The algorithm.
        alg: &'static str,
        /// The key source's kind.
        source_kind: &'static str,
    },
    /// `extra_claims` tries to set a claim mint sets itself.
    #[error("extra claim `{0}` is reserved; use the matching option instead")]
    ReservedClaim(String),
    /// A field has an unusable value.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is expected.
        reason: &'static str,
    },
    /// Signing failed (for example an EC key on the wrong curve for the algorithm).
    #[error("signing with {alg} failed: check that the key matches the algorithm")]
    Sign {
        /// The algorithm.
        alg: &'static str,
    },
}

/// Mints a signed token with the system clock.
pub fn mint(request: &MintRequest) -> Result<String, MintError> {
    mint_with_clock(request, &SystemClock)
}

/// Mints a signed token with `iat` taken from `clock`.
pub fn mint_with_clock(request: &MintRequest, clock: &dyn Clock) -> Result<String, MintError> {
    check_request(request)?;
    let key = load_signing_key(request.algorithm, &request.key)?;
    let claims = build_claims(request, clock.unix_now());
    sign(request.algorithm, request.kid.clone(), &claims, &key)
}

fn check_request(request: &MintRequest) -> Result<(), MintError> {
    if request.issuer.is_empty() {
        return Err(MintError::Invalid { field: "issuer", reason: "must not be empty" });
    }
    if request.audiences.is_empty() || request.audiences.iter().any(String::is_empty) {
        return Err(MintError::Invalid { field: "audience", reason: "give at least one" });
    }
    if request.ttl < Duration::from_secs(1) || request.ttl > MAX_TTL {
        return Err(MintError::Invalid { field: "ttl", reason: "must be 1s to 366 days" });
    }
    if let Some(name) = request.extra_claims.keys().find(|k| RESERVED_CLAIMS.contains(&k.as_str()))
    {
        return Err(MintError::ReservedClaim(name.clone()));
    }
    Ok(())
}

/// Builds the claims object: registered claims first, then the extra ones.
pub(crate) fn build_claims(request: &MintRequest, now: i64) -> Value {
    let ttl = i64::try_from(request.ttl.as_secs()).unwrap_or(i64::MAX);
    let mut claims = Map::new();
    claims.insert("iss".into(), Value::String(request.issuer.clone()));
    claims.insert("aud".into(), audience_value(&request.audiences));
    if let Some(sub) = &request.subject {
        claims.insert("sub".into(), Value::String(sub.clone()));
    }
    if !request.scopes.is_empty() {
        claims.insert("scope".into(), Value::String(request.scopes.join(" ")));
    }
    claims.insert("iat".into(), Value::from(now));
    claims.insert("exp".into(), Value::from(now.saturating_add(ttl)));
    claims.extend(request.extra_claims.clone());
    Value::Object(claims)
}

/// Claims of a service token: `iss` and `sub` are the service, `aud` the target.
pub(crate) fn service_claims(service: &str, audience: &str, ttl: Duration, now: i64) -> Value {
    let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    serde_json::json!({
        "iss": service,
        "sub": service,
        "aud": audience,
        "iat": now,
        "exp": now.saturating_add(ttl),
    })
}

fn audience_value(audiences: &[String]) -> Value {
    match audiences {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

/// Loads the signing key for `alg` from its source.
pub(crate) fn load_signing_key(
    alg: JwtAlgorithm,
    source: &SigningKeySource,
) -> Result<EncodingKey, MintError> {
    match (alg.is_hmac(), source) {
        (true, SigningKeySource::HmacEnv(var)) => hmac_key(var),
        (false, SigningKeySource::PemFile(path)) => pem_key(alg, &read_key_file(path)?),
        (true, SigningKeySource::PemFile(_)) => Err(MintError::KeySourceMismatch {
            alg: alg.name(),
            source_kind: "a PEM key file (HS algorithms need an hmac secret)",
        }),
        (false, SigningKeySource::HmacEnv(_)) => Err(MintError::KeySourceMismatch {
            alg: alg.name(),
            source_kind: "an hmac secret (asymmetric algorithms need a PEM key file)",
        }),
    }
}

fn hmac_key(var: &str) -> Result<EncodingKey, MintError> {
    let secret =
        std::env::var(var).map_err(|_| MintError::SecretEnvMissing { var: var.to_owned() })?;
    if secret.len() < MIN_HMAC_SECRET_BYTES {
        return Err(MintError::SecretTooShort { var: var.to_owned(), len: secret.len() });
    }
    EncodingKey::from_secret(secret.as_bytes()).map_err(|_| MintError::BadKey { expected: "hmac" })
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, MintError> {
    std::fs::read(path).map_err(|source| MintError::KeyFile { path: path.to_path_buf(), source })
}

/// Parses a PEM private key for an asymmetric algorithm.
pub(crate) fn pem_key(alg: JwtAlgorithm, pem: &[u8]) -> Result<EncodingKey, MintError> {
    let (parsed, expected) = match alg.family() {
        KeyFamily::Rsa => (EncodingKey::from_rsa_pem(pem), "RSA"),
        KeyFamily::EcP256 => (EncodingKey::from_ec_pem(pem), "EC P-256"),
        KeyFamily::EcP384 => (EncodingKey::from_ec_pem(pem), "EC P-384"),
        KeyFamily::Ed25519 => (EncodingKey::from_ed_pem(pem), "Ed25519"),
        KeyFamily::Hmac => {
            return Err(MintError::KeySourceMismatch { alg: alg.name(), source_kind: "a PEM key" })
        }
    };
    parsed.map_err(|_| MintError::BadKey { expected })
}

/// Signs `claims` into a compact token.
pub(crate) fn sign(
    alg: JwtAlgorithm,
    kid: Option<String>,
    claims: &Value,
    key: &EncodingKey,
) -> Result<String, MintError> {
    crypto_provider().ok_or(MintError::Sign { alg: alg.name() })?;
    let mut header = Header::new(alg.to_jwt());
    header.kid = kid;
    jsonwebtoken::encode(&header, claims, key).map_err(|_| MintError::Sign { alg: alg.name() })
}
