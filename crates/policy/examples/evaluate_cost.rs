//! Measures the cost of path normalization plus policy evaluation for the seed policies.
//!
//! Run: `cargo run --release -p rampart-policy --example evaluate_cost`. Prints the median of
//! several runs in nanoseconds per request; a measurement, not a test.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use rampart_path::{normalize_path, PathOptions};
use rampart_policy::{Policies, PolicyConfig, PolicyError, RequestAttributes};

const ROUNDS: usize = 9;
const ITERATIONS: u32 = 200_000;

fn main() -> Result<(), PolicyError> {
    let config: PolicyConfig = serde_yaml_ng::from_str(
        "istio: {files: [seed.yaml], workloads: [{target: data, namespace: research, \
         labels: {app: research-data-service}}]}",
    )
    .map_err(|e| PolicyError::Yaml { origin: "example".into(), message: e.to_string() })?;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let policies = Policies::load(&config, &fixtures)?;

    let cases = [
        ("allowed", "cluster.local/ns/research/sa/research-frontend", "/api/data/items/42"),
        ("denied", "cluster.local/ns/research/sa/other", "//api/./data/../admin"),
    ];
    for (label, principal, raw) in cases {
        let median = median_ns(|| {
            let Ok(path) = normalize_path(black_box(raw), &PathOptions::default()) else {
                return false;
            };
            let mut attrs = RequestAttributes::new("GET", "data.research.svc", &path);
            attrs.principal = Some(principal);
            policies.authorization.evaluate("data", &attrs).allowed
        });
        println!("{label}: normalize + evaluate {median:.0} ns/request (median of {ROUNDS})");

        let path = normalize_path(raw, &PathOptions::default()).unwrap_or_default();
        let mut attrs = RequestAttributes::new("GET", "data.research.svc", &path);
        attrs.principal = Some(principal);
        let median =
            median_ns(|| policies.authorization.evaluate("data", black_box(&attrs)).allowed);
        println!("{label}: evaluate only {median:.0} ns/request (median of {ROUNDS})");
    }
    Ok(())
}

/// The median over rounds of the mean time per call.
fn median_ns(mut call: impl FnMut() -> bool) -> f64 {
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..ITERATIONS {
                black_box(call());
            }
            start.elapsed().as_nanos() as f64 / f64::from(ITERATIONS)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}
