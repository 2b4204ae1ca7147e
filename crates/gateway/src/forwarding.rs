//! Header rewriting between client and upstream: hop-by-hop removal and `X-Forwarded-*`.

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

/// `X-Forwarded-For`.
pub static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
/// `X-Forwarded-Proto`.
pub static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// `X-Forwarded-Host`.
pub static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
/// `X-Request-Id`.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Headers that describe one connection and never cross a proxy (RFC 9110 section 7.6.1).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Removes hop-by-hop headers, including every header the Connection header names.
///
/// Returns the value of `Upgrade` when the message asked for a protocol upgrade, so the caller
/// can carry the upgrade across on purpose.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) -> Option<HeaderValue> {
    let mut named: Vec<HeaderName> = Vec::new();
    let mut wants_upgrade = false;
    for value in headers.get_all(header::CONNECTION) {
        let Ok(text) = value.to_str() else { continue };
        for token in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            wants_upgrade |= token.eq_ignore_ascii_case("upgrade");
            if let Ok(name) = HeaderName::from_bytes(token.to_ascii_lowercase().as_bytes()) {
                named.push(name);
            }
        }
    }

    let upgrade = headers.get(header::UPGRADE).cloned().filter(|_| wants_upgrade);
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    upgrade
}

/// Decides which addresses are believed when they claim to forward for someone else.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// Trusts peers inside these networks.
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self { nets }
    }

    /// Whether an address belongs to a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client address: the socket peer, unless the peer is a trusted proxy, in which case
    /// the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for entry in forwarded_chain(headers).rev() {
            let Ok(ip) = entry.parse::<IpAddr>() else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

fn forwarded_chain(headers: &HeaderMap) -> impl DoubleEndedIterator<Item = &str> {
    let entries: Vec<&str> = headers
        .get_all(&X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    entries.into_iter()
}

/// What the gateway knows about the hop it received a request on.
#[derive(Debug, Clone, Copy)]
pub struct Hop<'a> {
    /// The socket peer.
    pub peer: IpAddr,
    /// Whether the peer is a trusted proxy, whose forwarding headers are kept and extended.
    pub peer_trusted: bool,
    /// `https` or `http`, as the client reached the gateway.
    pub scheme: &'a str,
    /// The Host the client asked for, if any.
    pub host: Option<&'a HeaderValue>,
}

/// Sets `X-Forwarded-For`, `-Proto` and `-Host` on a request going upstream.
///
/// From an untrusted peer every incoming copy is replaced, so a client cannot forge its address
/// for the upstream; from a trusted proxy the chain is extended and its proto and host are kept.
pub fn set_forwarded(headers: &mut HeaderMap, hop: Hop<'_>) {
    let peer = HeaderValue::from_str(&hop.peer.to_string()).ok();

    if hop.peer_trusted {
        let chain: Vec<String> = forwarded_chain(headers).map(str::to_owned).collect();
        let mut joined = chain.join(", ");
        if !joined.is_empty() {
            joined.push_str(", ");
        }
        joined.push_str(&hop.peer.to_string());
        if let Ok(value) = HeaderValue::from_str(&joined) {
            headers.insert(&X_FORWARDED_FOR, value);
        }
    } else if let Some(peer) = peer {
        headers.insert(&X_FORWARDED_FOR, peer);
    }

    if !hop.peer_trusted || !headers.contains_key(&X_FORWARDED_PROTO) {
        headers.insert(&X_FORWARDED_PROTO, HeaderValue::from_static(scheme_value(hop.scheme)));
    }
    if !hop.peer_trusted || !headers.contains_key(&X_FORWARDED_HOST) {
        match hop.host {
            Some(host) => headers.insert(&X_FORWARDED_HOST, host.clone()),
            None => headers.remove(&X_FORWARDED_HOST),
        };
    }
}

fn scheme_value(scheme: &str) -> &'static str {
    if scheme == "https" {
        "https"
    } else {
        "http"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    #[test]
    fn removes_listed_and_named_hop_by_hop_headers() {
        let mut headers = map(&[
            ("connection", "close, x-secret-hop"),
            ("x-secret-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("te", "trailers"),
            ("x-kept", "yes"),
        ]);
        assert_eq!(strip_hop_by_hop(&mut headers), None);
        assert_eq!(headers.len(), 1);
        assert!(headers.contains_key("x-kept"));
    }

    #[test]
    fn reports_upgrade_only_when_connection_asks_for_it() {
        let mut asked = map(&[("connection", "Upgrade"), ("upgrade", "websocket")]);
        assert_eq!(strip_hop_by_hop(&mut asked), Some(HeaderValue::from_static("websocket")));
        let mut unasked = map(&[("upgrade", "websocket")]);
        assert_eq!(strip_hop_by_hop(&mut unasked), None);
        assert!(!unasked.contains_key("upgrade"));
    }

    #[test]
    fn untrusted_peer_cannot_forge_forwarded_headers() {
        let mut headers = map(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-proto", "https")]);
        let peer: IpAddr = "10.1.1.1".parse().unwrap();
        let host = HeaderValue::from_static("api.example.com");
        let hop = Hop { peer, peer_trusted: false, scheme: "http", host: Some(&host) };
        set_forwarded(&mut headers, hop);
        assert_eq!(headers["x-forwarded-for"], "10.1.1.1");
        assert_eq!(headers["x-forwarded-proto"], "http");
        assert_eq!(headers["x-forwarded-host"], "api.example.com");
    }

    #[test]
    fn trusted_proxy_chain_is_extended_and_client_found() {
        let trusted = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let headers = map(&[("x-forwarded-for", "6.6.6.6, 1.2.3.4, 10.0.0.7")]);
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(trusted.client_ip(peer, &headers), "1.2.3.4".parse::<IpAddr>().unwrap());
        let outsider: IpAddr = "8.8.8.8".parse().unwrap();
        assert_eq!(trusted.client_ip(outsider, &headers), outsider);

        let mut headers = headers;
        set_forwarded(&mut headers, Hop { peer, peer_trusted: true, scheme: "https", host: None });
        assert_eq!(headers["x-forwarded-for"], "6.6.6.6, 1.2.3.4, 10.0.0.7, 10.0.0.2");
    }
}
