#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The JSON shape of one event line: field names, order, nulls, timestamp, escaping.

use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, UNIX_EPOCH};

use rampart_events::{
    EventType, SecurityEvent, Severity, MAX_FIELD_BYTES, REDACTED, TRUNCATED_MARK,
};
use serde_json::{json, Value};

/// 2026-12-03T13:45:01.123Z
fn fixed_time() -> std::time::SystemTime {
    UNIX_EPOCH + Duration::new(1_796_305_501, 123_999_999)
}

fn line(event: &SecurityEvent) -> String {
    let mut out = Vec::new();
    event.write_json_line(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn full_event_has_exact_fields_in_order() {
    let event = SecurityEvent::new(EventType::RequestAllowed)
        .at(fixed_time())
        .with_request_id("0193a1b2-req")
        .with_source_ip(IpAddr::from([203, 0, 113, 7]))
        .with_user_agent("curl/8.5.0")
        .with_method("GET")
        .with_path("/api/orders/42")
        .with_route("orders")
        .with_identity("user-123")
        .with_status(200)
        .with_detail("upstream", "orders-v1");

    let expected = concat!(
        r#"{"timestamp":"2026-12-03T13:45:01.123Z","event_type":"request_allowed","#,
        r#""severity":"info","request_id":"0193a1b2-req","source_ip":"203.0.113.7","#,
        r#""user_agent":"curl/8.5.0","method":"GET","path":"/api/orders/42","#,
        r#""route":"orders","identity":"user-123","status":200,"#,
        r#""details":{"upstream":"orders-v1"}}"#,
        "\n"
    );
    assert_eq!(line(&event), expected);
}

#[test]
fn missing_fields_are_null_and_details_an_empty_object() {
    let event = SecurityEvent::new(EventType::ConfigReloaded).at(UNIX_EPOCH);

    let expected = concat!(
        r#"{"timestamp":"1970-01-01T00:00:00.000Z","event_type":"config_reloaded","#,
        r#""severity":"info","request_id":null,"source_ip":null,"user_agent":null,"#,
        r#""method":null,"path":null,"route":null,"identity":null,"status":null,"#,
        r#""details":{}}"#,
        "\n"
    );
    assert_eq!(line(&event), expected);
}

#[test]
fn every_event_type_serializes_to_its_documented_name() {
    let cases = [
        (EventType::RequestAllowed, "request_allowed", Severity::Info),
        (EventType::AuthenticationFailed, "authentication_failed", Severity::Medium),
        (EventType::Forbidden, "forbidden", Severity::Medium),
        (EventType::UpstreamFailure, "upstream_failure", Severity::Medium),
        (EventType::RequestDenied, "request_denied", Severity::Medium),
        (EventType::ConfigReloaded, "config_reloaded", Severity::Info),
        (EventType::ConfigRejected, "config_rejected", Severity::High),
        (EventType::RateLimited, "rate_limited", Severity::Low),
        (EventType::QuotaExceeded, "quota_exceeded", Severity::Low),
        (EventType::ValidationFailed, "validation_failed", Severity::Low),
        (EventType::Waf, "waf", Severity::High),
        (EventType::PolicyDenied, "policy_denied", Severity::Medium),
        (EventType::PolicyAudit, "policy_audit", Severity::Info),
        (EventType::TlsHandshakeFailed, "tls_handshake_failed", Severity::Low),
        (EventType::Custom("anomaly_detected"), "anomaly_detected", Severity::Info),
    ];
    for (event_type, name, severity) in cases {
        let value: Value = serde_json::from_str(&line(&SecurityEvent::new(event_type))).unwrap();
        assert_eq!(value["event_type"], name);
        assert_eq!(value["severity"], json!(severity));
    }
}

#[test]
fn severity_override_and_ipv6_source() {
    let event = SecurityEvent::new(EventType::Waf)
        .with_severity(Severity::Critical)
        .with_source_ip(IpAddr::V6(Ipv6Addr::LOCALHOST))
        .with_detail("rule_ids", vec![942100, 942190])
        .with_detail("anomaly_score", 15);
    let value: Value = serde_json::from_str(&line(&event)).unwrap();

    assert_eq!(value["severity"], "critical");
    assert_eq!(value["source_ip"], "::1");
    assert_eq!(value["details"], json!({"anomaly_score": 15, "rule_ids": [942100, 942190]}));
}

#[test]
fn timestamp_is_rfc3339_utc_with_three_fraction_digits() {
    let event = SecurityEvent::new(EventType::Forbidden);
    let value: Value = serde_json::from_str(&line(&event)).unwrap();
    let text = value["timestamp"].as_str().unwrap();

    // YYYY-MM-DDTHH:MM:SS.mmmZ
    assert_eq!(text.len(), 24, "{text}");
    let shape: String = text.chars().map(|c| if c.is_ascii_digit() { 'd' } else { c }).collect();
    assert_eq!(shape, "dddd-dd-ddTdd:dd:dd.dddZ");
}

#[test]
fn weird_strings_stay_on_one_line_and_round_trip() {
    let nasty = "a\"b\\c\nd\re\tf\u{0}g\u{1b}[31mh\u{7f}i\u{2028}j\u{feff}k😀";
    let event = SecurityEvent::new(EventType::RequestDenied)
        .with_user_agent(nasty)
        .with_path(nasty)
        .with_identity(nasty)
        .with_detail("reason", nasty);
    let text = line(&event);

    assert_eq!(text.matches('\n').count(), 1);
    assert!(text.ends_with('\n'));
    assert!(!text.contains('\r') && !text.contains('\u{0}') && !text.contains('\u{1b}'));
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["user_agent"], nasty);
    assert_eq!(value["path"], nasty);
    assert_eq!(value["details"]["reason"], nasty);
}

#[test]
fn very_long_values_are_cut_on_a_char_boundary_and_marked() {
    let long = "ü".repeat(MAX_FIELD_BYTES * 10);
    let event = SecurityEvent::new(EventType::RequestDenied)
        .with_path(long.clone())
        .with_user_agent(long.clone())
        .with_detail("nested", json!({"list": [long.clone()]}));
    let text = line(&event);
    let value: Value = serde_json::from_str(&text).unwrap();

    for field in [&value["path"], &value["user_agent"], &value["details"]["nested"]["list"][0]] {
        let field = field.as_str().unwrap();
        assert!(field.ends_with(TRUNCATED_MARK));
        assert!(field.len() <= MAX_FIELD_BYTES + TRUNCATED_MARK.len());
        assert!(long.starts_with(field.trim_end_matches(TRUNCATED_MARK)));
    }
    assert!(text.len() < 4 * MAX_FIELD_BYTES + 1024);
}

#[test]
fn details_named_after_secrets_are_redacted_at_any_depth() {
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    let event = SecurityEvent::new(EventType::AuthenticationFailed)
        .with_detail("Authorization", format!("Bearer {token}"))
        .with_detail("x-api-key", "k-123456789")
        .with_detail("headers", json!({"cookie": "sid=abc", "accept": "*/*"}))
        .with_detail("reason", "expired");
    let text = line(&event);

    assert!(!text.contains(token) && !text.contains("k-123456789") && !text.contains("sid=abc"));
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["details"]["Authorization"], REDACTED);
    assert_eq!(value["details"]["x-api-key"], REDACTED);
    assert_eq!(value["details"]["headers"], json!({"cookie": REDACTED, "accept": "*/*"}));
    assert_eq!(value["details"]["reason"], "expired");
}

#[test]
fn getters_return_what_was_set() {
    let event = SecurityEvent::new(EventType::Forbidden)
        .at(fixed_time())
        .with_route("admin")
        .with_identity("svc-a")
        .with_status(403);

    assert_eq!(event.timestamp(), fixed_time());
    assert_eq!(event.event_type(), EventType::Forbidden);
    assert_eq!(event.severity(), Severity::Medium);
    assert_eq!(event.route(), Some("admin"));
    assert_eq!(event.identity(), Some("svc-a"));
    assert_eq!(event.status(), Some(403));
    assert_eq!(event.request_id(), None);
    assert!(event.details().is_empty());
}

#[test]
fn timestamp_beyond_year_9999_is_an_error_not_a_panic() {
    let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
    let mut out = b"kept".to_vec();
    assert!(SecurityEvent::new(EventType::Waf).at(far).write_json_line(&mut out).is_err());
    assert_eq!(out, b"kept");
}

#[test]
fn every_control_character_is_escaped() {
    let controls = (0u32..0x20).chain([0x7f, 0x85, 0x2028, 0x2029]).filter_map(char::from_u32);
    for c in controls {
        let value = format!("before{c}after");
        let text = line(&SecurityEvent::new(EventType::RequestDenied).with_path(value.clone()));

        let body = text.strip_suffix('\n').unwrap();
        assert!(body.chars().all(|c| c >= ' '), "raw U+{:04X} in {body}", c as u32);
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["path"], value.as_str(), "U+{:04X}", c as u32);
    }
}
