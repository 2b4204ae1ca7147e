//! The outcome of evaluating the policies of one target for one request.

use std::fmt;
use std::sync::Arc;

use crate::spec::Action;

/// The decision for one request, naming the policy and rule that decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether DENY and ALLOW policies let the request through. When `custom` is not empty,
    /// the gateway must also ask those providers first and deny if one of them denies.
    pub allowed: bool,
    /// The deciding policy, when one decided (a matching DENY or ALLOW policy).
    pub policy: Option<Arc<str>>,
    /// The index of the deciding rule inside that policy.
    pub rule: Option<usize>,
    /// Why the request was allowed or denied.
    pub reason: Reason,
    /// CUSTOM policies whose rules matched: the external authorizers to call, in order.
    pub custom: Vec<CustomMatch>,
    /// AUDIT policies whose rules matched: record them, nothing else.
    pub audit: Vec<PolicyMatch>,
    /// Dry-run policies whose rules matched: report what they would have done.
    pub dry_run: Vec<PolicyMatch>,
}

/// Why a decision was made; `as_str` gives a stable identifier for events and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A DENY policy matched.
    DenyPolicyMatched,
    /// An ALLOW policy matched.
    AllowPolicyMatched,
    /// ALLOW policies apply to the target and none matched.
    NoAllowPolicyMatched,
    /// No ALLOW policy applies to the target and no DENY policy matched.
    NoAllowPolicies,
}

impl Reason {
    /// A stable lowercase identifier: `deny_policy_matched`, `allow_policy_matched`,
    /// `no_allow_policy_matched` or `no_allow_policies`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DenyPolicyMatched => "deny_policy_matched",
            Self::AllowPolicyMatched => "allow_policy_matched",
            Self::NoAllowPolicyMatched => "no_allow_policy_matched",
            Self::NoAllowPolicies => "no_allow_policies",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DenyPolicyMatched => "the request matched a DENY policy",
            Self::AllowPolicyMatched => "the request matched an ALLOW policy",
            Self::NoAllowPolicyMatched => "the request matched none of the ALLOW policies",
            Self::NoAllowPolicies => "no ALLOW policy applies to the target",
        })
    }
}

/// A policy (and its first matching rule) that matched without deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyMatch {
    /// The policy's name (`namespace/name` for Istio policies).
    pub policy: Arc<str>,
    /// The index of the first matching rule.
    pub rule: usize,
    /// The policy's action.
    pub action: Action,
}

/// A CUSTOM policy that matched: the gateway must consult its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMatch {
    /// The policy's name.
    pub policy: Arc<str>,
    /// The index of the first matching rule.
    pub rule: usize,
    /// The external authorizer to call.
    pub provider: Arc<str>,
}
