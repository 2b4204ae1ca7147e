//! Compiles rule specs into prepared rules, naming the path of the first bad value.

use crate::condition::compile_condition;
use rampart_path::{normalize_path, EncodedSlashes, PathOptions, PathParameters};

use crate::matcher::{parse_cidr, Glob, PathMatch, StringMatch, Wildcard};
use crate::rule::{Check, Clause, RequestPrincipalMatch, Rule};
use crate::spec::{OperationSpec, RuleSpec, SourceSpec};
use crate::Problem;

/// A problem and the path (inside the rule list) of the value that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    /// Path relative to the rule list, e.g. `[0].from[1].source.ipBlocks[2]`.
    pub(crate) path: String,
    /// What is wrong.
    pub(crate) problem: Problem,
}

impl Located {
    /// A problem at `path`.
    pub(crate) fn new(path: impl Into<String>, problem: Problem) -> Self {
        Self { path: path.into(), problem }
    }
}

/// Compiles all rules of one policy. `namespace` completes bare service accounts.
pub(crate) fn compile_rules(
    rules: &[RuleSpec],
    namespace: Option<&str>,
) -> Result<Vec<Rule>, Located> {
    rules
        .iter()
        .enumerate()
        .map(|(index, rule)| compile_rule(rule, namespace, &format!("[{index}]")))
        .collect()
}

/// Compiles one rule.
fn compile_rule(spec: &RuleSpec, namespace: Option<&str>, path: &str) -> Result<Rule, Located> {
    let mut rule = Rule::default();
    for (index, from) in spec.from.iter().enumerate() {
        let at = format!("{path}.from[{index}].source");
        let source = from.source.as_ref().ok_or_else(|| Located::new(&at, Problem::EmptySource))?;
        rule.from.push(compile_source(source, namespace, &at)?);
    }

    for (index, to) in spec.to.iter().enumerate() {
        let at = format!("{path}.to[{index}].operation");
        let operation =
            to.operation.as_ref().ok_or_else(|| Located::new(&at, Problem::EmptyOperation))?;
        rule.to.push(compile_operation(operation, &at)?);
    }

    for (index, condition) in spec.when.iter().enumerate() {
        let at = format!("{path}.when[{index}]");
        rule.when.extend(compile_condition(condition, &at)?);
    }
    Ok(rule)
}

/// Compiles a source; every set field becomes one clause.
fn compile_source(
    spec: &SourceSpec,
    namespace: Option<&str>,
    path: &str,
) -> Result<Vec<Clause>, Located> {
    let mut out = Clauses::new(path);
    out.add("principals", &spec.principals, false, principal, Check::Principal)?;
    out.add("notPrincipals", &spec.not_principals, true, principal, Check::Principal)?;
    let request = Check::RequestPrincipal;
    out.add("requestPrincipals", &spec.request_principals, false, request_principal, request)?;
    out.add(
        "notRequestPrincipals",
        &spec.not_request_principals,
        true,
        request_principal,
        request,
    )?;
    out.add("namespaces", &spec.namespaces, false, namespace_glob, Check::Namespace)?;
    out.add("notNamespaces", &spec.not_namespaces, true, namespace_glob, Check::Namespace)?;
    let account = |value: &str| service_account(value, namespace);
    let accounts = Check::ServiceAccount;
    out.add("serviceAccounts", &spec.service_accounts, false, account, accounts)?;
    out.add("notServiceAccounts", &spec.not_service_accounts, true, account, accounts)?;
    out.add("ipBlocks", &spec.ip_blocks, false, cidr, Check::SourceIp)?;
    out.add("notIpBlocks", &spec.not_ip_blocks, true, cidr, Check::SourceIp)?;
    out.add("remoteIpBlocks", &spec.remote_ip_blocks, false, cidr, Check::RemoteIp)?;
    out.add("notRemoteIpBlocks", &spec.not_remote_ip_blocks, true, cidr, Check::RemoteIp)?;
    out.finish(Problem::EmptySource)
}

/// Compiles an operation; every set field becomes one clause.
fn compile_operation(spec: &OperationSpec, path: &str) -> Result<Vec<Clause>, Located> {
    let mut out = Clauses::new(path);
    out.add("hosts", &spec.hosts, false, host, Check::Host)?;
    out.add("notHosts", &spec.not_hosts, true, host, Check::Host)?;
    out.add("ports", &spec.ports, false, port, Check::Port)?;
    out.add("notPorts", &spec.not_ports, true, port, Check::Port)?;
    out.add("methods", &spec.methods, false, present, Check::Method)?;
    out.add("notMethods", &spec.not_methods, true, present, Check::Method)?;
    out.add("paths", &spec.paths, false, path_pattern, Check::Path)?;
    out.add("notPaths", &spec.not_paths, true, path_pattern, Check::Path)?;
    out.finish(Problem::EmptyOperation)
}

/// Collects the clauses of one source or operation.
pub(crate) struct Clauses<'p> {
    path: &'p str,
    clauses: Vec<Clause>,
}

impl<'p> Clauses<'p> {
    /// An empty collection for the object at `path`.
    pub(crate) fn new(path: &'p str) -> Self {
        Self { path, clauses: Vec::new() }
    }

    /// Parses a field's values (if any) and adds its clause.
    pub(crate) fn add<T>(
        &mut self,
        field: &str,
        values: &[String],
        negated: bool,
        parse: impl Fn(&str) -> Result<T, Problem>,
        check: impl FnOnce(Vec<T>) -> Check,
    ) -> Result<(), Located> {
        if values.is_empty() {
            return Ok(());
        }
        let parsed = parse_values(values, &format!("{}.{field}", self.path), parse)?;
        self.clauses.push(Clause { check: check(parsed), negated });
        Ok(())
    }

    /// The clauses, or `empty` when no field was set.
    pub(crate) fn finish(self, empty: Problem) -> Result<Vec<Clause>, Located> {
        if self.clauses.is_empty() {
            return Err(Located::new(self.path, empty));
        }
        Ok(self.clauses)
    }

    /// The clauses, possibly none.
    pub(crate) fn into_inner(self) -> Vec<Clause> {
        self.clauses
    }
}

/// Parses every value, refusing empty ones, and names the index of a bad one.
fn parse_values<T>(
    values: &[String],
    path: &str,
    parse: impl Fn(&str) -> Result<T, Problem>,
) -> Result<Vec<T>, Located> {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let problem = if value.is_empty() { Err(Problem::EmptyValue) } else { parse(value) };
            problem.map_err(|problem| Located::new(format!("{path}[{index}]"), problem))
        })
        .collect()
}

/// A string pattern where `*` means any non-empty value.
pub(crate) fn principal(value: &str) -> Result<StringMatch, Problem> {
    Ok(StringMatch::new(value, Wildcard::NonEmpty))
}

/// A namespace pattern, with `*` anywhere.
pub(crate) fn namespace_glob(value: &str) -> Result<Glob, Problem> {
    Ok(Glob::new(value))
}

/// A string pattern where `*` means present (headers, methods).
pub(crate) fn present(value: &str) -> Result<StringMatch, Problem> {
    Ok(StringMatch::new(value, Wildcard::Present))
}

/// A case-insensitive host pattern.
fn host(value: &str) -> Result<StringMatch, Problem> {
    Ok(StringMatch::new_lowercase(value, Wildcard::Present))
}

/// A CIDR block or a bare address.
pub(crate) fn cidr(value: &str) -> Result<ipnet::IpNet, Problem> {
    parse_cidr(value).ok_or_else(|| Problem::InvalidCidr(value.to_owned()))
}

/// A port number of digits only.
pub(crate) fn port(value: &str) -> Result<u16, Problem> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    value.parse().ok().filter(|_| digits).ok_or_else(|| Problem::InvalidPort(value.to_owned()))
}

/// A path pattern or template.
fn path_pattern(value: &str) -> Result<PathMatch, Problem> {
    let pattern =
        PathMatch::new(value).map_err(|_| Problem::InvalidPathTemplate(value.to_owned()))?;
    check_normalized(&pattern, value)?;
    Ok(pattern)
}

/// Refuses exact and prefix patterns that differ from their own normalized form (`%7e`,
/// lowercase escapes, dot segments): requests are matched after normalization, so such a
/// pattern would silently never match. Patterns the normalizer refuses are left alone.
fn check_normalized(pattern: &PathMatch, value: &str) -> Result<(), Problem> {
    // A prefix may end inside a segment (`/a/.*` is a fair prefix of `/a/.well-known`):
    // complete it with a letter so a partial segment is not read as a dot segment.
    let (text, tail) = match pattern {
        PathMatch::String(StringMatch::Exact(text)) => (text.clone(), ""),
        PathMatch::String(StringMatch::Prefix(text)) => (format!("{text}x"), "x"),
        _ => return Ok(()),
    };
    let lenient = PathOptions {
        encoded_slashes: EncodedSlashes::KeepOpaque,
        path_parameters: PathParameters::Reject,
        merge_slashes: false,
    };
    match normalize_path(&text, &lenient) {
        Ok(normalized) if normalized != text => {
            let written = normalized.strip_suffix(tail).unwrap_or(&normalized);
            let star = if tail.is_empty() { "" } else { "*" };
            Err(Problem::UnnormalizedPath(value.to_owned(), format!("{written}{star}")))
        }
        _ => Ok(()),
    }
}

/// `NS/SA`, or `SA` in the policy's namespace.
fn service_account(value: &str, namespace: Option<&str>) -> Result<(String, String), Problem> {
    match (value.split_once('/'), namespace) {
        (Some((ns, sa)), _) => Ok((ns.to_owned(), sa.to_owned())),
        (None, Some(ns)) => Ok((ns.to_owned(), value.to_owned())),
        (None, None) => Err(Problem::ServiceAccountWithoutNamespace(value.to_owned())),
    }
}

/// An `iss/sub` pattern, split at the last `/` as Istio does (issuers may be URLs): a leading
/// `*` makes a suffix match on the issuer (or subject if there is no `/`), a trailing `*` a
/// prefix match on the subject (or issuer).
pub(crate) fn request_principal(value: &str) -> Result<RequestPrincipalMatch, Problem> {
    let exact = |text: &str| StringMatch::Exact(text.to_owned());
    let any = || StringMatch::NonEmpty;
    let suffix = |text: &str| StringMatch::Suffix(text.trim_start_matches('*').to_owned());
    let prefix = |text: &str| StringMatch::Prefix(text.trim_end_matches('*').to_owned());
    let split = value.rsplit_once('/');

    let (issuer, subject) = if value == "*" {
        (any(), any())
    } else if let Some(rest) = value.strip_prefix('*') {
        match split {
            Some(("*", sub)) => (any(), exact(sub)),
            Some((iss, sub)) => (suffix(iss), exact(sub)),
            None => (any(), StringMatch::Suffix(rest.to_owned())),
        }
    } else if let Some(rest) = value.strip_suffix('*') {
        match split {
            Some((iss, "*")) => (exact(iss), any()),
            Some((iss, sub)) => (exact(iss), prefix(sub)),
            None => (StringMatch::Prefix(rest.to_owned()), any()),
        }
    } else {
        match split {
            Some((iss, sub)) => (exact(iss), exact(sub)),
            None => (exact(value), exact("")),
        }
    };
    Ok(RequestPrincipalMatch { issuer, subject })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(value: &str) -> (StringMatch, StringMatch) {
        let m = request_principal(value).unwrap();
        (m.issuer, m.subject)
    }

    #[test]
    fn splits_request_principals_like_istio() {
        let exact = |t: &str| StringMatch::Exact(t.into());
        assert_eq!(split("https://iss/sub"), (exact("https://iss"), exact("sub")));
        assert_eq!(split("*"), (StringMatch::NonEmpty, StringMatch::NonEmpty));
        assert_eq!(split("https://iss/*"), (exact("https://iss"), StringMatch::NonEmpty));
        assert_eq!(
            split("https://iss/ab*"),
            (exact("https://iss"), StringMatch::Prefix("ab".into()))
        );
        assert_eq!(split("*/sub"), (StringMatch::NonEmpty, exact("sub")));
        assert_eq!(split("*.com/sub"), (StringMatch::Suffix(".com".into()), exact("sub")));
        assert_eq!(split("*sub"), (StringMatch::NonEmpty, StringMatch::Suffix("sub".into())));
        assert_eq!(split("iss*"), (StringMatch::Prefix("iss".into()), StringMatch::NonEmpty));
    }

    #[test]
    fn ports_are_digits_only() {
        assert_eq!(port("8080"), Ok(8080));
        assert!(port("+80").is_err());
        assert!(port("65536").is_err());
        assert!(port("http").is_err());
    }
}
