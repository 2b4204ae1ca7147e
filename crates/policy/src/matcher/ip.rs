//! CIDR blocks as Istio writes them: `10.0.0.0/8`, or a bare address for one host.

use std::net::IpAddr;

use ipnet::IpNet;

/// Parses `a.b.c.d/len`, `v6/len` or a bare address (a full-length prefix). Host bits after
/// the prefix are ignored, as Envoy does.
pub(crate) fn parse_cidr(text: &str) -> Option<IpNet> {
    if text.contains('/') {
        return text.parse::<IpNet>().ok().map(|net| net.trunc());
    }
    text.parse::<IpAddr>().ok().map(IpNet::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_and_hosts() {
        let block = parse_cidr("10.1.2.3/8").unwrap();
        assert!(block.contains(&"10.200.0.1".parse::<IpAddr>().unwrap()));
        let host = parse_cidr("2001:db8::1").unwrap();
        assert!(host.contains(&"2001:db8::1".parse::<IpAddr>().unwrap()));
        assert!(!host.contains(&"2001:db8::2".parse::<IpAddr>().unwrap()));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("ten").is_none());
    }
}
