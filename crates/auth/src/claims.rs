//! Checks of registered claims (`iss`, `aud`, `exp`, `nbf`, `iat`) and required claims, and
//! extraction of the subject and scopes.

use serde_json::{Map, Value};

use crate::token_error::TokenError;

/// Most scopes read from one token; the rest are ignored (the token size already bounds it).
const MAX_SCOPES: usize = 256;

/// What a provider demands of a token's claims.
#[derive(Debug, Clone)]
pub(crate) struct ClaimPolicy {
    pub provider: String,
    pub issuer: String,
    pub audiences: Vec<String>,
    pub leeway: u64,
    pub required: Vec<String>,
}

impl ClaimPolicy {
    /// Every reason the claims fail this policy at `now`; empty when they pass.
    pub fn violations(&self, claims: &Map<String, Value>, now: i64) -> Vec<TokenError> {
        let mut found = Vec::new();
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            found.push(TokenError::WrongIssuer);
        }
        if !self.audience_matches(claims.get("aud")) {
            found.push(TokenError::WrongAudience { provider: self.provider.clone() });
        }

        self.check_times(claims, now, &mut found);
        for claim in &self.required {
            if claims.get(claim).is_none_or(Value::is_null) {
                found.push(TokenError::MissingClaim { claim: claim.clone() });
            }
        }
        found
    }

    fn audience_matches(&self, aud: Option<&Value>) -> bool {
        let accepted = |value: &Value| {
            value.as_str().is_some_and(|aud| self.audiences.iter().any(|own| own == aud))
        };
        match aud {
            Some(Value::String(_)) => aud.is_some_and(accepted),
            Some(Value::Array(list)) => list.iter().any(accepted),
            _ => false,
        }
    }

    fn check_times(&self, claims: &Map<String, Value>, now: i64, found: &mut Vec<TokenError>) {
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        match numeric_date(claims, "exp") {
            Ok(Some(exp)) if now >= exp.saturating_add(leeway) => {
                found.push(TokenError::Expired { exp, now, leeway: self.leeway });
            }
            Ok(Some(_)) => {}
            Ok(None) => found.push(TokenError::MissingClaim { claim: "exp".to_owned() }),
            Err(err) => found.push(err),
        }
        match numeric_date(claims, "nbf") {
            Ok(Some(nbf)) if nbf > now.saturating_add(leeway) => {
                found.push(TokenError::NotYetValid { nbf, now });
            }
            Ok(_) => {}
            Err(err) => found.push(err),
        }
        match numeric_date(claims, "iat") {
            Ok(Some(iat)) if iat > now.saturating_add(leeway) => {
                found.push(TokenError::IssuedInFuture { iat, now });
            }
            Ok(_) => {}
            Err(err) => found.push(err),
        }
    }
}

/// A NumericDate claim as whole seconds (fractions are truncated); `None` when absent.
pub(crate) fn numeric_date(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, TokenError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    if let Some(secs) = value.as_i64() {
        return Ok(Some(secs));
    }
    match value.as_f64() {
        Some(secs) if secs.is_finite() && secs.abs() < 1e15 => Ok(Some(secs.trunc() as i64)),
        _ => Err(TokenError::BadClaim { claim: name }),
    }
}

/// The `sub` claim when it is a string.
pub(crate) fn subject(claims: &Map<String, Value>) -> Result<Option<String>, TokenError> {
    match claims.get("sub") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(sub)) => Ok(Some(sub.clone())),
        Some(_) => Err(TokenError::BadClaim { claim: "sub" }),
    }
}

/// Scopes from `scope` (space separated), `scp` (array or space separated) and `scopes`
/// (array), merged without duplicates.
pub(crate) fn scopes(claims: &Map<String, Value>) -> Result<Vec<String>, TokenError> {
    let mut scopes = Vec::new();
    for name in ["scope", "scp", "scopes"] {
        match claims.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(text)) => text.split(' ').for_each(|s| push_scope(&mut scopes, s)),
            Some(Value::Array(items)) => push_array(&mut scopes, items, name)?,
            Some(_) => return Err(TokenError::BadClaim { claim: name }),
        }
    }
    Ok(scopes)
}

fn push_array(
    scopes: &mut Vec<String>,
    items: &[Value],
    name: &'static str,
) -> Result<(), TokenError> {
    for item in items {
        let scope = item.as_str().ok_or(TokenError::BadClaim { claim: name })?;
        push_scope(scopes, scope);
    }
    Ok(())
}

fn push_scope(scopes: &mut Vec<String>, scope: &str) {
    if scope.is_empty() || scopes.len() >= MAX_SCOPES || scopes.iter().any(|s| s == scope) {
        return;
    }
    scopes.push(scope.to_owned());
}
