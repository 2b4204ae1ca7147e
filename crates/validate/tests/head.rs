#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Path, query and header parameters, content types, and body limits through the public API.

use std::path::Path;

use http::{HeaderMap, HeaderValue, Method};
use rampart_validate::{
    Location, Rejection, RequestHead, RequestValidator, ValidationConfig, ValidationConfigError,
};

const CONFIG: &str = r#"
path:
  id: {schema: {type: integer, minimum: 1}}
query:
  limit: {schema: {type: integer, maximum: 100}}
  verbose: {schema: {type: boolean}}
  ratio: {schema: {type: number, exclusiveMaximum: 1}}
  tags: {schema: {type: array, items: {type: string, maxLength: 5}, maxItems: 3}}
  ids: {schema: {type: array, items: {type: integer}}, style: form, explode: false}
  when: {schema: {type: string, format: date}, required: true}
headers:
  X-Request-Id: {schema: {type: string, format: uuid}, required: true}
  x-api-key: {schema: {type: string, minLength: 40}}
additional_query: reject
body:
  schema: {type: object}
  content_types: [application/json, application/merge-patch+json]
max_body_bytes: 64
"#;

fn validator() -> RequestValidator {
    let config: ValidationConfig = serde_yaml_ng::from_str(CONFIG).unwrap();
    RequestValidator::compile(&config, Path::new(".")).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name: http::HeaderName = name.parse().unwrap();
        map.append(name, HeaderValue::from_str(value).unwrap());
    }
    map
}

const UUID: &str = "6f1c2a3e-8b4d-4c5e-9f60-718293a4b5c6";

fn head(id: &str, query: &str, hdrs: &HeaderMap) -> Result<(), Rejection> {
    let params = [("id", id)];
    let req = RequestHead {
        method: &Method::POST,
        path_params: &params,
        query: Some(query),
        headers: hdrs,
    };
    validator().validate_head(&req)
}

fn problems(r: Rejection) -> Vec<(Location, String, String)> {
    assert_eq!(r.status, 400, "{r:?}");
    r.details.into_iter().map(|d| (d.location, d.pointer, d.message)).collect()
}

#[test]
fn valid_head_passes_with_coercion() {
    let h = headers(&[("x-request-id", UUID), ("content-type", "application/json")]);
    head("7", "limit=100&verbose=true&ratio=0.5&tags=a&tags=b&ids=1,2,3&when=2024-05-01", &h)
        .unwrap();
}

#[test]
fn query_values_are_coerced_then_validated() {
    let h = headers(&[("x-request-id", UUID)]);
    let got =
        problems(head("7", "limit=101&verbose=yes&ratio=1&ids=1,x&when=2024-5-1", &h).unwrap_err());
    assert_eq!(
        got,
        [
            (Location::Query, "/ids/1".into(), "expected integer, got string".into()),
            (Location::Query, "/limit".into(), "must be <= 100".into()),
            (Location::Query, "/ratio".into(), "must be < 1".into()),
            (Location::Query, "/verbose".into(), "expected boolean, got string".into()),
            (Location::Query, "/when".into(), "\"2024-5-1\" is not a valid date".into()),
        ]
    );
}

#[test]
fn arrays_scalars_and_undeclared_parameters() {
    let h = headers(&[("x-request-id", UUID)]);
    let query = "when=2024-05-01&tags=a&tags=b&tags=c&tags=toolong&limit=1&limit=2&debug=1";
    let got = problems(head("7", query, &h).unwrap_err());
    assert_eq!(
        got,
        [
            (Location::Query, "/limit".into(), "parameter is given more than once".into()),
            (Location::Query, "/tags".into(), "must have at most 3 items".into()),
            (Location::Query, "/tags/3".into(), "must be at most 5 characters long".into()),
            (Location::Query, "/debug".into(), "parameter is not allowed".into()),
        ]
    );
}

#[test]
fn path_and_header_problems() {
    let h = headers(&[("x-api-key", "short-secret-value")]);
    let got = problems(head("0", "when=2024-05-01", &h).unwrap_err());
    assert_eq!(
        got,
        [
            (Location::Path, "/id".into(), "must be >= 1".into()),
            (Location::Header, "/x-request-id".into(), "required parameter is missing".into()),
            (Location::Header, "/x-api-key".into(), "must be at least 40 characters long".into()),
        ]
    );

    let h = headers(&[("x-request-id", "not-a-uuid")]);
    let got = problems(head("abc", "when=2024-05-01", &h).unwrap_err());
    assert_eq!(
        got,
        [
            (Location::Path, "/id".into(), "expected integer, got string".into()),
            (Location::Header, "/x-request-id".into(), "\"not-a-uuid\" is not a valid uuid".into()),
        ]
    );
}

#[test]
fn secret_looking_headers_are_never_echoed() {
    let config: ValidationConfig = serde_yaml_ng::from_str(
        "headers: {authorization: {schema: {type: string, pattern: '^Bearer [a-z]+$'}}}",
    )
    .unwrap();
    let v = RequestValidator::compile(&config, Path::new(".")).unwrap();
    let h = headers(&[("authorization", "Basic c2VjcmV0OnBhc3N3b3Jk")]);
    let req = RequestHead { method: &Method::GET, path_params: &[], query: None, headers: &h };
    let r = v.validate_head(&req).unwrap_err();
    assert_eq!(r.details[0].message, "value does not match the pattern ^Bearer [a-z]+$");
    assert!(!format!("{r:?}").contains("c2VjcmV0"));
}

#[test]
fn wrong_or_missing_content_type_is_415() {
    let cases = [
        headers(&[("x-request-id", UUID), ("content-type", "text/plain")]),
        headers(&[("x-request-id", UUID), ("content-length", "12")]),
    ];
    for h in cases {
        let r = head("7", "when=2024-05-01", &h).unwrap_err();
        assert_eq!(r.status, 415, "{r:?}");
        assert!(r.message.ends_with("expected application/json, application/merge-patch+json"));
    }

    let h = headers(&[("x-request-id", UUID), ("content-type", "Application/JSON; charset=utf-8")]);
    head("7", "when=2024-05-01", &h).unwrap();
    assert!(validator().wants_body());
}

#[test]
fn body_limits_and_emptiness() {
    let v = validator();
    let r = v.validate_body(&[b' '; 65]).unwrap_err();
    assert_eq!(
        (r.status, r.message.as_str()),
        (413, "request body of 65 bytes exceeds the limit of 64 bytes")
    );

    let r = v.validate_body(b"").unwrap_err();
    assert_eq!(r.details[0].message, "request body is required");
    let r = v.validate_body(b"[]").unwrap_err();
    assert_eq!(r.details[0].message, "expected object, got array");
    v.validate_body(br#"{"a": 1}"#).unwrap();
}

#[test]
fn ten_megabyte_body_is_413_without_being_read() {
    let config: ValidationConfig = serde_yaml_ng::from_str("body: {schema: {}}").unwrap();
    let v = RequestValidator::compile(&config, Path::new(".")).unwrap();
    let body = vec![b'['; 10 * 1024 * 1024];
    let r = v.validate_body(&body).unwrap_err();
    assert_eq!(r.status, 413);
    assert_eq!(r.message, "request body of 10485760 bytes exceeds the limit of 1048576 bytes");
}

#[test]
fn details_are_capped() {
    let mut config: ValidationConfig = serde_yaml_ng::from_str(
        "body: {schema: {properties: {z: {}}, additionalProperties: false}}\nmax_details: 3",
    )
    .unwrap();
    config.max_body_bytes = 1 << 20;
    let v = RequestValidator::compile(&config, Path::new(".")).unwrap();
    let r = v.validate_body(br#"{"a":1,"b":2,"c":3,"d":4,"e":5}"#).unwrap_err();
    assert_eq!(r.details.len(), 3, "{r:?}");
    assert_eq!(r.details[0].pointer, "/a");
    assert_eq!(r.details[0].message, "property is not allowed");
    assert!(r.message.ends_with("more than 3 problems"), "{}", r.message);

    let config: ValidationConfig =
        serde_yaml_ng::from_str("body: {schema: {additionalProperties: false}}").unwrap();
    let v = RequestValidator::compile(&config, Path::new(".")).unwrap();
    let r = v.validate_body(br#"{"a":1}"#).unwrap_err();
    assert_eq!(r.details[0].message, "object must have no properties");
}

#[test]
fn broken_configs_name_the_problem() {
    let bad_schema: ValidationConfig =
        serde_yaml_ng::from_str("body: {schema: {properties: {a: {minLength: -1}}}}").unwrap();
    let err = RequestValidator::compile(&bad_schema, Path::new(".")).unwrap_err();
    match &err {
        ValidationConfigError::InvalidSchema { origin, pointer, .. } => {
            assert_eq!(origin, "validate.body.schema");
            assert_eq!(pointer, "/properties/a/minLength");
        }
        other => panic!("unexpected {other:?}"),
    }

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), r#"{"type": "object", "pattern": "(?=x)"}"#).unwrap();
    let from_file: ValidationConfig =
        serde_yaml_ng::from_str("body: {schema_file: s.json}").unwrap();
    let err = RequestValidator::compile(&from_file, dir.path()).unwrap_err().to_string();
    assert!(err.contains("s.json at /pattern"), "{err}");

    let missing: ValidationConfig =
        serde_yaml_ng::from_str("body: {schema_file: nope.json}").unwrap();
    let err = RequestValidator::compile(&missing, dir.path()).unwrap_err().to_string();
    assert!(err.starts_with("cannot read schema file"), "{err}");

    let unknown = serde_yaml_ng::from_str::<ValidationConfig>("bodyy: {}").unwrap_err();
    assert!(unknown.to_string().contains("unknown field `bodyy`"), "{unknown}");

    let deep: ValidationConfig = serde_yaml_ng::from_str("max_depth: 100000").unwrap();
    let err = RequestValidator::compile(&deep, Path::new(".")).unwrap_err().to_string();
    assert_eq!(err, "validate.max_depth is 100000; it must be at most 512");

    let xml: ValidationConfig =
        serde_yaml_ng::from_str("body: {schema: {}, content_types: [text/xml]}").unwrap();
    let err = RequestValidator::compile(&xml, Path::new(".")).unwrap_err();
    assert!(matches!(err, ValidationConfigError::ContentType { .. }));
}

#[test]
fn draft_07_schemas_are_honoured() {
    let config: ValidationConfig = serde_yaml_ng::from_str(
        r#"body: {schema: {"$schema": "http://json-schema.org/draft-07/schema#",
            items: [{type: integer}], additionalItems: false}}"#,
    )
    .unwrap();
    let v = RequestValidator::compile(&config, Path::new(".")).unwrap();
    v.validate_body(b"[1]").unwrap();
    let r = v.validate_body(b"[1, 2]").unwrap_err();
    assert_eq!(r.details[0].message, "must have at most 1 items");
}

#[test]
fn schemas_without_a_dialect_are_2020_12() {
    let config: ValidationConfig =
        serde_yaml_ng::from_str("body: {schema: {prefixItems: [{type: integer}], items: false}}")
            .unwrap();
    let v = RequestValidator::compile(&config, Path::new(".")).unwrap();
    v.validate_body(b"[1]").unwrap();
    let r = v.validate_body(b"[1, 2]").unwrap_err();
    assert_eq!(r.details[0].pointer, "/1");
    let r = v.validate_body(b"[\"x\"]").unwrap_err();
    assert_eq!(r.details[0].message, "expected integer, got string");
}

#[test]
fn config_round_trips_through_yaml() {
    let config: ValidationConfig = serde_yaml_ng::from_str(CONFIG).unwrap();
    let text = serde_yaml_ng::to_string(&config).unwrap();
    let again: ValidationConfig = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(config, again);
    assert_eq!(again.max_body_bytes, 64);
    assert_eq!(again.max_depth, 64);
}
