//! Splitting and decoding a compact JWS (`header.payload.signature`) without trusting it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::algorithm::JwtAlgorithm;
use crate::token_error::TokenError;

/// Longest `kid` kept in errors, so a hostile header cannot bloat logs.
const MAX_KID_IN_ERROR: usize = 64;

/// The decoded, still unverified parts of a token.
#[derive(Debug)]
pub(crate) struct Compact<'t> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'t str,
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// The algorithm named by the header.
    pub alg: JwtAlgorithm,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The decoded claims.
    pub claims: Map<String, Value>,
}

/// The raw header and claims of a token, decoded but not checked at all.
#[derive(Debug)]
pub(crate) struct RawParts<'t> {
    pub signing_input: &'t str,
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub signature_b64: &'t str,
}

/// Decodes the three segments; checks only structure, encoding and JSON shape.
pub(crate) fn decode_raw(token: &str) -> Result<RawParts<'_>, TokenError> {
    let mut segments = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (segments.next(), segments.next(), segments.next(), segments.next())
    else {
        return Err(TokenError::Malformed);
    };

    let header = decode_object(header_b64, "header")?;
    let claims = decode_object(payload_b64, "payload")?;
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    Ok(RawParts { signing_input, header, claims, signature_b64 })
}

/// Decodes a token and checks its header: `alg` known and not `none`, no `crit`.
pub(crate) fn decode(token: &str) -> Result<Compact<'_>, TokenError> {
    let raw = decode_raw(token)?;
    let alg = header_alg(&raw.header)?;
    if raw.header.contains_key("crit") {
        return Err(TokenError::CritHeader);
    }

    let kid = header_kid(&raw.header)?;
    let signature = decode_b64(raw.signature_b64, "signature")?;
    Ok(Compact { signing_input: raw.signing_input, signature, alg, kid, claims: raw.claims })
}

/// The header's algorithm; `none` (in any case) and unknown names are denied.
pub(crate) fn header_alg(header: &Map<String, Value>) -> Result<JwtAlgorithm, TokenError> {
    let Some(Value::String(name)) = header.get("alg") else {
        return Err(TokenError::AlgUnsupported);
    };
    if name.eq_ignore_ascii_case("none") {
        return Err(TokenError::AlgNone);
    }
    JwtAlgorithm::from_name(name).ok_or(TokenError::AlgUnsupported)
}

/// The header's `kid`; a non-string `kid` is malformed.
pub(crate) fn header_kid(header: &Map<String, Value>) -> Result<Option<String>, TokenError> {
    match header.get("kid") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(kid)) => Ok(Some(kid.clone())),
        Some(_) => Err(TokenError::BadJson { segment: "header" }),
    }
}

/// A `kid` shortened for error messages.
pub(crate) fn kid_for_error(kid: &str) -> String {
    kid.chars().take(MAX_KID_IN_ERROR).collect()
}

fn decode_object(segment: &str, name: &'static str) -> Result<Map<String, Value>, TokenError> {
    let bytes = decode_b64(segment, name)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::BadJson { segment: name }),
    }
}

fn decode_b64(segment: &str, name: &'static str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|_| TokenError::BadEncoding { segment: name })
}
