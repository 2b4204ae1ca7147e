#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The seed service's experiment schema, loaded from examples/validation, against valid and
//! invalid bodies; every message and pointer is asserted.

use std::path::Path;

use rampart_validate::{BodyConfig, Detail, Location, RequestValidator, ValidationConfig};

fn seed_validator() -> RequestValidator {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/validation");
    let body = BodyConfig {
        schema: None,
        schema_file: Some("experiment.schema.yaml".into()),
        content_types: vec!["application/json".into()],
        required: true,
    };
    let config = ValidationConfig { body: Some(body), ..ValidationConfig::default() };
    RequestValidator::compile(&config, &examples).unwrap()
}

fn details(body: &str) -> Vec<(String, String)> {
    let rejection = seed_validator().validate_body(body.as_bytes()).unwrap_err();
    assert_eq!(rejection.status, 400);
    rejection
        .details
        .into_iter()
        .map(|Detail { location, pointer, message }| {
            assert_eq!(location, Location::Body);
            (pointer, message)
        })
        .collect()
}

const VALID: &str = r#"{"experiment_id": "exp-1", "temperature": 21.5, "pressure": 101.3,
    "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "ada_lovelace"}"#;

#[test]
fn valid_body_passes() {
    seed_validator().validate_body(VALID.as_bytes()).unwrap();
}

#[test]
fn each_invalid_field_gets_its_own_detail() {
    let body = r#"{"experiment_id": "", "temperature": -300, "pressure": -1,
        "timestamp": "yesterday", "researcher_id": "ada lovelace!"}"#;
    let got = details(body);
    let want = [
        ("/experiment_id", "must be at least 1 character long"),
        ("/pressure", "must be >= 0"),
        ("/researcher_id", "\"ada lovelace!\" does not match the pattern ^[a-zA-Z0-9_]+$"),
        ("/temperature", "must be >= -273.15"),
        ("/timestamp", "\"yesterday\" is not a valid date-time"),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let want: Vec<(String, String)> =
        want.iter().map(|(p, m)| (p.to_string(), m.to_string())).collect();
    assert_eq!(got_sorted, want, "{got:?}");
}

#[test]
fn missing_fields_are_reported_at_their_pointer() {
    let got = details(r#"{"experiment_id": "exp-1", "temperature": 20}"#);
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pointers.len(), 3, "{got:?}");
    for field in ["/pressure", "/timestamp", "/researcher_id"] {
        assert!(pointers.contains(&field), "{field} missing from {got:?}");
    }
    assert!(got.iter().all(|(_, m)| m == "required property is missing"));
}

#[test]
fn wrong_types_and_upper_bounds() {
    let body = r#"{"experiment_id": "x", "temperature": "hot", "pressure": 1,
        "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "r"}"#;
    assert_eq!(details(body), [("/temperature".into(), "expected number, got string".into())]);

    let long = "e".repeat(51);
    let body = format!(
        r#"{{"experiment_id": "{long}", "temperature": 1000.5, "pressure": 1,
        "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "r"}}"#
    );
    let mut got = details(&body);
    got.sort();
    assert_eq!(
        got,
        [
            ("/experiment_id".into(), "must be at most 50 characters long".into()),
            ("/temperature".into(), "must be <= 1000".into()),
        ]
    );
}

#[test]
fn long_values_are_echoed_only_as_a_prefix() {
    let id = format!("{}!", "a".repeat(100));
    let body = format!(
        r#"{{"experiment_id": "x", "temperature": 1, "pressure": 1,
        "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "{id}"}}"#
    );
    let got = details(&body);
    let expected = format!("\"{}\"... does not match the pattern ^[a-zA-Z0-9_]+$", "a".repeat(32));
    assert_eq!(got, [("/researcher_id".into(), expected)]);
}

#[test]
fn non_object_body_is_a_type_error_at_the_root() {
    assert_eq!(details("[1, 2]"), [(String::new(), "expected object, got array".into())]);
}
