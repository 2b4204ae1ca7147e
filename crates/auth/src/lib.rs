//! JWT bearer authentication for rampart: provider configuration, compiled verification with
//! JWKS files, JWKS URLs and HMAC secrets, a bounded verified-token cache, scope checks, token
//! minting and inspection, and service tokens.
//!
//! This crate knows nothing of the gateway: the gateway resolves each route's providers with
//! [`JwtAuthenticator::resolve`], calls [`JwtAuthenticator::verify_with`] on the hot path and
//! maps [`TokenError`] and [`MissingScopes`] to RFC 6750 responses and security events.
//!
//! By design, keys are never taken from token headers (`jku`, `x5u`, `jwk`, `x5c` are ignored)
//! and HMAC algorithms are only served by a configured secret, never by JWKS keys.

mod algorithm;
mod authenticator;
mod cache;
mod claims;
mod clock;
mod compact;
mod compile;
mod config;
mod config_error;
mod fetch;
mod inspect;
mod jwk;
mod keys;
mod mint;
mod provider;
mod remote;
mod scope;
mod service_token;
mod signing_key;
mod token_error;
mod verified;

pub use algorithm::{JwtAlgorithm, KeyFamily};
pub use authenticator::{AuthOptions, AuthStats, JwtAuthenticator, ProviderSet};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    CacheConfig, ProviderConfig, DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_JWKS_FETCH_TIMEOUT_SECS,
    DEFAULT_JWKS_REFETCH_MIN_SECS, DEFAULT_JWKS_REFRESH_SECS, DEFAULT_LEEWAY_SECS,
    DEFAULT_MAX_TOKEN_BYTES,
};
pub use config_error::AuthConfigError;
pub use fetch::FetchError;
pub use inspect::{explain, explain_at, inspect, Inspection, UNVERIFIED_NOTICE};
pub use mint::{mint, mint_with_clock, MintError, MintRequest, SigningKeySource};
pub use remote::RemoteError;
pub use scope::{MissingScopes, ScopeRequirement};
pub use service_token::ServiceTokenMinter;
pub use signing_key::{infer_algorithm, public_jwks};
pub use token_error::TokenError;
pub use verified::VerifiedToken;
