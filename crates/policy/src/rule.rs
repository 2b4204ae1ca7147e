//! Compiled rules and their evaluation against request attributes.

use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use crate::attrs::RequestAttributes;
use crate::matcher::{Glob, PathMatch, StringMatch};

/// A compiled rule: any source, any operation, and every condition must match.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rule {
    /// Each source is a list of clauses that must all hold; empty means any source.
    pub(crate) from: Vec<Vec<Clause>>,
    /// Each operation is a list of clauses that must all hold; empty means any operation.
    pub(crate) to: Vec<Vec<Clause>>,
    /// Conditions, each one or two clauses (values, notValues); all must hold.
    pub(crate) when: Vec<Clause>,
}

impl Rule {
    /// True when the request matches this rule.
    pub(crate) fn matches(&self, attrs: &RequestAttributes<'_>) -> bool {
        any_or_empty(&self.from, attrs)
            && any_or_empty(&self.to, attrs)
            && self.when.iter().all(|clause| clause.holds(attrs))
    }
}

/// True when the list is empty or one of its clause sets holds entirely.
fn any_or_empty(sets: &[Vec<Clause>], attrs: &RequestAttributes<'_>) -> bool {
    sets.is_empty() || sets.iter().any(|set| set.iter().all(|clause| clause.holds(attrs)))
}

/// One field of a source or operation, or one half of a condition.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    /// What is checked.
    pub(crate) check: Check,
    /// A `not` field: holds when no value matches.
    pub(crate) negated: bool,
}

impl Clause {
    /// True when the clause holds for the request.
    fn holds(&self, attrs: &RequestAttributes<'_>) -> bool {
        self.check.any(attrs) != self.negated
    }
}

/// A request principal pattern, split into issuer and subject the way Istio splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestPrincipalMatch {
    /// Matcher for the `iss` claim.
    pub(crate) issuer: StringMatch,
    /// Matcher for the `sub` claim.
    pub(crate) subject: StringMatch,
}

/// An attribute with the values it is compared with; it matches when any value does.
#[derive(Debug, Clone)]
pub(crate) enum Check {
    /// The peer principal.
    Principal(Vec<StringMatch>),
    /// The JWT issuer and subject.
    RequestPrincipal(Vec<RequestPrincipalMatch>),
    /// The source namespace; `*` may appear anywhere, as in Istio.
    Namespace(Vec<Glob>),
    /// The peer's namespace and service account, both exact.
    ServiceAccount(Vec<(String, String)>),
    /// The direct peer address.
    SourceIp(Vec<IpNet>),
    /// The original client address.
    RemoteIp(Vec<IpNet>),
    /// The local address.
    DestinationIp(Vec<IpNet>),
    /// The normalized host name.
    Host(Vec<StringMatch>),
    /// The local port.
    Port(Vec<u16>),
    /// The method.
    Method(Vec<StringMatch>),
    /// The normalized path.
    Path(Vec<PathMatch>),
    /// A request header by lowercase name.
    Header(String, Vec<StringMatch>),
    /// A (nested) JWT claim: a string, or a list of strings of which one must match.
    Claim(Vec<String>, Vec<StringMatch>),
    /// The TLS server name.
    Sni(Vec<StringMatch>),
}

impl Check {
    /// True when the attribute is present and one of the values matches it.
    fn any(&self, attrs: &RequestAttributes<'_>) -> bool {
        match self {
            Self::Principal(values) => any_string(values, attrs.principal),
            Self::RequestPrincipal(values) => request_principal(values, attrs),
            Self::Namespace(values) => {
                values.iter().any(|glob| glob.matches(attrs.source_namespace()))
            }
            Self::ServiceAccount(values) => service_account(values, attrs),
            Self::SourceIp(blocks) => any_block(blocks, attrs.source_ip),
            Self::RemoteIp(blocks) => any_block(blocks, attrs.remote_ip),
            Self::DestinationIp(blocks) => any_block(blocks, attrs.destination_ip),
            Self::Host(values) => any_string(values, Some(attrs.host)),
            Self::Port(ports) => attrs.destination_port.is_some_and(|p| ports.contains(&p)),
            Self::Method(values) => any_string(values, Some(attrs.method)),
            Self::Path(values) => values.iter().any(|v| v.matches(attrs.path)),
            Self::Header(name, values) => any_string(values, attrs.headers.header(name).as_deref()),
            Self::Claim(path, values) => claim(path, values, attrs),
            Self::Sni(values) => any_string(values, attrs.sni),
        }
    }
}

/// True when any matcher matches the value.
fn any_string(values: &[StringMatch], value: Option<&str>) -> bool {
    values.iter().any(|v| v.matches(value))
}

/// True when the address lies in any block.
fn any_block(blocks: &[IpNet], ip: Option<IpAddr>) -> bool {
    ip.is_some_and(|ip| blocks.iter().any(|block| block.contains(&ip)))
}

/// True when the JWT's issuer and subject match one pattern.
fn request_principal(values: &[RequestPrincipalMatch], attrs: &RequestAttributes<'_>) -> bool {
    let Some((issuer, subject)) = attrs.issuer_and_subject() else { return false };
    values.iter().any(|v| v.issuer.matches(Some(issuer)) && v.subject.matches(Some(subject)))
}

/// True when the peer's namespace and service account equal one pair.
fn service_account(values: &[(String, String)], attrs: &RequestAttributes<'_>) -> bool {
    let namespace = attrs.principal.and(attrs.source_namespace());
    let (Some(namespace), Some(account)) = (namespace, attrs.service_account()) else {
        return false;
    };
    values.iter().any(|(ns, sa)| ns == namespace && sa == account)
}

/// True when the claim at `path` is a matching string or a list with a matching string.
fn claim(path: &[String], values: &[StringMatch], attrs: &RequestAttributes<'_>) -> bool {
    let Some(value) = claim_at(path, attrs) else { return false };
    match value {
        Value::String(text) => any_string(values, Some(text)),
        Value::Array(items) => items.iter().filter_map(Value::as_str).any(|text| {
            // One list element matching one pattern is enough, as in Istio.
            any_string(values, Some(text))
        }),
        _ => false,
    }
}

/// Walks nested claims (`request.auth.claims[a][b]`).
fn claim_at<'a>(path: &[String], attrs: &RequestAttributes<'a>) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = attrs.claims?.get(first)?;
    for key in rest {
        value = value.as_object()?.get(key)?;
    }
    Some(value)
}
