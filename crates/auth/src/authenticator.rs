//! The compiled set of JWT providers that routes verify bearer tokens against.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::cache::{token_hash, CachedToken, TokenCache};
use crate::clock::{Clock, SystemClock};
use crate::compact::{self, Compact};
use crate::compile::compile_provider;
use crate::config::{CacheConfig, ProviderConfig};
use crate::config_error::AuthConfigError;
use crate::provider::{KeySource, Provider};
use crate::remote::AbortOnDrop;
use crate::token_error::TokenError;
use crate::verified::VerifiedToken;

/// Distinguishes authenticators so a [`ProviderSet`] is never used with another one.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Options that apply to all providers.
#[derive(Debug, Clone)]
pub struct AuthOptions {
    /// The verified-token cache.
    pub cache: CacheConfig,
    /// The clock for `exp`, `nbf` and `iat` checks and cache expiry.
    pub clock: Arc<dyn Clock>,
}

impl Default for AuthOptions {
    fn default() -> Self {
        Self { cache: CacheConfig::default(), clock: Arc::new(SystemClock) }
    }
}

/// Counters for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthStats {
    /// Verifications answered from the cache.
    pub cache_hits: u64,
    /// Verifications that missed the cache.
    pub cache_misses: u64,
    /// Signature checks performed.
    pub signature_checks: u64,
    /// JWKS fetches attempted, over all URL providers.
    pub jwks_fetches: u64,
    /// Entries currently in the cache.
    pub cache_entries: u64,
}

/// The providers a route accepts, resolved once at config load for the hot path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSet {
    owner: u64,
    indices: Vec<usize>,
    max_token_bytes: usize,
}

/// Verifies bearer tokens for the gateway. Immutable after [`JwtAuthenticator::compile`];
/// a config reload builds a new one, and dropping the old one stops its JWKS refresh tasks.
#[derive(Debug)]
pub struct JwtAuthenticator {
    id: u64,
    providers: Vec<Provider>,
    by_name: HashMap<String, usize>,
    cache: TokenCache,
    clock: Arc<dyn Clock>,
    hits: AtomicU64,
    misses: AtomicU64,
    signature_checks: AtomicU64,
    _refresh_tasks: Vec<AbortOnDrop>,
}

impl JwtAuthenticator {
    /// Compiles `jwt_providers` with default options (system clock, 10000 cached tokens).
    /// Relative `jwks_file` paths are resolved against `base_dir`.
    pub fn compile(
        providers: &BTreeMap<String, ProviderConfig>,
        base_dir: &Path,
    ) -> Result<Self, AuthConfigError> {
        Self::compile_with(providers, base_dir, AuthOptions::default())
    }

    /// Compiles `jwt_providers` with explicit options. Called inside a tokio runtime, it
    /// starts one refresh task per JWKS URL; outside one, URL keys are fetched on demand only.
    pub fn compile_with(
        providers: &BTreeMap<String, ProviderConfig>,
        base_dir: &Path,
        options: AuthOptions,
    ) -> Result<Self, AuthConfigError> {
        let mut compiled = Vec::with_capacity(providers.len());
        let mut by_name = HashMap::with_capacity(providers.len());
        for (index, (name, config)) in providers.iter().enumerate() {
            compiled.push(compile_provider(name, config, base_dir)?);
            by_name.insert(name.clone(), index);
        }

        let refresh_tasks = compiled.iter().filter_map(spawn_refresh).collect();
        Ok(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            providers: compiled,
            by_name,
            cache: TokenCache::new(options.cache.max_entries),
            clock: options.clock,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            signature_checks: AtomicU64::new(0),
            _refresh_tasks: refresh_tasks,
        })
    }

    /// Resolves provider names (from a route) into a [`ProviderSet`] for [`Self::verify_with`].
    pub fn resolve(&self, names: &[&str]) -> Result<ProviderSet, AuthConfigError> {
        let mut indices = Vec::with_capacity(names.len());
        let mut max_token_bytes = 0;
        for name in names {
            let index = *self.by_name.get(*name).ok_or_else(|| self.unknown(name))?;
            let limit = self.providers.get(index).map_or(0, |p| p.max_token_bytes);
            max_token_bytes = max_token_bytes.max(limit);
            indices.push(index);
        }
        Ok(ProviderSet { owner: self.id, indices, max_token_bytes })
    }

    /// Verifies `token` against the named providers (resolving names on each call).
    pub async fn verify(
        &self,
        token: &str,
        providers: &[&str],
    ) -> Result<Arc<VerifiedToken>, TokenError> {
        let set = self
            .resolve(providers)
            .map_err(|_| TokenError::UnknownProvider { name: providers.join(",") })?;
        self.verify_with(token, &set).await
    }

    /// Verifies `token` against a pre-resolved provider set: the hot path. A token verified
    /// before (same bytes, not expired, keys unchanged) costs a hash and a lookup.
    pub async fn verify_with(
        &self,
        token: &str,
        set: &ProviderSet,
    ) -> Result<Arc<VerifiedToken>, TokenError> {
        check_set(self.id, set)?;
        if token.len() > set.max_token_bytes {
            return Err(TokenError::TooLarge { len: token.len(), max: set.max_token_bytes });
        }

        let now = self.clock.unix_now();
        let hash = token_hash(token);
        if let Some(hit) = self.cached(&hash, set, now) {
            return Ok(hit);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);

        let providers = self.providers_of(set);
        let decoded = compact::decode(token)?;
        let (verified, provider, epoch) = self.verify_decoded(token, &decoded, &providers).await?;
        let verified = Arc::new(verified);
        let cached = CachedToken { token: Arc::clone(&verified), provider, epoch };
        self.cache.insert(hash, cached);
        Ok(verified)
    }

    /// Resolves once every JWKS URL provider has keys; until then their tokens are denied
    /// with `keys_unavailable`. The gateway can await this (with a timeout) before it reports
    /// ready.
    pub async fn wait_for_keys(&self) {
        for provider in &self.providers {
            if let KeySource::Remote(remote) = &provider.keys {
                remote.wait_loaded().await;
            }
        }
    }

    /// Counters since compile.
    pub fn stats(&self) -> AuthStats {
        let jwks_fetches = self
            .providers
            .iter()
            .map(|provider| match &provider.keys {
                KeySource::Remote(remote) => remote.fetch_count(),
                KeySource::Static(_) => 0,
            })
            .sum();
        AuthStats {
            cache_hits: self.hits.load(Ordering::Relaxed),
            cache_misses: self.misses.load(Ordering::Relaxed),
            signature_checks: self.signature_checks.load(Ordering::Relaxed),
            jwks_fetches,
            cache_entries: u64::try_from(self.cache.len()).unwrap_or(u64::MAX),
        }
    }

    /// The configured provider names, in config order.
    pub fn provider_names(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().map(|provider| &*provider.name)
    }

    fn providers_of(&self, set: &ProviderSet) -> Vec<(usize, &Provider)> {
        let found = set.indices.iter().filter_map(|i| self.providers.get(*i).map(|p| (*i, p)));
        found.collect()
    }

    fn cached(&self, hash: &[u8; 32], set: &ProviderSet, now: i64) -> Option<Arc<VerifiedToken>> {
        let hit = self.cache.get(hash, now)?;
        if !set.indices.contains(&hit.provider) {
            return None;
        }
        let provider = self.providers.get(hit.provider)?;
        if provider.epoch() != hit.epoch {
            self.cache.remove(hash);
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(hit.token)
    }

    /// Tries the providers whose issuer matches the token's `iss`, in route order.
    async fn verify_decoded(
        &self,
        token: &str,
        decoded: &Compact<'_>,
        providers: &[(usize, &Provider)],
    ) -> Result<(VerifiedToken, usize, u64), TokenError> {
        let iss = decoded.claims.get("iss").and_then(serde_json::Value::as_str);
        let mut first_error = None;
        for (index, provider) in providers.iter().filter(|(_, p)| Some(&*p.policy.issuer) == iss) {
            if token.len() > provider.max_token_bytes {
                let err = TokenError::TooLarge { len: token.len(), max: provider.max_token_bytes };
                first_error.get_or_insert(err);
                continue;
            }
            let now = self.clock.unix_now();
            match provider.verify(decoded, now, &self.signature_checks).await {
                Ok((verified, epoch)) => return Ok((verified, *index, epoch)),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error.unwrap_or(TokenError::WrongIssuer))
    }

    fn unknown(&self, name: &str) -> AuthConfigError {
        let known: Vec<&str> = self.provider_names().collect();
        AuthConfigError::UnknownProvider { name: name.to_owned(), known: known.join(", ") }
    }
}

/// A set resolved by another authenticator (before a reload) or naming no provider is a
/// wiring error.
fn check_set(id: u64, set: &ProviderSet) -> Result<(), TokenError> {
    if set.owner != id {
        return Err(TokenError::UnknownProvider { name: "(stale provider set)".to_owned() });
    }
    if set.indices.is_empty() {
        return Err(TokenError::UnknownProvider { name: "(none)".to_owned() });
    }
    Ok(())
}

fn spawn_refresh(provider: &Provider) -> Option<AbortOnDrop> {
    match &provider.keys {
        KeySource::Remote(remote) => remote.spawn_refresh(),
        KeySource::Static(_) => None,
    }
}
