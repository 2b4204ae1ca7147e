#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The whole CRS regression corpus, in-process, with rampart's overrides: the pass count may
//! only go up. Raise FLOOR whenever the engine passes more (and record it in docs/waf.md).

use std::path::PathBuf;

use rampart_waf::ftw::{run, FtwOptions};

/// Tests of the corpus that pass; only ever raised.
const FLOOR: usize = 5003;

fn crs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs")
}

fn crs_rules() -> Vec<PathBuf> {
    let dir = crs_dir();
    let mut files = vec![dir.join("regression-setup.conf"), dir.join("crs-setup.conf.example")];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(dir.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    rules.sort();
    files.extend(rules);
    files
}

#[test]
fn crs_regression_corpus_meets_the_floor() {
    let options = FtwOptions {
        rules: crs_rules(),
        tests: crs_dir().join("tests/regression/tests"),
        overrides: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ftw-overrides.yaml")),
        filter: None,
        show_failures: true,
    };
    let mut out = Vec::new();
    let summary = run(&options, &mut out).unwrap();
    let report = String::from_utf8(out).unwrap();
    println!("{report}");

    let last = report.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "{} passed, {} failed, {} skipped",
            summary.passed, summary.failed, summary.skipped
        )
    );
    assert!(summary.passed >= FLOOR, "{} passed, below the floor of {FLOOR}", summary.passed);
}
