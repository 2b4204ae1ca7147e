//! The request attributes policies are evaluated against, borrowed from the request.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};

/// Read access to request headers, so the gateway can pass its own header type.
pub trait HeaderLookup {
    /// The value of a header by lowercase name; several values are joined with `,` as Envoy
    /// does. `None` when the header is absent.
    fn header(&self, name: &str) -> Option<Cow<'_, str>>;
}

/// A request without headers.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHeaders;

impl HeaderLookup for NoHeaders {
    fn header(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut values = self.get_all(name).iter();
        let first = values.next()?;
        let mut joined = String::from_utf8_lossy(first.as_bytes());
        for value in values {
            let text = joined.to_mut();
            text.push(',');
            text.push_str(&String::from_utf8_lossy(value.as_bytes()));
        }
        Some(joined)
    }
}

/// Everything a policy can look at, as the gateway established it for one request.
///
/// `host` and `path` must be the outputs of `rampart_path::normalize_host` (the name) and
/// `rampart_path::normalize_path`: policies match on them literally.
#[derive(Clone, Copy)]
pub struct RequestAttributes<'a> {
    /// The peer identity from the client certificate, `TRUST_DOMAIN/ns/NS/sa/SA`.
    pub principal: Option<&'a str>,
    /// The verified JWT identity, `iss/sub`.
    pub request_principal: Option<&'a str>,
    /// The verified JWT claims.
    pub claims: Option<&'a Map<String, Value>>,
    /// The source namespace; when `None` it is read from `principal`.
    pub namespace: Option<&'a str>,
    /// The address of the direct peer.
    pub source_ip: Option<IpAddr>,
    /// The original client address (from trusted forwarding headers), else the peer's.
    pub remote_ip: Option<IpAddr>,
    /// The local address the request arrived on.
    pub destination_ip: Option<IpAddr>,
    /// The local port the request arrived on.
    pub destination_port: Option<u16>,
    /// The normalized host name, lowercase, without port.
    pub host: &'a str,
    /// The request method.
    pub method: &'a str,
    /// The normalized path, without query.
    pub path: &'a str,
    /// The TLS server name the client asked for.
    pub sni: Option<&'a str>,
    /// The request headers (`Sync` so attributes can live across an `.await`).
    pub headers: &'a (dyn HeaderLookup + Sync),
}

impl<'a> RequestAttributes<'a> {
    /// Attributes of a plaintext, unauthenticated request with no headers.
    pub fn new(method: &'a str, host: &'a str, path: &'a str) -> Self {
        Self {
            principal: None,
            request_principal: None,
            claims: None,
            namespace: None,
            source_ip: None,
            remote_ip: None,
            destination_ip: None,
            destination_port: None,
            host,
            method,
            path,
            sni: None,
            headers: &NoHeaders,
        }
    }

    /// The source namespace: the explicit one, else the `ns` segment of the principal.
    pub fn source_namespace(&self) -> Option<&'a str> {
        self.namespace.or_else(|| self.principal.and_then(|p| spiffe_segment(p, "ns")))
    }

    /// The service account: the `sa` segment of the principal.
    pub fn service_account(&self) -> Option<&'a str> {
        self.principal.and_then(|p| spiffe_segment(p, "sa"))
    }

    /// The JWT issuer and subject: from the claims when present, else by splitting the
    /// request principal at its last `/`.
    pub(crate) fn issuer_and_subject(&self) -> Option<(&'a str, &'a str)> {
        if let Some(claims) = self.claims {
            let issuer = claims.get("iss").and_then(Value::as_str);
            let subject = claims.get("sub").and_then(Value::as_str);
            if let (Some(issuer), Some(subject)) = (issuer, subject) {
                return Some((issuer, subject));
            }
        }
        self.request_principal.and_then(|p| p.rsplit_once('/'))
    }
}

impl std::fmt::Debug for RequestAttributes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Claims and headers may hold secrets: they are left out on purpose.
        f.debug_struct("RequestAttributes")
            .field("principal", &self.principal)
            .field("request_principal", &self.request_principal)
            .field("source_ip", &self.source_ip)
            .field("remote_ip", &self.remote_ip)
            .field("destination_port", &self.destination_port)
            .field("host", &self.host)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The value after the segment `key` in a SPIFFE-style principal (`td/ns/NS/sa/SA`).
fn spiffe_segment<'p>(principal: &'p str, key: &str) -> Option<&'p str> {
    let mut parts = principal.split('/').skip(1);
    while let Some(part) = parts.next() {
        if part == key {
            return parts.next().filter(|value| !value.is_empty());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespace_and_service_account_from_the_principal() {
        let mut attrs = RequestAttributes::new("GET", "h", "/");
        attrs.principal = Some("cluster.local/ns/research/sa/frontend");
        assert_eq!(attrs.source_namespace(), Some("research"));
        assert_eq!(attrs.service_account(), Some("frontend"));
        attrs.principal = Some("ns/sa");
        assert_eq!(attrs.source_namespace(), None);
    }

    #[test]
    fn joins_repeated_headers() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-a", http::HeaderValue::from_static("1"));
        headers.append("x-a", http::HeaderValue::from_static("2"));
        assert_eq!(headers.header("x-a").as_deref(), Some("1,2"));
        assert_eq!(headers.header("x-b"), None);
    }
}
