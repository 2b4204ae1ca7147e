//! Verification keys of one provider: an HMAC secret or the signing keys of a JWKS document.

use std::collections::HashMap;

use jsonwebtoken::DecodingKey;

use crate::algorithm::{JwtAlgorithm, KeyFamily};
use crate::compact::kid_for_error;
use crate::jwk::parse_jwks;
use crate::token_error::TokenError;

/// Largest JWKS document accepted, in bytes.
pub(crate) const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// One key ready to verify signatures.
#[derive(Debug)]
pub(crate) struct VerifyKey {
    /// The JWK's `kid`, if it has one.
    pub kid: Option<String>,
    /// The only family of algorithms this key may serve.
    pub family: KeyFamily,
    /// The JWK's `alg`, which then is the only algorithm the key serves.
    pub alg: Option<JwtAlgorithm>,
    /// The pre-built key.
    pub key: DecodingKey,
}

impl VerifyKey {
    /// Whether this key may verify a token signed with `alg`.
    pub fn serves(&self, alg: JwtAlgorithm) -> bool {
        self.family == alg.family() && self.alg.is_none_or(|own| own == alg)
    }
}

/// All keys of a provider, indexed by `kid`.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: Vec<VerifyKey>,
    by_kid: HashMap<String, usize>,
}

impl KeySet {
    /// A set holding one HMAC secret.
    pub fn hmac(secret: &[u8]) -> Result<Self, String> {
        let key = DecodingKey::from_secret(secret).map_err(|_| "empty secret".to_owned())?;
        Ok(Self::from_keys(vec![VerifyKey { kid: None, family: KeyFamily::Hmac, alg: None, key }]))
    }

    /// Parses a JWKS document; a document without one usable signing key is an error.
    pub fn from_jwks(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(format!("document exceeds {MAX_JWKS_BYTES} bytes"));
        }
        let keys = parse_jwks(bytes)?;
        if keys.is_empty() {
            return Err("no usable signing key (RSA, EC P-256/P-384 or Ed25519)".to_owned());
        }
        Ok(Self::from_keys(keys))
    }

    fn from_keys(keys: Vec<VerifyKey>) -> Self {
        let mut by_kid = HashMap::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            if let Some(kid) = &key.kid {
                by_kid.entry(kid.clone()).or_insert(index);
            }
        }
        Self { keys, by_kid }
    }

    /// Whether some key can serve `alg`.
    pub fn can_serve(&self, alg: JwtAlgorithm) -> bool {
        self.keys.iter().any(|key| key.serves(alg))
    }

    /// Whether a key with this `kid` exists.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Picks the key for a token: by `kid` when given, else the only key serving `alg`.
    pub fn select(
        &self,
        kid: Option<&str>,
        alg: JwtAlgorithm,
        provider: &str,
    ) -> Result<&VerifyKey, TokenError> {
        match kid {
            Some(kid) => self.select_by_kid(kid, alg, provider),
            None => self.select_only(alg, provider),
        }
    }

    fn select_by_kid(
        &self,
        kid: &str,
        alg: JwtAlgorithm,
        provider: &str,
    ) -> Result<&VerifyKey, TokenError> {
        let found = self.by_kid.get(kid).and_then(|index| self.keys.get(*index));

        // An HMAC provider has one key without kid: a token's kid cannot pick another one.
        let key = match found {
            Some(key) => key,
            None if self.is_single_unnamed() => self.select_only(alg, provider)?,
            None => {
                return Err(TokenError::UnknownKid {
                    kid: kid_for_error(kid),
                    provider: provider.to_owned(),
                })
            }
        };
        ensure_serves(key, alg)?;
        Ok(key)
    }

    fn select_only(&self, alg: JwtAlgorithm, provider: &str) -> Result<&VerifyKey, TokenError> {
        let mut candidates = self.keys.iter().filter(|key| key.family == alg.family());
        match (candidates.next(), candidates.next()) {
            (Some(key), None) => {
                ensure_serves(key, alg)?;
                Ok(key)
            }
            (Some(_), Some(_)) => Err(TokenError::KidRequired { provider: provider.to_owned() }),
            (None, _) => Err(self.mismatch(alg)),
        }
    }

    fn is_single_unnamed(&self) -> bool {
        self.keys.len() == 1 && self.by_kid.is_empty()
    }

    fn mismatch(&self, alg: JwtAlgorithm) -> TokenError {
        let kid = self.keys.first().and_then(|key| key.kid.clone()).unwrap_or_else(|| "-".into());
        TokenError::KeyAlgMismatch { alg: alg.name(), kid: kid_for_error(&kid) }
    }
}

fn ensure_serves(key: &VerifyKey, alg: JwtAlgorithm) -> Result<(), TokenError> {
    if key.serves(alg) {
        return Ok(());
    }
    let kid = key.kid.as_deref().unwrap_or("-");
    Err(TokenError::KeyAlgMismatch { alg: alg.name(), kid: kid_for_error(kid) })
}
