//! `when` conditions: the attribute keys rampart supports and how each compiles.

use crate::compile::{
    cidr, namespace_glob, port, present, principal, request_principal, Clauses, Located,
};
use crate::matcher::StringMatch;
use crate::rule::{Check, Clause};
use crate::spec::ConditionSpec;
use crate::Problem;

/// The attribute a condition key names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Header(String),
    Claim(Vec<String>),
    AuthPrincipal,
    Audiences,
    Presenter,
    SourceIp,
    RemoteIp,
    SourcePrincipal,
    SourceNamespace,
    DestinationIp,
    DestinationPort,
    Sni,
}

const HEADERS: &str = "request.headers";
const CLAIMS: &str = "request.auth.claims";

/// Compiles a condition into one clause for `values` and one for `notValues`.
pub(crate) fn compile_condition(spec: &ConditionSpec, path: &str) -> Result<Vec<Clause>, Located> {
    let key = parse_key(&spec.key).map_err(|p| Located::new(format!("{path}.key"), p))?;
    if spec.values.is_empty() && spec.not_values.is_empty() {
        return Err(Located::new(path, Problem::ConditionWithoutValues));
    }

    let mut out = Clauses::new(path);
    for (field, values, negated) in
        [("values", &spec.values, false), ("notValues", &spec.not_values, true)]
    {
        add_values(&mut out, &key, field, values, negated)?;
    }
    Ok(out.into_inner())
}

/// Adds the clause for one list of values, parsed as the key requires.
fn add_values(
    out: &mut Clauses<'_>,
    key: &Key,
    field: &str,
    values: &[String],
    negated: bool,
) -> Result<(), Located> {
    match key {
        Key::Header(name) => {
            out.add(field, values, negated, present, |v| Check::Header(name.clone(), v))
        }
        Key::Claim(names) => {
            out.add(field, values, negated, principal, |v| Check::Claim(names.clone(), v))
        }
        Key::AuthPrincipal => {
            out.add(field, values, negated, request_principal, Check::RequestPrincipal)
        }
        Key::Audiences => out.add(field, values, negated, principal, claim("aud")),
        Key::Presenter => out.add(field, values, negated, principal, claim("azp")),
        Key::SourceIp => out.add(field, values, negated, cidr, Check::SourceIp),
        Key::RemoteIp => out.add(field, values, negated, cidr, Check::RemoteIp),
        Key::SourcePrincipal => out.add(field, values, negated, principal, Check::Principal),
        Key::SourceNamespace => out.add(field, values, negated, namespace_glob, Check::Namespace),
        Key::DestinationIp => out.add(field, values, negated, cidr, Check::DestinationIp),
        Key::DestinationPort => out.add(field, values, negated, port, Check::Port),
        Key::Sni => out.add(field, values, negated, principal, Check::Sni),
    }
}

/// A check on one top-level claim.
fn claim(name: &'static str) -> impl Fn(Vec<StringMatch>) -> Check {
    move |values| Check::Claim(vec![name.to_owned()], values)
}

/// Parses a condition key; unknown keys are errors, never ignored.
fn parse_key(key: &str) -> Result<Key, Problem> {
    if let Some(rest) = key.strip_prefix(HEADERS) {
        return header_key(key, rest);
    }
    if let Some(rest) = key.strip_prefix(CLAIMS) {
        return claim_key(key, rest);
    }
    match key {
        "request.auth.principal" => Ok(Key::AuthPrincipal),
        "request.auth.audiences" => Ok(Key::Audiences),
        "request.auth.presenter" => Ok(Key::Presenter),
        "source.ip" => Ok(Key::SourceIp),
        "remote.ip" => Ok(Key::RemoteIp),
        "source.principal" => Ok(Key::SourcePrincipal),
        "source.namespace" => Ok(Key::SourceNamespace),
        "destination.ip" => Ok(Key::DestinationIp),
        "destination.port" => Ok(Key::DestinationPort),
        "connection.sni" => Ok(Key::Sni),
        _ => Err(Problem::UnknownKey(key.to_owned())),
    }
}

/// `request.headers[NAME]`, with a valid header name, stored lowercase.
fn header_key(key: &str, rest: &str) -> Result<Key, Problem> {
    let malformed = || Problem::MalformedKey(key.to_owned(), HEADERS);
    let name = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')).ok_or_else(malformed)?;
    if name.is_empty() || name.contains(['[', ']']) {
        return Err(malformed());
    }
    http::HeaderName::from_bytes(name.as_bytes())
        .map(|header| Key::Header(header.as_str().to_owned()))
        .map_err(|_| Problem::InvalidHeaderName(name.to_owned()))
}

/// `request.auth.claims[a]` or nested `request.auth.claims[a][b]`.
fn claim_key(key: &str, rest: &str) -> Result<Key, Problem> {
    let malformed = || Problem::MalformedKey(key.to_owned(), CLAIMS);
    let inner = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')).ok_or_else(malformed)?;
    let names: Vec<String> = inner.split("][").map(str::to_owned).collect();
    if names.iter().any(|n| n.is_empty() || n.contains(['[', ']'])) {
        return Err(malformed());
    }
    Ok(Key::Claim(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bracketed_keys() {
        assert_eq!(parse_key("request.headers[X-Tenant]"), Ok(Key::Header("x-tenant".into())));
        assert_eq!(
            parse_key("request.auth.claims[realm][roles]"),
            Ok(Key::Claim(vec!["realm".into(), "roles".into()]))
        );
        assert_eq!(parse_key("destination.port"), Ok(Key::DestinationPort));
    }

    #[test]
    fn refuses_unknown_and_malformed_keys() {
        assert!(matches!(parse_key("request.method"), Err(Problem::UnknownKey(_))));
        assert!(matches!(parse_key("request.headers"), Err(Problem::MalformedKey(..))));
        assert!(matches!(parse_key("request.headers[]"), Err(Problem::MalformedKey(..))));
        assert!(matches!(parse_key("request.auth.claims[a]]"), Err(Problem::MalformedKey(..))));
        assert!(matches!(parse_key("request.auth.claims[a][]"), Err(Problem::MalformedKey(..))));
        assert!(matches!(parse_key("request.headers[a b]"), Err(Problem::InvalidHeaderName(_))));
    }
}
