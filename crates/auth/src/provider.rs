//! A compiled provider: its claim policy, allowed algorithms and keys, and the verification of
//! one decoded token against them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use jsonwebtoken::crypto::CryptoProvider;

use crate::algorithm::JwtAlgorithm;
use crate::claims::{self, ClaimPolicy};
use crate::compact::Compact;
use crate::keys::{KeySet, VerifyKey};
use crate::remote::RemoteJwks;
use crate::token_error::TokenError;
use crate::verified::VerifiedToken;

/// Where a provider's keys come from.
#[derive(Debug)]
pub(crate) enum KeySource {
    /// Keys fixed at load: an HMAC secret or a JWKS file.
    Static(Arc<KeySet>),
    /// Keys fetched from a JWKS URL.
    Remote(Arc<RemoteJwks>),
}

/// A provider ready to verify tokens.
#[derive(Debug)]
pub(crate) struct Provider {
    pub name: Arc<str>,
    pub policy: ClaimPolicy,
    pub algorithms: Vec<JwtAlgorithm>,
    pub max_token_bytes: usize,
    pub keys: KeySource,
}

impl Provider {
    /// The current key epoch; cached verifications from another epoch are not trusted.
    pub fn epoch(&self) -> u64 {
        match &self.keys {
            KeySource::Static(_) => 0,
            KeySource::Remote(remote) => remote.epoch(),
        }
    }

    /// Checks algorithm, key, signature and claims; returns the first reason to deny.
    pub async fn verify(
        &self,
        token: &Compact<'_>,
        now: i64,
        signature_checks: &AtomicU64,
    ) -> Result<(VerifiedToken, u64), TokenError> {
        self.check_algorithm(token.alg)?;
        let (keys, epoch) = self.keys_for(token).await?;
        let key = keys.select(token.kid.as_deref(), token.alg, &self.name)?;

        signature_checks.fetch_add(1, Ordering::Relaxed);
        verify_signature(key, token)?;
        if let Some(first) = self.policy.violations(&token.claims, now).into_iter().next() {
            return Err(first);
        }
        Ok((self.verified(token, key)?, epoch))
    }

    /// Denies algorithms outside the provider's list.
    pub fn check_algorithm(&self, alg: JwtAlgorithm) -> Result<(), TokenError> {
        if self.algorithms.contains(&alg) {
            return Ok(());
        }
        Err(TokenError::AlgNotAllowed { alg: alg.name(), provider: self.name.to_string() })
    }

    /// The keys to verify `token` with; for a JWKS URL, refetches once (rate limited) when
    /// the keys are missing or lack the token's `kid`.
    pub async fn keys_for(&self, token: &Compact<'_>) -> Result<(Arc<KeySet>, u64), TokenError> {
        let remote = match &self.keys {
            KeySource::Static(keys) => return Ok((Arc::clone(keys), 0)),
            KeySource::Remote(remote) => remote,
        };

        let (keys, epoch) = remote.current();
        if !needs_refetch(&keys, token) {
            return Ok((keys, epoch));
        }
        if remote.refetch_on_miss(epoch).await {
            return Ok(remote.current());
        }
        if keys.len() == 0 {
            return Err(TokenError::KeysUnavailable { provider: self.name.to_string() });
        }
        Ok((keys, epoch))
    }

    fn verified(&self, token: &Compact<'_>, key: &VerifyKey) -> Result<VerifiedToken, TokenError> {
        let expires_at = claims::numeric_date(&token.claims, "exp")?
            .ok_or_else(|| TokenError::MissingClaim { claim: "exp".to_owned() })?;
        Ok(VerifiedToken {
            provider: Arc::clone(&self.name),
            issuer: self.policy.issuer.clone(),
            subject: claims::subject(&token.claims)?,
            scopes: claims::scopes(&token.claims)?,
            expires_at,
            algorithm: token.alg,
            key_id: key.kid.clone(),
            claims: token.claims.clone(),
        })
    }
}

fn needs_refetch(keys: &KeySet, token: &Compact<'_>) -> bool {
    match token.kid.as_deref() {
        _ if keys.len() == 0 => true,
        Some(kid) => !keys.has_kid(kid),
        None => false,
    }
}

/// Verifies the signature with a key of the algorithm's own family only.
pub(crate) fn verify_signature(key: &VerifyKey, token: &Compact<'_>) -> Result<(), TokenError> {
    let mismatch = || TokenError::KeyAlgMismatch {
        alg: token.alg.name(),
        kid: key.kid.clone().unwrap_or_else(|| "-".to_owned()),
    };
    if !key.serves(token.alg) || key.key.family() != token.alg.family().to_jwt() {
        return Err(mismatch());
    }

    let crypto = crypto_provider().ok_or(TokenError::BadSignature)?;
    let verifier =
        (crypto.verifier_factory)(&token.alg.to_jwt(), &key.key).map_err(|_| mismatch())?;
    verifier
        .verify(token.signing_input.as_bytes(), &token.signature)
        .map_err(|_| TokenError::BadSignature)
}

/// The process's jsonwebtoken crypto provider, installing aws-lc-rs when none is chosen.
pub(crate) fn crypto_provider() -> Option<&'static CryptoProvider> {
    if let Some(provider) = CryptoProvider::try_get_default() {
        return Some(provider);
    }
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    CryptoProvider::try_get_default()
}
