#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! `rampart waf ftw` exit codes.

use std::process::Command;

/// Found by a new user: a wrong --tests path ran nothing, printed "0 passed" and exited 0, so a
/// CI job testing its own rules went green without testing anything.
#[test]
fn a_run_without_any_test_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.conf");
    std::fs::write(&rules, "SecRuleEngine On\n").unwrap();
    let empty = dir.path().join("tests");
    std::fs::create_dir(&empty).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["waf", "ftw", "--rules"])
        .arg(&rules)
        .arg("--tests")
        .arg(&empty)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no test ran"), "{stderr}");
}
