//! A token whose signature and claims have been verified.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::algorithm::JwtAlgorithm;

/// The identity carried by a verified token, shared (behind an `Arc`) by every request that
/// presents the same token while it is cached.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    pub(crate) provider: Arc<str>,
    pub(crate) issuer: String,
    pub(crate) subject: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: i64,
    pub(crate) algorithm: JwtAlgorithm,
    pub(crate) key_id: Option<String>,
    pub(crate) claims: Map<String, Value>,
}

impl VerifiedToken {
    /// Name of the provider (the key under `jwt_providers`) that verified the token.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The `iss` claim.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `sub` claim, when present.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The request principal in Istio's form, `iss/sub`, when the token has a subject.
    pub fn request_principal(&self) -> Option<String> {
        self.subject.as_ref().map(|sub| format!("{}/{}", self.issuer, sub))
    }

    /// Scopes from `scope`, `scp` and `scopes`, merged without duplicates.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|own| own == scope)
    }

    /// The `exp` claim, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// The algorithm the token was signed with.
    pub fn algorithm(&self) -> JwtAlgorithm {
        self.algorithm
    }

    /// The `kid` of the key that verified the token, when it had one.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// All claims of the token.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// One claim, for forwarding as a header or for policy conditions.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }
}
