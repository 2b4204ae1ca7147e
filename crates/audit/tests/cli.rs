#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The command line: exit codes, inputs, bad input, suppressions and output shapes.

mod common;

use std::fs;

use common::{run_args, run_with_stdin, workspace_dir};

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  \
namespace: apps\nspec:\n  containers:\n    - name: c\n      image: c:1\n      \
securityContext:\n        privileged: true\n";

const LOW_ONLY_ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n\
metadata:\n  name: r\n  namespace: apps\nrules:\n  - apiGroups: [\"batch\"]\n    \
resources: [\"jobs\"]\n    verbs: [\"create\"]\n";

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(run_with_stdin(&["-"], PRIVILEGED_POD).code, 1);
    assert_eq!(run_with_stdin(&["--fail-on", "critical", "-"], PRIVILEGED_POD).code, 1);
    // RBAC-CREATE-WORKLOADS is medium: below the default threshold (high).
    assert_eq!(run_with_stdin(&["-"], LOW_ONLY_ROLE).code, 0);
    assert_eq!(run_with_stdin(&["--fail-on", "medium", "-"], LOW_ONLY_ROLE).code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let bad_version = run_with_stdin(&["--pss-version", "1.30", "-"], PRIVILEGED_POD);
    assert_eq!(bad_version.code, 2);
    assert!(bad_version.err.contains("v1.N"), "{}", bad_version.err);
    assert_eq!(run_args(&[]).code, 2);
    assert_eq!(run_args(&["--format", "xml", "-"]).code, 2);
    let missing = run_args(&["/nonexistent/manifests.yaml"]);
    assert_eq!(missing.code, 2);
    assert!(missing.err.contains("/nonexistent/manifests.yaml"), "{}", missing.err);
}

#[test]
fn invalid_yaml_is_reported_with_line_and_others_still_audited() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a-broken.yaml"), "kind: Pod\nmetadata: {name: x\nspec: [\n")
        .unwrap();
    fs::write(dir.path().join("b-pod.yaml"), PRIVILEGED_POD).unwrap();
    fs::write(dir.path().join("ignored.txt"), "not: [yaml").unwrap();
    let outcome = run_args(&["--format", "json", &common::arg(dir.path())]);
    assert_eq!(outcome.code, 1, "{}", outcome.err);
    assert!(outcome.err.contains("a-broken.yaml:"), "{}", outcome.err);
    assert!(outcome.err.contains("invalid YAML at line"), "{}", outcome.err);
    let json = outcome.json();
    assert_eq!(json["summary"]["errors"][0]["line"].as_u64().map(|l| l >= 2), Some(true));
    assert!(outcome.checks().contains(&"PSS-BASE-PRIVILEGED".to_string()));
}

#[test]
fn nothing_readable_exits_2() {
    let outcome = run_with_stdin(&["-"], "a: [1, 2\n");
    assert_eq!(outcome.code, 2);
    assert!(outcome.err.contains("-:"), "{}", outcome.err);
}

#[test]
fn deep_and_huge_documents_are_refused_with_a_note() {
    let deep = format!("kind: Pod\nspec: {}", "[".repeat(100_000));
    let outcome = run_with_stdin(&["-"], &deep);
    assert_eq!(outcome.code, 2);
    assert!(outcome.err.contains("nested deeper than 64"), "{}", outcome.err);

    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..10 {
        let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
        bomb.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*{prev}"); 10].join(", ")));
    }
    let outcome = run_with_stdin(&["-"], &bomb);
    assert!(outcome.err.contains("nodes (aliases included)"), "{}", outcome.err);
}

#[test]
fn lists_json_and_line_numbers() {
    let list = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n  {}\n]}}\n",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \
         \"spec\": {\"hostPID\": true, \"containers\": [{\"name\": \"c\", \"image\": \"c:1\"}]}}"
    );
    let outcome = run_with_stdin(&["--format", "json", "-"], &list);
    let json = outcome.json();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "PSS-BASE-HOSTNAMESPACES")
        .unwrap();
    assert_eq!(finding["line"], 2);
    assert_eq!(finding["file"], "-");
    assert_eq!(finding["resource"]["kind"], "Pod");
    assert_eq!(finding["resource"]["name"], "p");
    assert_eq!(finding["resource"]["namespace"], serde_json::Value::Null);
    assert_eq!(finding["pss"]["level"], "baseline");
    assert_eq!(finding["pss"]["version"], "v1.37");
    assert_eq!(finding["severity"], "high");
    assert!(finding["remediation"].as_str().unwrap().contains("hostPID"));
}

#[test]
fn multi_document_lines_point_at_each_resource() {
    let text = format!(
        "# comment\n---\n{PRIVILEGED_POD}---\n\n{}",
        PRIVILEGED_POD.replace("name: p", "name: q")
    );
    let outcome = run_with_stdin(&["--format", "json", "--pss-level", "baseline", "-"], &text);
    let json = outcome.json();
    let lines: Vec<u64> =
        json["findings"].as_array().unwrap().iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![3, 16]);
}

#[test]
fn pss_level_baseline_ignores_restricted_and_other_families() {
    let outcome =
        run_with_stdin(&["--format", "json", "--pss-level", "baseline", "-"], PRIVILEGED_POD);
    assert_eq!(outcome.checks(), vec!["PSS-BASE-PRIVILEGED".to_string()]);
    assert_eq!(outcome.json()["summary"]["pss_level"], "baseline");
}

#[test]
fn pss_version_changes_what_fails() {
    let pod = PRIVILEGED_POD.replace("privileged: true", "runAsUser: 0");
    let at = |v: &str| {
        run_with_stdin(
            &["--format", "json", "--pss-version", v, "--pss-level", "restricted", "-"],
            &pod,
        )
        .checks()
    };
    assert!(at("v1.23").contains(&"PSS-RESTR-RUNASUSER".to_string()));
    assert!(!at("v1.22").contains(&"PSS-RESTR-RUNASUSER".to_string()));
    assert!(at("latest").contains(&"PSS-RESTR-RUNASUSER".to_string()));
}

#[test]
fn annotation_suppressions_need_a_reason_and_are_counted() {
    let with = |annotations: &str| {
        let pod = PRIVILEGED_POD.replace(
            "  namespace: apps\n",
            &format!("  namespace: apps\n  annotations:\n{annotations}"),
        );
        run_with_stdin(&["--format", "json", "-v", "-"], &pod)
    };
    let ok = with(
        "    rampart.io/ignore: PSS-BASE-PRIVILEGED, HARD-PROBES\n    \
         rampart.io/ignore-reason: lab node\n",
    );
    assert!(!ok.checks().contains(&"PSS-BASE-PRIVILEGED".to_string()));
    assert_eq!(ok.json()["summary"]["suppressed"], 2);

    let no_reason = with("    rampart.io/ignore: PSS-BASE-PRIVILEGED\n");
    assert!(no_reason.checks().contains(&"PSS-BASE-PRIVILEGED".to_string()));
    assert!(no_reason.err.contains("ignore-reason"), "{}", no_reason.err);
}

#[test]
fn config_file_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rampart-audit.yaml");
    let entry = "  - check: PSS-BASE-PRIVILEGED\n    kind: Pod\n    name: p\n    reason: lab\n";
    fs::write(&config, format!("suppressions:\n{entry}")).unwrap();
    let outcome = run_with_stdin(
        &["--format", "json", "--config", &common::arg(&config), "-"],
        PRIVILEGED_POD,
    );
    assert!(!outcome.checks().contains(&"PSS-BASE-PRIVILEGED".to_string()));
    assert_eq!(outcome.json()["summary"]["suppressed"], 1);

    fs::write(&config, "suppressions:\n  - check: NO-SUCH-CHECK\n    reason: typo\n").unwrap();
    let bad = run_with_stdin(&["--config", &common::arg(&config), "-"], PRIVILEGED_POD);
    assert_eq!(bad.code, 2);
    assert!(bad.err.contains("unknown check \"NO-SUCH-CHECK\""), "{}", bad.err);

    fs::write(&config, "suppressions:\n  - check: HARD-PROBES\n    reason: \"\"\n").unwrap();
    assert_eq!(run_with_stdin(&["--config", &common::arg(&config), "-"], PRIVILEGED_POD).code, 2);
    fs::write(&config, "suppresions: []\n").unwrap();
    assert_eq!(run_with_stdin(&["--config", &common::arg(&config), "-"], PRIVILEGED_POD).code, 2);
}

#[test]
fn verbose_notes_skipped_documents_and_kinds() {
    let text =
        "- just\n- a list\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
    let outcome = run_with_stdin(&["-v", "-"], text);
    assert_eq!(outcome.code, 0);
    assert!(outcome.err.contains("not an object"), "{}", outcome.err);
    assert!(outcome.err.contains("kind Widget"), "{}", outcome.err);
    let quiet = run_with_stdin(&["-"], text);
    assert!(quiet.err.is_empty(), "{}", quiet.err);
}

#[test]
fn text_output_groups_by_resource_and_colours_only_when_asked() {
    let path = workspace_dir().join("examples/audit/insecure-deployment.yaml");
    let outcome = run_args(&[&common::arg(&path)]);
    assert_eq!(outcome.code, 1);
    assert!(outcome.out.contains("Deployment default/legacy-api"), "{}", outcome.out);
    assert!(outcome.out.contains("insecure-deployment.yaml:2"));
    assert!(outcome.out.contains("CRITICAL PSS-BASE-PRIVILEGED"));
    assert!(!outcome.out.contains('\x1b'));
    assert_eq!(outcome.out.matches("Deployment default/legacy-api").count(), 1);
    assert!(!outcome.out.contains("change-me"), "secret value leaked");

    let mut args = clap_args(&[&common::arg(&path)]);
    args.color = true;
    let mut out = Vec::new();
    rampart_audit::run(&args, &mut std::io::empty(), &mut out, &mut Vec::new());
    assert!(String::from_utf8(out).unwrap().contains("\x1b[1;35mCRITICAL"));
}

fn clap_args(argv: &[&str]) -> rampart_audit::AuditArgs {
    use clap::{Args, FromArgMatches};
    let cmd = rampart_audit::AuditArgs::augment_args(clap::Command::new("audit"));
    let matches =
        cmd.try_get_matches_from(std::iter::once("audit").chain(argv.iter().copied())).unwrap();
    rampart_audit::AuditArgs::from_arg_matches(&matches).unwrap()
}

#[test]
fn network_summary_in_json_and_verbose_text() {
    let dir = workspace_dir().join("examples/audit/hardened");
    let json = run_args(&["--format", "json", &common::arg(&dir)]).json();
    let shop = &json["network"][0];
    assert_eq!(shop["namespace"], "shop");
    assert_eq!(shop["workloads"][0]["workload"], "Deployment/storefront");
    let ingress = shop["workloads"][0]["ingress"].as_array().unwrap();
    assert_eq!(
        ingress,
        &vec![serde_json::json!("namespaces [kubernetes.io/metadata.name=gateway] on 8080/TCP")]
    );
    let egress = shop["workloads"][0]["egress"].as_array().unwrap();
    assert_eq!(
        egress,
        &vec![serde_json::json!(
            "namespaces [kubernetes.io/metadata.name=kube-system] on 53/UDP, 53/TCP"
        )]
    );

    let text = run_args(&["-v", &common::arg(&dir)]);
    assert!(text.out.contains("network policy summary"), "{}", text.out);
    assert!(
        text.out.contains("  Deployment/storefront\n    ingress from: namespaces"),
        "{}",
        text.out
    );
}
