//! External authorizers for CUSTOM policies, configured like Istio's meshConfig
//! `extensionProviders` with `envoyExtAuthzHttp`, and validated into [`ExternalAuthorizer`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::HeaderName;
use http::uri::{Authority, Scheme};
use http::{StatusCode, Uri};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::istio::ExtensionProvider;
use crate::{PolicyError, Problem};

/// The timeout of an authorizer call when none is written (Envoy's default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);
/// The longest timeout accepted: a slower authorizer would hold requests for too long.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);
/// Headers that cannot be listed: the gateway sets them itself or they are hop-by-hop.
const RESERVED_HEADERS: [&str; 10] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
    "x-request-id",
];

/// One external authorizer in the `authorization.providers` list.
///
/// ```yaml
/// - name: my-authz
///   http:
///     url: http://127.0.0.1:9000/check
///     timeout: 200ms
///     include_request_headers: [authorization, x-user]
///     headers_to_upstream_on_allow: [x-user-id]
///     headers_to_downstream_on_deny: [www-authenticate]
///     fail_open: false
///     status_on_error: 403
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// The name CUSTOM policies refer to (`provider: {name: ...}`).
    pub name: String,
    /// The HTTP authorizer, with Envoy ext_authz HTTP semantics.
    pub http: HttpProviderSpec,
}

/// An HTTP authorizer (Istio's `envoyExtAuthzHttp`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpProviderSpec {
    /// `http://HOST:PORT/PREFIX`; the authorizer receives `PREFIX` followed by the request's
    /// normalized path and query. Only `http` is supported.
    pub url: String,
    /// Time for the whole check (connect, request, response head): `200ms`, `1s`, `0.5s`.
    /// Default: 200ms; at most 60s.
    #[serde(default)]
    pub timeout: Option<String>,
    /// Request headers copied to the check request. Default: none.
    #[serde(default)]
    pub include_request_headers: Vec<String>,
    /// Headers of an allowing answer set on the upstream request; copies sent by the client
    /// are always removed. Default: none.
    #[serde(default)]
    pub headers_to_upstream_on_allow: Vec<String>,
    /// Headers of a denying answer copied to the client's response. Default: none.
    #[serde(default)]
    pub headers_to_downstream_on_deny: Vec<String>,
    /// Allow the request when the authorizer times out, is unreachable or answers 5xx.
    /// Default: false (deny with `status_on_error`).
    #[serde(default)]
    pub fail_open: bool,
    /// Status of the denial when the authorizer fails (400-599). Default: 403.
    #[serde(default)]
    pub status_on_error: Option<u16>,
}

/// A validated external authorizer, ready for the gateway's HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalAuthorizer {
    /// The provider's name.
    pub name: Arc<str>,
    /// Host and port of the authorizer.
    pub authority: Authority,
    /// Prefix of the check request's path, without trailing `/`; may be empty.
    pub path_prefix: String,
    /// Time for the whole check.
    pub timeout: Duration,
    /// Request headers copied to the check request (lowercase).
    pub include_request_headers: Vec<HeaderName>,
    /// Headers of an allowing answer set on the upstream request.
    pub headers_to_upstream_on_allow: Vec<HeaderName>,
    /// Headers of a denying answer copied to the client.
    pub headers_to_downstream_on_deny: Vec<HeaderName>,
    /// Allow when the authorizer fails.
    pub fail_open: bool,
    /// The denial status when it fails.
    pub status_on_error: StatusCode,
}

/// The provider of a CUSTOM policy: `provider: NAME`, or `provider: {name: NAME}` as Istio
/// writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderRef(pub String);

impl ProviderRef {
    /// The provider's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ProviderRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RefVisitor;

        impl<'de> Visitor<'de> for RefVisitor {
            type Value = ProviderRef;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a provider name, or a map `{name: NAME}`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ProviderRef(v.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let inner = de::value::MapAccessDeserializer::new(map);
                ExtensionProvider::deserialize(inner).map(|p| ProviderRef(p.name))
            }
        }

        deserializer.deserialize_any(RefVisitor)
    }
}

/// Validates the `providers` list; names must be unique and non-empty.
pub(crate) fn compile_providers(
    specs: &[ProviderSpec],
) -> Result<Vec<ExternalAuthorizer>, PolicyError> {
    let mut out: Vec<ExternalAuthorizer> = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        let origin = format!("providers[{index}] `{}`", spec.name);
        let fail = |path: &str, problem| PolicyError::Invalid {
            origin: origin.clone(),
            path: path.to_owned(),
            problem,
        };
        if spec.name.is_empty() {
            return Err(fail("name", Problem::EmptyName));
        }
        if out.iter().any(|p| *p.name == *spec.name) {
            return Err(fail("name", Problem::DuplicateProvider(spec.name.clone())));
        }
        out.push(compile_http(&spec.name, &spec.http).map_err(|(path, p)| fail(&path, p))?);
    }
    Ok(out)
}

/// Validates one HTTP authorizer; errors carry the path under `http`.
fn compile_http(
    name: &str,
    spec: &HttpProviderSpec,
) -> Result<ExternalAuthorizer, (String, Problem)> {
    let at = |field: &str| format!("http.{field}");
    let (authority, path_prefix) = parse_url(&spec.url).map_err(|p| (at("url"), p))?;
    let timeout = match &spec.timeout {
        None => DEFAULT_TIMEOUT,
        Some(text) => parse_timeout(text)
            .ok_or_else(|| (at("timeout"), Problem::InvalidTimeout(text.clone())))?,
    };
    let status = spec.status_on_error.unwrap_or(403);
    let status_on_error = StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .ok_or_else(|| (at("status_on_error"), Problem::InvalidStatusOnError(status)))?;

    Ok(ExternalAuthorizer {
        name: Arc::from(name),
        authority,
        path_prefix,
        timeout,
        include_request_headers: header_names(
            &spec.include_request_headers,
            &at("include_request_headers"),
        )?,
        headers_to_upstream_on_allow: header_names(
            &spec.headers_to_upstream_on_allow,
            &at("headers_to_upstream_on_allow"),
        )?,
        headers_to_downstream_on_deny: downstream_names(
            &spec.headers_to_downstream_on_deny,
            &at("headers_to_downstream_on_deny"),
        )?,
        fail_open: spec.fail_open,
        status_on_error,
    })
}

/// Splits `http://host:port/prefix` into its authority and a prefix without trailing `/`.
fn parse_url(url: &str) -> Result<(Authority, String), Problem> {
    let bad = |why: &'static str| Problem::InvalidProviderUrl(url.to_owned(), why);
    let uri: Uri = url.parse().map_err(|_| bad("it does not parse as a URL"))?;
    match uri.scheme() {
        Some(scheme) if *scheme == Scheme::HTTP => {}
        Some(scheme) if *scheme == Scheme::HTTPS => {
            return Err(bad("https is not supported yet; use http on loopback or a sidecar"))
        }
        _ => return Err(bad("the scheme must be http")),
    }
    let authority = uri.authority().cloned().ok_or_else(|| bad("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("user information is not allowed"));
    }
    if uri.query().is_some() {
        return Err(bad("a query is not allowed"));
    }
    Ok((authority, uri.path().trim_end_matches('/').to_owned()))
}

/// Parses `250ms`, `2s`, `0.5s` or `1m` into a duration from 1ms to [`MAX_TIMEOUT`].
pub(crate) fn parse_timeout(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = text.split_at(split);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    let millis = match unit {
        "ms" if fraction == 0 && !number.contains('.') => whole,
        "s" => whole.checked_mul(1_000)?.checked_add(fraction)?,
        "m" if !number.contains('.') => whole.checked_mul(60_000)?,
        _ => return None,
    };
    let timeout = Duration::from_millis(millis);
    (millis > 0 && timeout <= MAX_TIMEOUT).then_some(timeout)
}

/// Parses a list of header names, refusing invalid and reserved ones.
fn header_names(names: &[String], path: &str) -> Result<Vec<HeaderName>, (String, Problem)> {
    let mut out = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let at = || format!("{path}[{index}]");
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| (at(), Problem::InvalidHeaderName(name.clone())))?;
        if RESERVED_HEADERS.contains(&header.as_str()) {
            return Err((at(), Problem::ReservedHeader(header.as_str().to_owned())));
        }
        if !out.contains(&header) {
            out.push(header);
        }
    }
    Ok(out)
}

/// Like [`header_names`], also refusing `content-type`: the denial's body is rampart's JSON.
fn downstream_names(names: &[String], path: &str) -> Result<Vec<HeaderName>, (String, Problem)> {
    let parsed = header_names(names, path)?;
    match names.iter().position(|name| name.eq_ignore_ascii_case("content-type")) {
        Some(index) => {
            Err((format!("{path}[{index}]"), Problem::ReservedHeader("content-type".into())))
        }
        None => Ok(parsed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_take_units_and_decimal_seconds() {
        assert_eq!(parse_timeout("200ms"), Some(Duration::from_millis(200)));
        assert_eq!(parse_timeout("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_timeout("0.25s"), Some(Duration::from_millis(250)));
        assert_eq!(parse_timeout("1m"), Some(Duration::from_secs(60)));
        for bad in ["", "200", "0ms", "2m", "1.5ms", "0.0001s", ".5s", "5x", "-1s", "1.s.1s"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    fn urls_give_an_authority_and_a_prefix() {
        let (authority, prefix) = parse_url("http://127.0.0.1:9000/check/").unwrap();
        assert_eq!((authority.as_str(), prefix.as_str()), ("127.0.0.1:9000", "/check"));
        assert_eq!(parse_url("http://authz").unwrap().1, "");
        for bad in ["https://a/", "ftp://a/", "/check", "http://u@a/", "http://a/?x=1"] {
            assert!(matches!(parse_url(bad), Err(Problem::InvalidProviderUrl(..))), "{bad}");
        }
    }

    #[test]
    fn provider_refs_take_a_name_or_a_map() {
        let plain: ProviderRef = serde_yaml_ng::from_str("opa").unwrap();
        let map: ProviderRef = serde_yaml_ng::from_str("{name: opa}").unwrap();
        assert_eq!((plain.name(), map.name()), ("opa", "opa"));
        let unknown = serde_yaml_ng::from_str::<ProviderRef>("{name: opa, port: 1}");
        assert!(unknown.unwrap_err().to_string().contains("unknown field `port`"));
    }
}
