//! `rampart token inspect`: decoding a token WITHOUT verifying it, and explaining every
//! reason a provider would deny it.

use std::path::Path;

use serde_json::{Map, Value};

use crate::claims;
use crate::clock::{Clock, SystemClock};
use crate::compact::{self, Compact};
use crate::compile::compile_provider;
use crate::config::ProviderConfig;
use crate::provider::{verify_signature, KeySource, Provider};
use crate::token_error::TokenError;

/// Largest token `inspect` decodes.
const MAX_INSPECT_BYTES: usize = 1024 * 1024;

/// A warning to print next to any [`Inspection`].
pub const UNVERIFIED_NOTICE: &str =
    "UNVERIFIED: decoded without checking the signature or any claim; do not trust it";

/// The decoded, UNVERIFIED header and claims of a token.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims, as the token states them (not verified).
    pub claims: Map<String, Value>,
    /// Length of the decoded signature in bytes (0 for an unsigned token).
    pub signature_bytes: usize,
}

/// Decodes header and claims WITHOUT verifying anything; see [`UNVERIFIED_NOTICE`].
pub fn inspect(token: &str) -> Result<Inspection, TokenError> {
    if token.len() > MAX_INSPECT_BYTES {
        return Err(TokenError::TooLarge { len: token.len(), max: MAX_INSPECT_BYTES });
    }
    let raw = compact::decode_raw(token.trim())?;
    let signature_bytes = raw.signature_b64.len() * 3 / 4;
    Ok(Inspection { header: raw.header, claims: raw.claims, signature_bytes })
}

/// Lists every reason the provider described by `config` would deny `token` now, one line
/// each as `reason: detail`, or a single `accepted: ...` line. Keys from a JWKS URL are
/// fetched once.
pub async fn explain(token: &str, config: &ProviderConfig, base_dir: &Path) -> Vec<String> {
    explain_at(token, config, base_dir, &SystemClock).await
}

/// [`explain`] with an explicit clock.
pub async fn explain_at(
    token: &str,
    config: &ProviderConfig,
    base_dir: &Path,
    clock: &dyn Clock,
) -> Vec<String> {
    let provider = match compile_provider("provider", config, base_dir) {
        Ok(provider) => provider,
        Err(err) => return vec![format!("config: {err}")],
    };
    let token = token.trim();
    let reasons = diagnose(token, &provider, clock.unix_now()).await;
    if reasons.is_empty() {
        return vec![accepted_line(token)];
    }
    reasons.iter().map(|err| format!("{}: {err}", err.reason())).collect()
}

async fn diagnose(token: &str, provider: &Provider, now: i64) -> Vec<TokenError> {
    let mut found = Vec::new();
    if token.len() > provider.max_token_bytes {
        found.push(TokenError::TooLarge { len: token.len(), max: provider.max_token_bytes });
    }
    let decoded = match compact::decode(token) {
        Ok(decoded) => decoded,
        Err(err) => {
            found.push(err);
            found.extend(raw_claim_reasons(token, provider, now));
            return found;
        }
    };

    if let Err(err) = provider.check_algorithm(decoded.alg) {
        found.push(err);
    }
    if let Err(err) = check_key_and_signature(&decoded, provider).await {
        found.push(err);
    }
    found.extend(provider.policy.violations(&decoded.claims, now));
    found.extend(shape_errors(&decoded.claims));
    found
}

/// Claim checks for a token whose header was denied, so one run shows everything.
fn raw_claim_reasons(token: &str, provider: &Provider, now: i64) -> Vec<TokenError> {
    match compact::decode_raw(token) {
        Ok(raw) => provider.policy.violations(&raw.claims, now),
        Err(_) => Vec::new(),
    }
}

async fn check_key_and_signature(
    decoded: &Compact<'_>,
    provider: &Provider,
) -> Result<(), TokenError> {
    if let KeySource::Remote(remote) = &provider.keys {
        if let Err(err) = remote.fetch_now().await {
            tracing::warn!(error = %err, "jwks fetch failed");
        }
    }
    let (keys, _) = provider.keys_for(decoded).await?;
    let key = keys.select(decoded.kid.as_deref(), decoded.alg, &provider.name)?;
    verify_signature(key, decoded)
}

fn shape_errors(claims: &Map<String, Value>) -> Vec<TokenError> {
    let mut found = Vec::new();
    if let Err(err) = claims::subject(claims) {
        found.push(err);
    }
    if let Err(err) = claims::scopes(claims) {
        found.push(err);
    }
    found
}

fn accepted_line(token: &str) -> String {
    let claims = compact::decode_raw(token).map(|raw| raw.claims).unwrap_or_default();
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("-");
    let scopes = claims::scopes(&claims).unwrap_or_default().join(" ");
    format!("accepted: the provider would accept this token (sub {sub}, scopes [{scopes}])")
}
