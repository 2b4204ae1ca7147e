//! Short-lived service tokens for Rust services calling each other through the gateway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::EncodingKey;

use crate::algorithm::JwtAlgorithm;
use crate::clock::{Clock, SystemClock};
use crate::mint::{pem_key, service_claims, sign, MintError};
use crate::signing_key::infer_algorithm;

/// Most audiences with a cached token; beyond it the cache is cleared (a service talks to a
/// handful of others, so this only guards against misuse).
const MAX_CACHED_AUDIENCES: usize = 1024;

#[derive(Debug, Clone)]
struct CachedToken {
    token: String,
    renew_at: i64,
}

/// Mints and caches tokens with `iss` and `sub` set to this service's name, one per target
/// audience, renewing each when less than a fifth of its lifetime is left.
#[derive(Debug)]
pub struct ServiceTokenMinter {
    issuer: String,
    algorithm: JwtAlgorithm,
    key: EncodingKey,
    key_id: Option<String>,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, CachedToken>>,
}

impl ServiceTokenMinter {
    /// A minter for service `issuer`, signing with a PEM private key (RS*, PS*, ES*, EdDSA).
    pub fn new(issuer: &str, key_pem: &[u8], alg: JwtAlgorithm) -> Result<Self, MintError> {
        if issuer.is_empty() {
            return Err(MintError::Invalid { field: "issuer", reason: "must not be empty" });
        }
        let key = pem_key(alg, key_pem)?;
        Ok(Self {
            issuer: issuer.to_owned(),
            algorithm: alg,
            key,
            key_id: None,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A minter for service `issuer` whose algorithm follows from the key: RS256 for RSA, ES256
    /// or ES384 for EC P-256 or P-384, EdDSA for Ed25519.
    pub fn from_pem(issuer: &str, key_pem: &[u8]) -> Result<Self, MintError> {
        Self::new(issuer, key_pem, infer_algorithm(key_pem)?)
    }

    /// The service's name: the `iss` and `sub` of its tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The algorithm tokens are signed with.
    pub fn algorithm(&self) -> JwtAlgorithm {
        self.algorithm
    }

    /// Sets the `kid` header of minted tokens.
    pub fn with_key_id(mut self, kid: &str) -> Self {
        self.key_id = Some(kid.to_owned());
        self
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A token for calling `audience`, valid for `ttl`; cached until close to its expiry.
    pub fn token_for(&self, audience: &str, ttl: Duration) -> Result<String, MintError> {
        let now = self.clock.unix_now();
        if let Some(token) = self.cached(audience, now) {
            return Ok(token);
        }

        let token = self.mint(audience, ttl, now)?;
        let ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        let renew_at = now.saturating_add(ttl_secs - ttl_secs / 5);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED_AUDIENCES {
            cache.clear();
        }
        cache.insert(audience.to_owned(), CachedToken { token: token.clone(), renew_at });
        Ok(token)
    }

    fn cached(&self, audience: &str, now: i64) -> Option<String> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let entry = cache.get(audience)?;
        (now < entry.renew_at).then(|| entry.token.clone())
    }

    fn mint(&self, audience: &str, ttl: Duration, now: i64) -> Result<String, MintError> {
        if audience.is_empty() {
            return Err(MintError::Invalid { field: "audience", reason: "must not be empty" });
        }
        if ttl < Duration::from_secs(1) {
            return Err(MintError::Invalid { field: "ttl", reason: "must be at least 1s" });
        }
        let claims = service_claims(&self.issuer, audience, ttl, now);
        sign(self.algorithm, self.key_id.clone(), &claims, &self.key)
    }
}
