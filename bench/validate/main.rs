//! Validation cost per request for the validate stage: a typical 1 KB JSON body and a 64 KB
//! one, through `RequestValidator::validate_body` (JSON reading plus schema validation), and a
//! head with coerced query parameters through `validate_head`.
//!
//! Run: `cargo bench -p rampart-validate --bench validate`. Without `--bench` (as `cargo test
//! --all-targets` runs it) it does a few iterations only, as a smoke test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use http::{HeaderMap, Method};
use rampart_validate::{read_json, RequestHead, RequestValidator, ValidationConfig};

const CONFIG: &str = r#"
query:
  limit: {schema: {type: integer, minimum: 1, maximum: 100}}
  status: {schema: {type: string, enum: [running, done]}}
  tags: {schema: {type: array, items: {type: string, maxLength: 20}}}
body:
  schema:
    type: object
    required: [experiment_id, temperature, pressure, timestamp, researcher_id]
    properties:
      experiment_id: {type: string, minLength: 1, maxLength: 50}
      temperature: {type: number, minimum: -273.15, maximum: 1000}
      pressure: {type: number, minimum: 0}
      timestamp: {type: string, format: date-time}
      researcher_id: {type: string, pattern: "^[a-zA-Z0-9_]+$"}
      notes: {type: string, maxLength: 2000}
      tags: {type: array, items: {type: string, maxLength: 32}}
      readings:
        type: array
        items:
          type: object
          required: [t, value]
          properties:
            t: {type: string, format: date-time}
            value: {type: number}
            probe: {type: string, format: uuid}
max_body_bytes: 1048576
"#;

/// A valid body with `readings` items added until it reaches `target` bytes.
fn body(target: usize) -> Vec<u8> {
    let head = r#"{"experiment_id": "exp-2024-0042", "temperature": 21.5, "pressure": 101.325,
"timestamp": "2024-05-01T12:00:00Z", "researcher_id": "ada_lovelace",
"notes": "calibrated against the reference cell before the run", "tags": ["lab-a", "batch-7"],
"readings": ["#;
    let reading = concat!(
        r#"{"t": "2024-05-01T12:00:01Z", "value": 21.53, "#,
        r#""probe": "6f1c2a3e-8b4d-4c5e-9f60-718293a4b5c6"}"#
    );
    let mut text = head.to_owned();
    let mut first = true;
    while text.len() + reading.len() + 3 <= target {
        if !first {
            text.push(',');
        }
        text.push_str(reading);
        first = false;
    }
    text.push_str("]}");
    text.into_bytes()
}

/// p50 and p99 of `iterations` timed calls of `f`.
fn measure(iterations: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..iterations / 10 {
        f();
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        f();
        samples.push(start.elapsed());
    }
    samples.sort();
    (samples[iterations / 2], samples[iterations * 99 / 100])
}

fn report(name: &str, bytes: usize, (p50, p99): (Duration, Duration)) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("{name:<34} {bytes:>7} B  p50 {:>8.2} us  p99 {:>8.2} us", us(p50), us(p99));
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full { 1 } else { 1000 };
    let mut config: ValidationConfig = serde_yaml_ng::from_str(CONFIG).unwrap();
    // The 64 KB body holds about 1,600 keys, over the default of 1,000.
    config.max_keys = 100_000;
    let validator = RequestValidator::compile(&config, Path::new(".")).unwrap();

    for (label, size, iterations) in [("1 KB", 1024, 50_000), ("64 KB", 64 * 1024, 2_000)] {
        let payload = body(size);
        validator.validate_body(&payload).unwrap();
        let n = (iterations / scale).max(10);

        let limits = rampart_validate::JsonLimits {
            max_depth: 64,
            max_keys: 100_000,
            duplicate_keys: rampart_validate::DuplicateKeys::Reject,
        };
        report(
            &format!("validate_body {label}"),
            payload.len(),
            measure(n, || {
                black_box(validator.validate_body(black_box(&payload))).unwrap();
            }),
        );
        report(
            &format!("  read_json only {label}"),
            payload.len(),
            measure(n, || {
                black_box(read_json(black_box(&payload), &limits)).unwrap();
            }),
        );
        report(
            &format!("  serde_json::from_slice {label}"),
            payload.len(),
            measure(n, || {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(&payload)))
                    .unwrap();
            }),
        );
    }

    let headers = HeaderMap::new();
    let head = RequestHead {
        method: &Method::GET,
        path_params: &[],
        query: Some("limit=50&status=done&tags=a&tags=b"),
        headers: &headers,
    };
    validator.validate_head(&head).unwrap();
    report(
        "validate_head (3 query params)",
        0,
        measure((50_000 / scale).max(10), || {
            black_box(validator.validate_head(black_box(&head))).unwrap();
        }),
    );
}
