#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The untrusted-body JSON reader: grammar, limits, duplicate keys, and hostile sizes.

use rampart_validate::{read_json, DuplicateKeys, JsonError, JsonLimits};
use serde_json::json;

const LIMITS: JsonLimits =
    JsonLimits { max_depth: 64, max_keys: 1000, duplicate_keys: DuplicateKeys::Reject };

fn read(text: &str) -> Result<serde_json::Value, JsonError> {
    read_json(text.as_bytes(), &LIMITS)
}

#[test]
fn reads_what_serde_json_reads() {
    let text = r#" {"a": [1, -2, 3.5, 1e3, 18446744073709551615, -0, true, false, null],
        "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}, "e": [], "n": {"x": {"y": [[]]}}} "#;
    let expected: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(read(text).unwrap(), expected);
    assert_eq!(read("\"x\"").unwrap(), json!("x"));
    assert_eq!(read("12").unwrap(), json!(12));
}

#[test]
fn malformed_documents_name_the_offset_and_pointer() {
    let err = read(r#"{"a": [1, 2,]}"#).unwrap_err();
    assert_eq!(err.to_string(), "malformed JSON at byte 12: expected a JSON value");
    assert_eq!(err.pointer(), "/a/2");

    let err = read(r#"{"a": 1 "b": 2}"#).unwrap_err();
    assert_eq!(err.to_string(), "malformed JSON at byte 8: expected ',' or '}'");

    assert_eq!(
        read("{} x").unwrap_err().to_string(),
        "malformed JSON at byte 3: expected end of input"
    );
    assert_eq!(
        read("").unwrap_err().to_string(),
        "malformed JSON at byte 0: expected a JSON value"
    );
    assert_eq!(
        read("01").unwrap_err().to_string(),
        "malformed JSON at byte 1: expected end of input"
    );
    assert_eq!(read("[1.]").unwrap_err().to_string(), "malformed JSON at byte 3: expected a digit");
    assert_eq!(read("tru").unwrap_err().to_string(), "malformed JSON at byte 0: expected true");
}

#[test]
fn bad_strings_are_refused() {
    let err = read("[\"a\u{1}\"]").unwrap_err();
    assert_eq!(err.to_string(), "malformed JSON string at byte 3: raw control character");
    let err = read(r#"["\ud800x"]"#).unwrap_err();
    assert_eq!(err.to_string(), "malformed JSON string at byte 8: lone surrogate");
    let err = read(r#"["\q"]"#).unwrap_err();
    assert_eq!(err.to_string(), "malformed JSON string at byte 3: invalid escape sequence");
    assert!(matches!(read(r#""\u12"#).unwrap_err(), JsonError::BadString { .. }));
    assert!(matches!(read("\"open").unwrap_err(), JsonError::Syntax { .. }));
}

#[test]
fn huge_numbers_are_out_of_range() {
    let err = read(r#"{"t": 1e400}"#).unwrap_err();
    assert_eq!(err, JsonError::NumberOutOfRange { offset: 6, pointer: "/t".into() });
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let err = read_json(b"{\"a\": \"\xff\"}", &LIMITS).unwrap_err();
    assert_eq!(err, JsonError::InvalidUtf8 { offset: 7 });
    assert_eq!(err.to_string(), "body is not valid UTF-8 (at byte 7)");
}

#[test]
fn depth_limit_is_exact() {
    let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
    read(&ok).unwrap();

    let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
    let err = read(&deep).unwrap_err();
    assert_eq!(err.to_string(), "JSON nesting deeper than 64 levels at byte 64");
    assert_eq!(err.pointer(), format!("{}", "/0".repeat(64)));
}

#[test]
fn ten_thousand_levels_do_not_overflow_the_stack() {
    for open in ["[", "{\"k\":"] {
        let text = open.repeat(10_000);
        let err = read(&text).unwrap_err();
        assert!(matches!(err, JsonError::TooDeep { max_depth: 64, .. }), "{err}");
    }

    let unlimited = JsonLimits { max_depth: usize::MAX, ..LIMITS };
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let value = read_json(text.as_bytes(), &unlimited).unwrap();
    let mut depth = 0;
    let mut cursor = &value;
    while let Some(inner) = cursor.as_array().and_then(|a| a.first()) {
        depth += 1;
        cursor = inner;
    }
    assert_eq!(depth, 9_999);
    // Dropping a deep serde_json::Value recurses; leak it rather than test serde_json's drop.
    std::mem::forget(value);
}

#[test]
fn key_limit_counts_the_whole_document() {
    let limits = JsonLimits { max_keys: 3, ..LIMITS };
    read_json(br#"{"a": {"b": 1}, "c": 2}"#, &limits).unwrap();
    let err = read_json(br#"{"a": {"b": 1}, "c": {"d": 2}}"#, &limits).unwrap_err();
    assert_eq!(err.to_string(), "JSON document has more than 3 object keys (at byte 22)");
    assert_eq!(err.pointer(), "/c/d");
}

#[test]
fn duplicate_keys_follow_the_policy() {
    let text = br#"{"role": "user", "role": "admin"}"#;
    let err = read_json(text, &LIMITS).unwrap_err();
    assert_eq!(err, JsonError::DuplicateKey { offset: 17, pointer: "/role".into() });

    let last_wins = JsonLimits { duplicate_keys: DuplicateKeys::LastWins, ..LIMITS };
    assert_eq!(read_json(text, &last_wins).unwrap(), json!({"role": "admin"}));
}

#[test]
fn ten_megabyte_body_reads_in_one_pass() {
    let big = "x".repeat(10 * 1024 * 1024);
    let text = format!(r#"{{"blob": "{big}", "list": [{}0]}}"#, "1,".repeat(1000));
    let value = read(&text).unwrap();
    assert_eq!(value["blob"].as_str().unwrap().len(), big.len());
    assert_eq!(value["list"].as_array().unwrap().len(), 1001);
}

/// A small deterministic generator, so the differential test needs no dependency and repeats.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

#[test]
fn agrees_with_serde_json_on_mutated_documents() {
    let seeds = [
        r#"{"a": [1, -2.5e3, true, null], "b": {"c": "d\u00e9\n"}, "e": []}"#,
        r#"[{"k": 0}, "x", 18446744073709551616, -0.0, {"z": {"y": [[], {}]}}]"#,
        r#""\ud83d\ude00 \" \\ \/""#,
    ];
    let alphabet = b"{}[]:,\"\\0123456789-+.eEtrufalsn \t\nu\xff\xc3\x01";
    let limits = JsonLimits { max_depth: 100, max_keys: usize::MAX, ..LIMITS };
    let limits = JsonLimits { duplicate_keys: DuplicateKeys::LastWins, ..limits };
    let mut rng = Lcg(42);

    for _ in 0..20_000 {
        let mut doc = seeds[rng.next(seeds.len())].as_bytes().to_vec();
        for _ in 0..1 + rng.next(3) {
            let at = rng.next(doc.len() + 1);
            let byte = alphabet[rng.next(alphabet.len())];
            match rng.next(3) {
                0 if at < doc.len() => doc[at] = byte,
                1 if at < doc.len() => {
                    doc.remove(at);
                }
                _ => doc.insert(at, byte),
            }
        }

        let ours = read_json(&doc, &limits);
        let theirs = serde_json::from_slice::<serde_json::Value>(&doc);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", String::from_utf8_lossy(&doc)),
            (Err(_), Err(_)) => {}
            _ => panic!("disagree on {:?}: {ours:?} vs {theirs:?}", String::from_utf8_lossy(&doc)),
        }
    }
}
