//! Generating API keys and hashing them.
//!
//! Keys are `rk_` followed by 32 random bytes in unpadded base64url (256 bits of entropy).
//! Only SHA-256 digests are stored. A fast unsalted hash fits here, unlike for passwords:
//! a 256-bit random key cannot be guessed or found in a dictionary, so the slowness and
//! salt that protect low-entropy passwords add nothing, while a fast hash keeps lookup on
//! the request path cheap. A leaked keys file reveals no usable key.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiKeyError;

/// Prefix of every rampart API key, so leaked keys are recognisable to secret scanners.
pub const KEY_PREFIX: &str = "rk_";

/// Random bytes in a key.
const KEY_BYTES: usize = 32;

/// Random bytes in a key id.
const ID_BYTES: usize = 8;

/// A plaintext API key, shown once at creation. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// The key text, to print once to the operator.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret([redacted])")
    }
}

/// A fresh key and its id (`key_` + 16 hex digits).
pub fn generate() -> Result<(ApiKeySecret, String), ApiKeyError> {
    let mut key = [0u8; KEY_BYTES];
    let mut id = [0u8; ID_BYTES];
    fill(&mut key)?;
    fill(&mut id)?;
    let secret = ApiKeySecret(format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(key)));
    Ok((secret, format!("key_{}", hex(&id))))
}

/// The SHA-256 digest of a presented key.
pub fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The stored form of a digest: `sha256:<64 hex digits>`.
pub fn encode_digest(digest: &[u8; 32]) -> String {
    format!("sha256:{}", hex(digest))
}

/// Parses the stored form back into a digest.
pub fn decode_digest(text: &str) -> Option<[u8; 32]> {
    let hex_part = text.strip_prefix("sha256:")?;
    if hex_part.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex_part.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn fill(buf: &mut [u8]) -> Result<(), ApiKeyError> {
    getrandom::getrandom(buf).map_err(|err| ApiKeyError::Random { reason: err.to_string() })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_digests_round_trip() {
        let (a, id_a) = generate().unwrap();
        let (b, id_b) = generate().unwrap();
        assert_ne!(a, b);
        assert_ne!(id_a, id_b);
        assert!(a.expose().starts_with(KEY_PREFIX));
        assert_eq!(a.expose().len(), 3 + 43);
        let stored = encode_digest(&digest(a.expose()));
        assert_eq!(decode_digest(&stored), Some(digest(a.expose())));
        assert!(!format!("{a:?}").contains(&a.expose()[3..]));
    }

    #[test]
    fn malformed_digests_are_refused() {
        assert_eq!(decode_digest("md5:abcd"), None);
        assert_eq!(decode_digest("sha256:zz"), None);
        assert_eq!(decode_digest(&format!("sha256:{}", "g".repeat(64))), None);
    }
}
