#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The seed's secure pod passes restricted with no finding; each insecure variant fails
//! with the right check.

mod common;

use common::{run_args, run_with_stdin, workspace_dir};

fn secure_pod() -> String {
    std::fs::read_to_string(workspace_dir().join("examples/audit/secure-pod.yaml")).unwrap()
}

fn restricted(text: &str) -> Vec<String> {
    let outcome = run_with_stdin(&["--pss-level", "restricted", "--format", "json", "-"], text);
    assert!(outcome.code <= 1, "{}", outcome.err);
    outcome.checks()
}

#[test]
fn secure_pod_passes_restricted_with_no_finding() {
    let path = workspace_dir().join("examples/audit/secure-pod.yaml");
    let outcome = run_args(&["--pss-level", "restricted", "--format", "json", &common::arg(&path)]);
    assert_eq!(outcome.code, 0, "{}", outcome.out);
    assert_eq!(outcome.checks(), Vec::<String>::new());
    assert_eq!(outcome.json()["summary"]["findings"], 0);
}

#[test]
fn each_insecure_variant_fails_with_its_check() {
    let variants = [
        ("runAsNonRoot: true", "runAsNonRoot: false", "PSS-RESTR-RUNASNONROOT"),
        ("      type: RuntimeDefault", "      type: Unconfined", "PSS-RESTR-SECCOMP"),
        ("    seccompProfile:\n      type: RuntimeDefault\n", "", "PSS-RESTR-SECCOMP"),
        ("drop: [\"ALL\"]", "drop: [\"CHOWN\"]", "PSS-RESTR-CAPABILITIES"),
        ("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "PSS-RESTR-PRIVESC"),
        (
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n        privileged: true",
            "PSS-BASE-PRIVILEGED",
        ),
        ("  containers:", "  hostPID: true\n  containers:", "PSS-BASE-HOSTNAMESPACES"),
    ];
    let secure = secure_pod();
    for (from, to, expected) in variants {
        assert!(secure.contains(from), "{from}");
        let found = restricted(&secure.replacen(from, to, 1));
        assert_eq!(found, vec![expected.to_string()], "variant {to:?}");
    }
}

#[test]
fn hardening_variants_fail_with_their_check() {
    let secure = secure_pod();
    let full = |text: &str| run_with_stdin(&["--format", "json", "-"], text).checks();
    let baseline = full(&secure);
    assert!(!baseline.contains(&"HARD-READONLY-ROOTFS".to_string()));
    assert!(!baseline.contains(&"HARD-RESOURCES".to_string()));

    let writable =
        full(&secure.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"));
    assert!(writable.contains(&"HARD-READONLY-ROOTFS".to_string()));
    let unlimited = full(&secure.replace("          memory: 256Mi\n", ""));
    assert!(unlimited.contains(&"HARD-RESOURCES".to_string()));
}

#[test]
fn hardened_example_has_no_finding_in_a_full_audit() {
    let dir = workspace_dir().join("examples/audit/hardened");
    let outcome = run_args(&["--format", "json", "--fail-on", "low", &common::arg(&dir)]);
    assert_eq!(outcome.checks(), Vec::<String>::new(), "{}", outcome.out);
    assert_eq!(outcome.code, 0);
    assert_eq!(outcome.json()["summary"]["files"], 3);
}
