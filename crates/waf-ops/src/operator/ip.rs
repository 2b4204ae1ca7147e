//! `@ipMatch` and `@ipMatchFromFile`: membership in a set of IPv4/IPv6 addresses and CIDRs.

use std::net::IpAddr;

use super::{datafile, CompileContext, OperatorError};

/// One network: address bits and prefix length, IPv4 and IPv6 kept apart.
#[derive(Debug, Clone, Copy)]
struct Network {
    v6: bool,
    bits: u128,
    prefix: u8,
}

impl Network {
    fn contains(&self, v6: bool, bits: u128) -> bool {
        self.v6 == v6 && (bits & mask(v6, self.prefix)) == self.bits
    }
}

/// A compiled set of networks.
#[derive(Debug, Clone)]
pub(super) struct IpSet {
    networks: Vec<Network>,
}

impl IpSet {
    /// `@ipMatch` parameter: addresses or CIDRs separated by commas (and/or whitespace).
    pub(super) fn from_param(param: &str) -> Result<IpSet, OperatorError> {
        let entries =
            param.split(|c: char| c == ',' || c.is_ascii_whitespace()).filter(|e| !e.is_empty());
        IpSet::from_entries("ipMatch", entries)
    }

    /// `@ipMatchFromFile` parameter: data files with one address or CIDR per line.
    pub(super) fn from_files(
        param: &str,
        ctx: &CompileContext<'_>,
    ) -> Result<IpSet, OperatorError> {
        let lines = datafile::read_lines("ipMatchFromFile", param, ctx)?;
        let text: Vec<String> =
            lines.iter().map(|l| String::from_utf8_lossy(l).trim().to_string()).collect();
        IpSet::from_entries("ipMatchFromFile", text.iter().map(String::as_str))
    }

    fn from_entries<'a>(
        operator: &'static str,
        entries: impl Iterator<Item = &'a str>,
    ) -> Result<IpSet, OperatorError> {
        let networks = entries
            .map(|e| parse_network(e).ok_or_else(|| invalid(operator, e)))
            .collect::<Result<Vec<_>, _>>()?;
        if networks.is_empty() {
            return Err(OperatorError::InvalidParameter {
                operator,
                reason: "no address or network given".to_string(),
            });
        }
        Ok(IpSet { networks })
    }

    /// Whether `input` is an address inside one of the networks (not an address: false).
    pub(super) fn contains_text(&self, input: &[u8]) -> bool {
        let Some(addr) = std::str::from_utf8(input).ok().and_then(|s| s.parse::<IpAddr>().ok())
        else {
            return false;
        };
        let (v6, bits) = addr_bits(addr);
        self.networks.iter().any(|n| n.contains(v6, bits))
    }
}

fn invalid(operator: &'static str, entry: &str) -> OperatorError {
    OperatorError::InvalidParameter {
        operator,
        reason: format!("'{entry}' is not an IP address or CIDR network"),
    }
}

/// Parses `addr` or `addr/prefix`.
fn parse_network(entry: &str) -> Option<Network> {
    let (addr, prefix) = match entry.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (entry, None),
    };
    let (v6, bits) = addr_bits(addr.parse().ok()?);
    let max = if v6 { 128 } else { 32 };
    let prefix = prefix.unwrap_or(max);
    if prefix > max {
        return None;
    }
    Some(Network { v6, bits: bits & mask(v6, prefix), prefix })
}

fn addr_bits(addr: IpAddr) -> (bool, u128) {
    match addr {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

fn mask(v6: bool, prefix: u8) -> u128 {
    let width = if v6 { 128 } else { 32 };
    let all = if v6 { u128::MAX } else { u128::from(u32::MAX) };
    let host_bits = width - u32::from(prefix);
    if host_bits >= width {
        0
    } else {
        (all >> host_bits) << host_bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_and_v6_networks() {
        let set = IpSet::from_param("127.0.0.1, 10.0.0.0/8,::1 2001:db8::/32").unwrap();
        assert!(set.contains_text(b"127.0.0.1"));
        assert!(!set.contains_text(b"127.0.0.2"));
        assert!(set.contains_text(b"10.200.3.4"));
        assert!(set.contains_text(b"::1"));
        assert!(set.contains_text(b"2001:db8:ffff::9"));
        assert!(!set.contains_text(b"2001:db9::1"));
        assert!(!set.contains_text(b"not an ip"));
        assert!(!set.contains_text(b"\xff"));
    }

    #[test]
    fn zero_prefix_matches_family() {
        let set = IpSet::from_param("0.0.0.0/0").unwrap();
        assert!(set.contains_text(b"8.8.8.8"));
        assert!(!set.contains_text(b"::1"));
    }

    #[test]
    fn rejects_bad_entries() {
        let err = IpSet::from_param("10.0.0.0/33").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid parameter for '@ipMatch': '10.0.0.0/33' is not an IP address or CIDR network"
        );
        assert!(IpSet::from_param("").is_err());
    }
}
