//! Host normalization: the host every route and policy matches on.

use std::net::Ipv6Addr;

use crate::HostError;

/// Longest DNS name in bytes, without the trailing dot.
const MAX_NAME: usize = 253;
/// Longest DNS label in bytes.
const MAX_LABEL: usize = 63;

/// A host as routes and policies see it: a lowercase name without trailing dot, and a port
/// unless it was absent or a default port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NormalizedHost {
    /// Lowercase DNS name, IPv4 address, or IPv6 literal in brackets (`[::1]`).
    pub name: String,
    /// The explicit port, `None` when absent or 80 or 443.
    pub port: Option<u16>,
}

/// Normalizes a `Host` header or `:authority` value.
///
/// The name is lowercased and one trailing dot removed; the ports 80 and 443 are treated as
/// default ports and removed, whatever the scheme, so `example.com:443` and `example.com` match
/// the same routes. An empty port (`example.com:`) counts as absent. IPv6 literals are kept in
/// brackets, in their canonical text form.
///
/// # Errors
/// A [`HostError`] naming what is malformed; the request deserves a 400.
pub fn normalize_host(host: &str) -> Result<NormalizedHost, HostError> {
    if host.is_empty() {
        return Err(HostError::Empty);
    }
    if host.contains('@') {
        return Err(HostError::UserInfo);
    }

    let (name, port) = if host.starts_with('[') { split_ipv6(host)? } else { split_name(host)? };
    let port = parse_port(port)?.filter(|p| *p != 80 && *p != 443);
    Ok(NormalizedHost { name, port })
}

/// Splits `[v6]:port` into the canonical bracketed address and the port text.
fn split_ipv6(host: &str) -> Result<(String, Option<&str>), HostError> {
    let close = host.find(']').ok_or(HostError::InvalidIpv6)?;
    let address: Ipv6Addr =
        host.get(1..close).unwrap_or_default().parse().map_err(|_| HostError::InvalidIpv6)?;

    let rest = host.get(close + 1..).unwrap_or_default();
    let port = match rest.strip_prefix(':') {
        Some(port) => Some(port),
        None if rest.is_empty() => None,
        None => return Err(HostError::InvalidIpv6),
    };
    Ok((format!("[{address}]"), port))
}

/// Splits `name:port`, then validates and lowercases the name.
fn split_name(host: &str) -> Result<(String, Option<&str>), HostError> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    Ok((normalize_name(name)?, port))
}

/// Lowercases a DNS name, drops one trailing dot, and checks its characters and lengths.
fn normalize_name(name: &str) -> Result<String, HostError> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Err(HostError::Empty);
    }
    if trimmed.len() > MAX_NAME {
        return Err(HostError::TooLong);
    }

    for (position, b) in trimmed.bytes().enumerate() {
        if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(HostError::InvalidCharacter { position });
        }
    }
    for label in trimmed.split('.') {
        if label.is_empty() {
            return Err(HostError::EmptyLabel);
        }
        if label.len() > MAX_LABEL {
            return Err(HostError::LabelTooLong);
        }
    }
    Ok(trimmed.to_ascii_lowercase())
}

/// Parses the port text; empty means absent, zero and non-digits are invalid.
fn parse_port(port: Option<&str>) -> Result<Option<u16>, HostError> {
    match port {
        None | Some("") => Ok(None),
        Some(text) if !text.bytes().all(|b| b.is_ascii_digit()) => Err(HostError::InvalidPort),
        Some(text) => match text.parse::<u16>() {
            Ok(0) | Err(_) => Err(HostError::InvalidPort),
            Ok(port) => Ok(Some(port)),
        },
    }
}
