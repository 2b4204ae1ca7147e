#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use rampart_path::{normalize_host, HostError, NormalizedHost};

fn host(name: &str, port: Option<u16>) -> NormalizedHost {
    NormalizedHost { name: name.to_owned(), port }
}

#[test]
fn lowercases_and_drops_the_trailing_dot() {
    assert_eq!(normalize_host("ADMIN.example.com.").unwrap(), host("admin.example.com", None));
    assert_eq!(normalize_host("Api.Example.COM").unwrap(), host("api.example.com", None));
    assert_eq!(normalize_host("svc_a.local").unwrap(), host("svc_a.local", None));
}

#[test]
fn removes_default_ports_and_keeps_others() {
    assert_eq!(normalize_host("example.com:80").unwrap(), host("example.com", None));
    assert_eq!(normalize_host("example.com.:443").unwrap(), host("example.com", None));
    assert_eq!(normalize_host("example.com:8443").unwrap(), host("example.com", Some(8443)));
    assert_eq!(normalize_host("example.com:").unwrap(), host("example.com", None));
    assert_eq!(normalize_host("10.0.0.1:8080").unwrap(), host("10.0.0.1", Some(8080)));
}

#[test]
fn canonicalizes_ipv6_literals() {
    assert_eq!(normalize_host("[::1]").unwrap(), host("[::1]", None));
    assert_eq!(normalize_host("[0:0::1]:9000").unwrap(), host("[::1]", Some(9000)));
    assert_eq!(normalize_host("[2001:DB8::1]:443").unwrap(), host("[2001:db8::1]", None));
    assert_eq!(normalize_host("[::1"), Err(HostError::InvalidIpv6));
    assert_eq!(normalize_host("[zz::1]"), Err(HostError::InvalidIpv6));
    assert_eq!(normalize_host("[::1]x"), Err(HostError::InvalidIpv6));
}

#[test]
fn rejects_malformed_hosts() {
    assert_eq!(normalize_host(""), Err(HostError::Empty));
    assert_eq!(normalize_host("."), Err(HostError::Empty));
    assert_eq!(normalize_host(":80"), Err(HostError::Empty));
    assert_eq!(normalize_host("user@example.com"), Err(HostError::UserInfo));
    assert_eq!(normalize_host("example.com:0"), Err(HostError::InvalidPort));
    assert_eq!(normalize_host("example.com:65536"), Err(HostError::InvalidPort));
    assert_eq!(normalize_host("example.com:+80"), Err(HostError::InvalidPort));
    assert_eq!(normalize_host("a:b:c"), Err(HostError::InvalidCharacter { position: 1 }));
    assert_eq!(normalize_host("a..b"), Err(HostError::EmptyLabel));
    assert_eq!(normalize_host(".a"), Err(HostError::EmptyLabel));
    assert_eq!(normalize_host("example.com.."), Err(HostError::EmptyLabel));
    assert_eq!(normalize_host("exa mple"), Err(HostError::InvalidCharacter { position: 3 }));
    assert_eq!(normalize_host("a/b"), Err(HostError::InvalidCharacter { position: 1 }));
    assert_eq!(normalize_host("é.com"), Err(HostError::InvalidCharacter { position: 0 }));
}

#[test]
fn bounds_lengths() {
    let label = "a".repeat(64);
    assert_eq!(normalize_host(&label), Err(HostError::LabelTooLong));
    let long = ["abcdefghi"; 26].join(".");
    assert_eq!(normalize_host(&long), Err(HostError::TooLong));
    let fits = ["abcdefghi"; 25].join(".");
    assert!(normalize_host(&fits).is_ok());
}
