//! Parsing JWKS documents (RFC 7517) into verification keys, skipping keys rampart must not use.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use crate::algorithm::{JwtAlgorithm, KeyFamily};
use crate::keys::VerifyKey;

/// Most keys read from one JWKS document.
const MAX_KEYS: usize = 64;
/// Smallest accepted RSA modulus, in bytes (2048 bits).
const MIN_RSA_MODULUS_BYTES: usize = 256;

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// Parses a JWKS document. Keys that cannot be used for signatures (encryption keys,
/// symmetric keys, unknown types or curves, short RSA moduli) are skipped with a debug event.
pub(crate) fn parse_jwks(bytes: &[u8]) -> Result<Vec<VerifyKey>, String> {
    let jwks: RawJwks =
        serde_json::from_slice(bytes).map_err(|err| format!("not a JWKS document: {err}"))?;
    if jwks.keys.len() > MAX_KEYS {
        return Err(format!("{} keys, at most {MAX_KEYS} are accepted", jwks.keys.len()));
    }

    let mut keys = Vec::with_capacity(jwks.keys.len());
    for (index, value) in jwks.keys.into_iter().enumerate() {
        match parse_key(value) {
            Ok(key) => keys.push(key),
            Err(reason) => tracing::debug!(jwk.index = index, jwk.skipped = reason, "jwk skipped"),
        }
    }
    Ok(keys)
}

fn parse_key(value: serde_json::Value) -> Result<VerifyKey, &'static str> {
    let raw: RawJwk = serde_json::from_value(value).map_err(|_| "not a JWK object")?;
    if raw.key_use.as_deref().is_some_and(|key_use| key_use != "sig") {
        return Err("not a signing key");
    }

    let (family, key) = match raw.kty.as_str() {
        "RSA" => rsa_key(&raw)?,
        "EC" => ec_key(&raw)?,
        "OKP" => okp_key(&raw)?,
        "oct" => return Err("symmetric keys are not accepted from a JWKS"),
        _ => return Err("unknown key type"),
    };

    let alg = key_alg(&raw, family)?;
    Ok(VerifyKey { kid: raw.kid, family, alg, key })
}

fn key_alg(raw: &RawJwk, family: KeyFamily) -> Result<Option<JwtAlgorithm>, &'static str> {
    let Some(name) = raw.alg.as_deref() else {
        return Ok(None);
    };
    match JwtAlgorithm::from_name(name) {
        Some(alg) if alg.family() == family => Ok(Some(alg)),
        _ => Err("alg does not fit the key type"),
    }
}

fn rsa_key(raw: &RawJwk) -> Result<(KeyFamily, DecodingKey), &'static str> {
    let n = component(raw.n.as_deref())?;
    let e = component(raw.e.as_deref())?;
    let significant = n.iter().skip_while(|byte| **byte == 0).count();
    if significant < MIN_RSA_MODULUS_BYTES {
        return Err("RSA modulus shorter than 2048 bits");
    }
    Ok((KeyFamily::Rsa, DecodingKey::from_rsa_raw_components(&n, &e)))
}

fn ec_key(raw: &RawJwk) -> Result<(KeyFamily, DecodingKey), &'static str> {
    let (family, size) = match raw.crv.as_deref() {
        Some("P-256") => (KeyFamily::EcP256, 32),
        Some("P-384") => (KeyFamily::EcP384, 48),
        _ => return Err("unsupported EC curve"),
    };
    let x = component(raw.x.as_deref())?;
    let y = component(raw.y.as_deref())?;
    if x.len() != size || y.len() != size {
        return Err("EC coordinates have the wrong length");
    }

    let mut point = Vec::with_capacity(1 + 2 * size);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Ok((family, DecodingKey::from_ec_der(&point)))
}

fn okp_key(raw: &RawJwk) -> Result<(KeyFamily, DecodingKey), &'static str> {
    if raw.crv.as_deref() != Some("Ed25519") {
        return Err("unsupported OKP curve");
    }
    let x = component(raw.x.as_deref())?;
    if x.len() != 32 {
        return Err("Ed25519 key has the wrong length");
    }
    Ok((KeyFamily::Ed25519, DecodingKey::from_ed_der(&x)))
}

fn component(value: Option<&str>) -> Result<Vec<u8>, &'static str> {
    let value = value.ok_or("missing key parameter")?;
    URL_SAFE_NO_PAD.decode(value).map_err(|_| "key parameter is not base64url")
}
