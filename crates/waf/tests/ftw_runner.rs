#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The go-ftw runner on small hand-written rules and tests: reporting, overrides, albedo.

use std::fs;
use std::path::Path;

use rampart_waf::ftw::{run, FtwOptions};

const RULES: &str = r#"
SecRuleEngine DetectionOnly
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html
SecRule ARGS "@contains attack" "id:100,phase:2,pass,log,msg:'attack in %{MATCHED_VAR_NAME}'"
SecRule RESPONSE_BODY "@contains secret" "id:200,phase:4,pass,log"
SecRule REQUEST_HEADERS:X-Marker "@streq 1" "id:300,phase:1,pass,nolog"
"#;

const TESTS: &str = r#"
rule_id: 100
tests:
  - test_id: 1
    stages:
      - input:
          method: GET
          uri: "/?q=attack"
          headers: {Host: localhost}
        output:
          log: {expect_ids: [100], match_regex: 'attack in ARGS:q'}
  - test_id: 2
    stages:
      - input:
          method: POST
          uri: /reflect
          headers: {Host: localhost, Content-Type: application/json}
          data: '{"status": 201, "body": "the secret is out"}'
        output:
          status: 201
          log: {expect_ids: [200], no_expect_ids: [100]}
  - test_id: 3
    stages:
      - input:
          uri: "/?q=benign"
          headers: {Host: localhost, X-Marker: "1"}
        output:
          log: {expect_ids: [100, 300]}
  - test_id: 4
    stages:
      - input:
          uri: "/?q=benign"
        output:
          status: 403
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn reports_passes_failures_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.conf", RULES);
    let tests_dir = dir.path().join("tests");
    fs::create_dir(&tests_dir).unwrap();
    write(&tests_dir, "100.yaml", TESTS);
    let overrides = write(
        dir.path(),
        "overrides.yaml",
        "test_overrides:\n  - rule_id: 100\n    test_ids: [4]\n    reason: needs a real server\n",
    );

    let options = FtwOptions {
        rules: vec![rules],
        tests: tests_dir,
        overrides: Some(overrides),
        filter: None,
        show_failures: true,
    };
    let mut out = Vec::new();
    let summary = run(&options, &mut out).unwrap();
    let report = String::from_utf8(out).unwrap();

    assert_eq!((summary.passed, summary.failed, summary.skipped), (2, 1, 1), "{report}");
    let failure = &summary.failures[0];
    assert_eq!(failure.test, "100-3");
    assert_eq!(failure.missing, vec![100, 300]);
    assert!(report.contains("family 100: 2 passed, 1 failed, 1 skipped"), "{report}");
    assert_eq!(report.lines().last().unwrap(), "2 passed, 1 failed, 1 skipped");
}

#[test]
fn filter_selects_tests_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.conf", RULES);
    let test = write(dir.path(), "100.yaml", TESTS);
    let options = FtwOptions {
        rules: vec![rules],
        tests: test,
        overrides: None,
        filter: Some("^100-[12]$".into()),
        show_failures: false,
    };
    let summary = run(&options, &mut Vec::new()).unwrap();
    assert_eq!((summary.passed, summary.failed), (2, 0));
}

#[test]
fn malformed_overrides_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules.conf", RULES);
    let overrides = write(dir.path(), "o.yaml", "test_overrides:\n  - rule_id: x\n");
    let options = FtwOptions {
        rules: vec![rules],
        tests: dir.path().to_path_buf(),
        overrides: Some(overrides.clone()),
        ..FtwOptions::default()
    };
    let err = run(&options, &mut Vec::new()).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("overrides file {} is malformed", overrides.display())),
        "{err}"
    );
}
