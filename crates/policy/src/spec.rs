//! The serde model of authorization rules, written exactly as in Istio's AuthorizationPolicy
//! (camelCase field names), so rules copy unchanged between Istio and rampart's config.

use serde::Deserialize;

/// What a policy does when one of its rules matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Action {
    /// Allow matching requests; once any ALLOW policy applies to a target, requests that match
    /// none are denied. The default, as in Istio.
    #[default]
    Allow,
    /// Deny matching requests; checked before ALLOW.
    Deny,
    /// Record matching requests; never changes the decision.
    Audit,
    /// Delegate matching requests to an external authorizer (the policy's provider).
    Custom,
}

impl Action {
    /// The action's name as written in configuration.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "ALLOW",
            Self::Deny => "DENY",
            Self::Audit => "AUDIT",
            Self::Custom => "CUSTOM",
        }
    }
}

/// One rule: it matches when any `from` source, any `to` operation and every `when`
/// condition match. An empty list puts no constraint; an empty rule `{}` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleSpec {
    /// Sources of the request (OR).
    #[serde(default)]
    pub from: Vec<FromSpec>,
    /// Operations of the request (OR).
    #[serde(default)]
    pub to: Vec<ToSpec>,
    /// Extra conditions (AND).
    #[serde(default)]
    pub when: Vec<ConditionSpec>,
}

/// A `from` entry, wrapping one source as Istio does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FromSpec {
    /// The source; required and not empty.
    pub source: Option<SourceSpec>,
}

/// Who sends the request. Fields AND together; values in one field OR together; a `not`
/// field holds when none of its values match (also when the attribute is absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SourceSpec {
    /// Peer identities from mTLS, `TRUST_DOMAIN/ns/NS/sa/SA`.
    #[serde(default)]
    pub principals: Vec<String>,
    /// Peer identities that must not match.
    #[serde(default)]
    pub not_principals: Vec<String>,
    /// Verified JWT identities, `iss/sub`.
    #[serde(default)]
    pub request_principals: Vec<String>,
    /// JWT identities that must not match.
    #[serde(default)]
    pub not_request_principals: Vec<String>,
    /// Namespaces of the peer identity.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Namespaces that must not match.
    #[serde(default)]
    pub not_namespaces: Vec<String>,
    /// Service accounts of the peer, `NS/SA` or `SA` (in the policy's namespace).
    #[serde(default)]
    pub service_accounts: Vec<String>,
    /// Service accounts that must not match.
    #[serde(default)]
    pub not_service_accounts: Vec<String>,
    /// CIDR blocks or addresses of the direct peer.
    #[serde(default)]
    pub ip_blocks: Vec<String>,
    /// Direct peer blocks that must not match.
    #[serde(default)]
    pub not_ip_blocks: Vec<String>,
    /// CIDR blocks of the original client (from trusted forwarding headers).
    #[serde(default)]
    pub remote_ip_blocks: Vec<String>,
    /// Original client blocks that must not match.
    #[serde(default)]
    pub not_remote_ip_blocks: Vec<String>,
}

/// A `to` entry, wrapping one operation as Istio does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToSpec {
    /// The operation; required and not empty.
    pub operation: Option<OperationSpec>,
}

/// What the request does. Matching rules as for [`SourceSpec`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OperationSpec {
    /// Hosts, matched case-insensitively against the normalized host name.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Hosts that must not match.
    #[serde(default)]
    pub not_hosts: Vec<String>,
    /// Destination ports, as strings of digits.
    #[serde(default)]
    pub ports: Vec<String>,
    /// Ports that must not match.
    #[serde(default)]
    pub not_ports: Vec<String>,
    /// HTTP methods, case-sensitive.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Methods that must not match.
    #[serde(default)]
    pub not_methods: Vec<String>,
    /// Paths, matched against the normalized path without query.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Paths that must not match.
    #[serde(default)]
    pub not_paths: Vec<String>,
}

/// A `when` condition on one attribute key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConditionSpec {
    /// The attribute, e.g. `request.headers[x-tenant]` or `request.auth.claims[groups]`.
    pub key: String,
    /// The condition holds when any value matches (and no `notValues` match).
    #[serde(default)]
    pub values: Vec<String>,
    /// The condition fails when any of these match.
    #[serde(default)]
    pub not_values: Vec<String>,
}

/// A policy in rampart's own configuration form.
///
/// ```yaml
/// - name: research-data-access
///   action: ALLOW            # ALLOW (default) | DENY | AUDIT | CUSTOM
///   provider: {name: authz}  # CUSTOM only: an authorization.providers entry
///   targets: [research-data] # route names; absent or empty: every route
///   rules:
///     - from: [{source: {principals: ["cluster.local/ns/research/sa/research-frontend"]}}]
///       to: [{operation: {methods: [GET, POST], paths: ["/api/data/*"]}}]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Unique name, used in decisions and events.
    pub name: String,
    /// The action. Default: ALLOW.
    #[serde(default)]
    pub action: Action,
    /// External authorizer (`provider: NAME` or `provider: {name: NAME}`); required for
    /// CUSTOM, refused otherwise.
    #[serde(default)]
    pub provider: Option<crate::ProviderRef>,
    /// Targets (route names) the policy applies to; empty means every target.
    #[serde(default, alias = "routes")]
    pub targets: Vec<String>,
    /// Record only: evaluate and report, never enforce. Default: false.
    #[serde(default)]
    pub dry_run: bool,
    /// The rules; none at all means the policy matches nothing (an ALLOW policy without rules
    /// therefore denies every request to its targets).
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}
