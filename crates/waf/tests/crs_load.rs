#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The OWASP CRS v4 loads unmodified, with the corpus configuration, without any error.

use std::path::PathBuf;

use rampart_waf::{LoadOptions, WafEngine};

fn crs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs")
}

/// The corpus load order: regression-setup.conf, crs-setup.conf.example, rules/*.conf.
pub fn crs_files() -> Vec<PathBuf> {
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
fn crs_loads_with_zero_errors() {
    let engine = WafEngine::from_files(&crs_files(), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("CRS failed to load: {e}"));
    let count = engine.rules().rule_count;
    assert!(count > 600, "only {count} rules loaded");
}
