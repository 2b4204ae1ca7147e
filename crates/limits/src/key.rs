//! Building a policy's counting key from the request's attributes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;
use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::compile::Policy;
use crate::config::{KeySourceConfig, MissingKey};

/// Longest identity kept verbatim; longer ones (attacker-sized headers) are hashed.
const MAX_IDENTITY: usize = 200;

/// Marker for an absent key source under `on_missing_key: shared`.
const ABSENT: &str = "-";

/// What the limiter may read from a request; the gateway implements it over its own types
/// (`Sync` so a check can be awaited on a multi-threaded runtime).
pub trait RequestAttributes: Sync {
    /// Client address after trusted-proxy handling.
    fn client_ip(&self) -> Option<IpAddr>;
    /// A JWT claim rendered as text (strings unquoted, other JSON as JSON).
    fn claim(&self, name: &str) -> Option<Cow<'_, str>>;
    /// The JWT subject.
    fn subject(&self) -> Option<&str>;
    /// The authenticated API key's id (never the key itself).
    fn api_key_id(&self) -> Option<&str>;
    /// The mTLS peer principal.
    fn principal(&self) -> Option<&str>;
    /// A request header value; `name` is lowercase.
    fn header(&self, name: &str) -> Option<&str>;
    /// The matched route's name.
    fn route(&self) -> Option<&str>;
}

/// A plain attribute set, for tests, benchmarks and the admin usage endpoint.
#[derive(Debug, Clone, Default)]
pub struct Attributes {
    /// Client address.
    pub client_ip: Option<IpAddr>,
    /// JWT claims as text.
    pub claims: HashMap<String, String>,
    /// JWT subject.
    pub subject: Option<String>,
    /// API key id.
    pub api_key_id: Option<String>,
    /// mTLS principal.
    pub principal: Option<String>,
    /// Headers with lowercase names.
    pub headers: HashMap<String, String>,
    /// Route name.
    pub route: Option<String>,
}

impl Attributes {
    /// Attributes holding only an API key id (what plan policies are keyed by).
    pub fn for_api_key(id: &str) -> Self {
        Self { api_key_id: Some(id.to_string()), ..Self::default() }
    }

    /// Attributes holding only a client address.
    pub fn for_ip(ip: IpAddr) -> Self {
        Self { client_ip: Some(ip), ..Self::default() }
    }
}

impl RequestAttributes for Attributes {
    fn client_ip(&self) -> Option<IpAddr> {
        self.client_ip
    }

    fn claim(&self, name: &str) -> Option<Cow<'_, str>> {
        self.claims.get(name).map(|v| Cow::Borrowed(v.as_str()))
    }

    fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    fn api_key_id(&self) -> Option<&str> {
        self.api_key_id.as_deref()
    }

    fn principal(&self) -> Option<&str> {
        self.principal.as_deref()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }
}

/// The identity a policy counts this request under, or `None` when the policy does not
/// apply (a source is absent and the policy says `skip`).
///
/// Parts are written `source=value` joined by `&`, values percent-encoded where they
/// could collide with separators or Redis hash-tag braces; over 200 bytes the whole
/// identity becomes `sha256:<hex>` so memory per key stays bounded.
pub fn identity(policy: &Policy, attrs: &dyn RequestAttributes) -> Option<String> {
    let mut out = String::new();
    for (i, source) in policy.key.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        let value = source_value(source, policy.ipv6_prefix, attrs);
        if value.is_none() && policy.on_missing_key == MissingKey::Skip {
            return None;
        }
        out.push_str(source_label(source));
        out.push('=');
        push_escaped(&mut out, value.as_deref().unwrap_or(ABSENT));
    }
    if out.len() > MAX_IDENTITY {
        return Some(hashed(&out));
    }
    Some(out)
}

fn source_value(
    source: &KeySourceConfig,
    ipv6_prefix: u8,
    attrs: &dyn RequestAttributes,
) -> Option<String> {
    match source {
        KeySourceConfig::ClientIp => attrs.client_ip().map(|ip| group_ip(ip, ipv6_prefix)),
        KeySourceConfig::Claim(name) => attrs.claim(name).map(Cow::into_owned),
        KeySourceConfig::Subject => attrs.subject().map(str::to_string),
        KeySourceConfig::ApiKey => attrs.api_key_id().map(str::to_string),
        KeySourceConfig::Principal => attrs.principal().map(str::to_string),
        KeySourceConfig::Header(name) => {
            attrs.header(&name.to_ascii_lowercase()).map(str::to_string)
        }
        KeySourceConfig::Route => attrs.route().map(str::to_string),
    }
}

fn source_label(source: &KeySourceConfig) -> &str {
    match source {
        KeySourceConfig::ClientIp => "ip",
        KeySourceConfig::Claim(_) => "claim",
        KeySourceConfig::Subject => "sub",
        KeySourceConfig::ApiKey => "key",
        KeySourceConfig::Principal => "principal",
        KeySourceConfig::Header(_) => "header",
        KeySourceConfig::Route => "route",
    }
}

/// The value of query parameter `name` in a raw query string (`a=1&api_key=rk_...`), for
/// API keys sent as a query parameter. Keys are base64url, so no percent-decoding is done;
/// a percent-encoded key simply does not match any record.
pub fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then_some(value)
    })
}

/// IPv4 addresses stay whole; IPv6 addresses are masked to `prefix` bits and written as a
/// network (`2001:db8:1:2::/64`), so one host cannot rotate through its /64.
pub fn group_ip(ip: IpAddr, prefix: u8) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let bits = u128::from(v6);
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0);
                let network = std::net::Ipv6Addr::from(bits & mask);
                format!("{network}/{prefix}")
            }
        },
    }
}

fn push_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        if matches!(c, '&' | '=' | '%' | '{' | '}') || c.is_control() {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
}

fn hashed(identity: &str) -> String {
    let digest = Sha256::digest(identity.as_bytes());
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_grouped_by_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(group_ip(a, 64), group_ip(b, 64));
        assert_eq!(group_ip(a, 64), "2001:db8:1:2::/64");
        assert_ne!(group_ip(a, 128), group_ip(b, 128));
        assert_eq!(group_ip("10.1.2.3".parse().unwrap(), 64), "10.1.2.3");
    }

    #[test]
    fn query_params_are_found_by_exact_name() {
        assert_eq!(query_param("a=1&api_key=rk_x&b=2", "api_key"), Some("rk_x"));
        assert_eq!(query_param("xapi_key=1", "api_key"), None);
        assert_eq!(query_param("", "api_key"), None);
    }

    #[test]
    fn separators_and_braces_are_escaped() {
        let mut out = String::new();
        push_escaped(&mut out, "a&b={c}%");
        assert_eq!(out, "a%26b%3D%7Bc%7D%25");
    }
}
