//! Serde configuration of a JWT provider, used verbatim under `jwt_providers:` in the gateway's
//! YAML file. Parsing only checks shapes; [`crate::JwtAuthenticator::compile`] checks meaning.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::algorithm::JwtAlgorithm;

/// Default seconds between two scheduled fetches of a JWKS URL.
pub const DEFAULT_JWKS_REFRESH_SECS: u64 = 300;
/// Default minimum seconds between two on-demand JWKS fetches caused by an unknown `kid`.
pub const DEFAULT_JWKS_REFETCH_MIN_SECS: u64 = 30;
/// Default timeout in seconds of one JWKS fetch (connect, request and body).
pub const DEFAULT_JWKS_FETCH_TIMEOUT_SECS: u64 = 5;
/// Default clock skew, in seconds, tolerated on `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;
/// Default largest accepted token, in bytes of its compact serialization.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8192;
/// Default number of verified tokens kept in the cache.
pub const DEFAULT_CACHE_MAX_ENTRIES: usize = 10_000;

/// One JWT issuer that routes may accept: who signs, for whom, with which keys.
///
/// Exactly one key source must be set: `jwks_file`, `jwks_url` or `hmac_secret_env`.
/// Serializing this struct never outputs a secret: only the name of the environment variable
/// that holds the HMAC secret is part of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Exact value the `iss` claim must have.
    pub issuer: String,

    /// Accepted `aud` values; a token must name at least one of them. Must not be empty.
    pub audiences: Vec<String>,

    /// Signature algorithms this provider accepts. Must not be empty.
    pub algorithms: Vec<JwtAlgorithm>,

    /// A JWKS document on disk (relative paths are resolved against the config file's folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_file: Option<PathBuf>,

    /// An `https://` (or, on a trusted network, `http://`) URL serving the provider's JWKS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,

    /// A PEM bundle of CA certificates to trust for an `https://` `jwks_url`, instead of the
    /// system's roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_ca_file: Option<PathBuf>,

    /// Seconds between scheduled fetches of `jwks_url` (default 300, at least 10).
    #[serde(default = "default_jwks_refresh_secs")]
    pub jwks_refresh_secs: u64,

    /// Minimum seconds between two fetches of `jwks_url` caused by an unknown `kid`
    /// (default 30).
    #[serde(default = "default_jwks_refetch_min_secs")]
    pub jwks_refetch_min_secs: u64,

    /// Timeout of one fetch of `jwks_url`, in seconds (default 5).
    #[serde(default = "default_jwks_fetch_timeout_secs")]
    pub jwks_fetch_timeout_secs: u64,

    /// Name of the environment variable holding the HMAC secret (at least 32 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hmac_secret_env: Option<String>,

    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds (default 60, at most 3600).
    #[serde(default = "default_leeway_secs")]
    pub leeway_secs: u64,

    /// Claims that must be present (and not null) besides `iss`, `aud` and `exp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_claims: Vec<String>,

    /// Largest accepted token in bytes (default 8192, between 256 and 1048576).
    #[serde(default = "default_max_token_bytes")]
    pub max_token_bytes: usize,
}

/// Options of the authenticator as a whole, shared by all providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// Verified tokens kept in memory (default 10000; 0 disables the cache).
    #[serde(default = "default_cache_max_entries")]
    pub max_entries: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { max_entries: DEFAULT_CACHE_MAX_ENTRIES }
    }
}

fn default_jwks_refresh_secs() -> u64 {
    DEFAULT_JWKS_REFRESH_SECS
}

fn default_jwks_refetch_min_secs() -> u64 {
    DEFAULT_JWKS_REFETCH_MIN_SECS
}

fn default_jwks_fetch_timeout_secs() -> u64 {
    DEFAULT_JWKS_FETCH_TIMEOUT_SECS
}

fn default_leeway_secs() -> u64 {
    DEFAULT_LEEWAY_SECS
}

fn default_max_token_bytes() -> usize {
    DEFAULT_MAX_TOKEN_BYTES
}

fn default_cache_max_entries() -> usize {
    DEFAULT_CACHE_MAX_ENTRIES
}
