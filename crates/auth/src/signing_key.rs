//! What a PEM private key is: the algorithm it signs with, and its public half as a JWKS.
//!
//! `rampart token mint --key KEY.pem` uses [`infer_algorithm`] when `--alg` is not given, and
//! `rampart token jwks` uses [`public_jwks`] to publish the key a provider's `jwks_file` needs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use jsonwebtoken::EncodingKey;

use crate::algorithm::JwtAlgorithm;
use crate::mint::{pem_key, MintError};
use crate::provider::crypto_provider;

/// The JWS algorithm a PEM private key naturally signs with: RS256 for RSA, ES256 or ES384 for
/// EC P-256 or P-384, EdDSA for Ed25519. The key is parsed, not only its PEM label read.
pub fn infer_algorithm(pem: &[u8]) -> Result<JwtAlgorithm, MintError> {
    const CANDIDATES: [JwtAlgorithm; 4] =
        [JwtAlgorithm::RS256, JwtAlgorithm::ES256, JwtAlgorithm::ES384, JwtAlgorithm::EdDSA];

    for alg in CANDIDATES {
        let Ok(key) = pem_key(alg, pem) else { continue };
        if public_jwk(&key, alg).is_ok() {
            return Ok(alg);
        }
    }
    Err(MintError::BadKey { expected: "RSA, EC P-256, EC P-384 or Ed25519 (PKCS#8)" })
}

/// A JWKS document (`{"keys": [...]}`) with the public half of a PEM private key, marked
/// `use: sig` and `alg`, and `kid` when given: what a provider's `jwks_file` holds.
pub fn public_jwks(
    pem: &[u8],
    alg: JwtAlgorithm,
    kid: Option<&str>,
) -> Result<serde_json::Value, MintError> {
    let key = pem_key(alg, pem)?;
    let mut jwk = public_jwk(&key, alg)?;
    jwk.common.key_id = kid.map(str::to_owned);
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);

    serde_json::to_value(JwkSet { keys: vec![jwk] })
        .map_err(|_| MintError::Invalid { field: "key", reason: "cannot be written as a JWK" })
}

/// The public JWK of `key` for `alg`; fails when the key does not fit the algorithm (for
/// example a P-384 key for ES256).
fn public_jwk(key: &EncodingKey, alg: JwtAlgorithm) -> Result<Jwk, MintError> {
    let provider = crypto_provider().ok_or(MintError::Sign { alg: alg.name() })?;
    let bad_key = |_| MintError::BadKey { expected: expected_key(alg) };
    if alg != JwtAlgorithm::EdDSA {
        return Jwk::from_encoding_key(key, alg.to_jwt()).map_err(bad_key);
    }

    // jsonwebtoken's own conversion only takes PKCS#8 v1 Ed25519 keys (48 bytes); v2 keys,
    // which carry the public key too (rcgen, some HSM exports), go through the provider.
    let derive = provider.key_utils.ed_pub_components_from_private_key;
    let public = derive(key.as_bytes(), &EllipticCurve::Ed25519).map_err(bad_key)?;
    Ok(Jwk {
        common: CommonParameters {
            key_algorithm: Some(KeyAlgorithm::EdDSA),
            ..CommonParameters::default()
        },
        algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: URL_SAFE_NO_PAD.encode(public),
        }),
    })
}

fn expected_key(alg: JwtAlgorithm) -> &'static str {
    match alg {
        JwtAlgorithm::ES256 => "EC P-256",
        JwtAlgorithm::ES384 => "EC P-384",
        JwtAlgorithm::EdDSA => "Ed25519",
        _ => "RSA",
    }
}
