//! Scope requirements of routes: all of a list, or any of a list.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::verified::VerifiedToken;

/// The scopes a route demands, written `{all_of: [a, b]}` or `{any_of: [a, b]}` in YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScopeRequirement {
    /// Every listed scope must be granted.
    AllOf(Vec<String>),
    /// At least one listed scope must be granted (an empty list is never satisfied).
    AnyOf(Vec<String>),
}

/// A verified token that lacks scopes a route demands (HTTP 403, `insufficient_scope`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct MissingScopes {
    /// The scopes that were missing (for `any_of`: all of them).
    pub missing: Vec<String>,
    /// Whether any one of `missing` would have sufficed.
    pub any_of: bool,
}

impl ScopeRequirement {
    /// Checks the token's scopes against this requirement.
    pub fn check(&self, token: &VerifiedToken) -> Result<(), MissingScopes> {
        match self {
            Self::AllOf(wanted) => {
                let missing: Vec<String> =
                    wanted.iter().filter(|scope| !token.has_scope(scope)).cloned().collect();
                if missing.is_empty() {
                    return Ok(());
                }
                Err(MissingScopes { missing, any_of: false })
            }
            Self::AnyOf(wanted) => {
                if wanted.iter().any(|scope| token.has_scope(scope)) {
                    return Ok(());
                }
                Err(MissingScopes { missing: wanted.clone(), any_of: true })
            }
        }
    }

    /// The scopes named, for the RFC 6750 `scope` attribute of `WWW-Authenticate`.
    pub fn scopes(&self) -> &[String] {
        match self {
            Self::AllOf(scopes) | Self::AnyOf(scopes) => scopes,
        }
    }
}

impl MissingScopes {
    /// A stable label for metrics and events.
    pub fn reason(&self) -> &'static str {
        "insufficient_scope"
    }

    /// A client-safe RFC 6750 `error_description`.
    pub fn description(&self) -> &'static str {
        "the token lacks a scope this route requires"
    }

    /// The RFC 6750 `error` code.
    pub fn error_code(&self) -> &'static str {
        "insufficient_scope"
    }

    /// The space-separated scopes for the `scope` attribute of `WWW-Authenticate`.
    pub fn scope_attribute(&self) -> String {
        self.missing.join(" ")
    }
}

impl fmt::Display for MissingScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.any_of { "any of" } else { "all of" };
        write!(f, "token lacks {kind} the scopes [{}]", self.missing.join(", "))
    }
}
