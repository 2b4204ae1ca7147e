#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Every check has a passing and a failing fixture, per version and level where its rule
//! differs: tests/fixtures/checks/<ID>/<pass|fail>[@restricted][@v1.N].yaml.
//! Plain files are evaluated at the check's own level and the latest version.

use std::fs;
use std::path::Path;

use rampart_audit::checks;
use rampart_audit::engine::{audit, AuditOptions};
use rampart_audit::manifest::{load_str, Limits};
use rampart_audit::{PssLevel, PssVersion};

struct Case {
    pass: bool,
    level: Option<PssLevel>,
    version: PssVersion,
}

fn case(name: &str, own_level: Option<PssLevel>) -> Case {
    let mut parts = name.trim_end_matches(".yaml").split('@');
    let pass = match parts.next() {
        Some("pass") => true,
        Some("fail") => false,
        other => panic!("fixture {name}: expected pass or fail, got {other:?}"),
    };
    let mut case = Case { pass, level: own_level, version: PssVersion::LATEST };
    for part in parts {
        if part == "restricted" {
            case.level = Some(PssLevel::Restricted);
        } else {
            case.version = part.parse().unwrap_or_else(|e| panic!("fixture {name}: {e}"));
        }
    }
    case
}

fn findings_of(id: &str, path: &Path, case: &Case) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let loaded = load_str(&path.display().to_string(), &text, &Limits::default());
    assert!(loaded.errors.is_empty(), "{}: {:?}", path.display(), loaded.errors);
    let options =
        AuditOptions { pss_level: case.level, pss_version: case.version, ..Default::default() };
    let report = audit(&loaded.resources, &options);
    report.findings.iter().filter(|f| f.check == id).map(|f| f.message.clone()).collect()
}

#[test]
fn every_check_has_passing_and_failing_fixtures_that_behave() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    let mut evaluated = 0;
    for check in checks::all() {
        let dir = root.join(check.id);
        assert!(dir.join("pass.yaml").is_file(), "{} has no pass.yaml", check.id);
        assert!(dir.join("fail.yaml").is_file(), "{} has no fail.yaml", check.id);
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let case = case(&name, check.pss.map(|p| p.level));
            let found = findings_of(check.id, &path, &case);
            if case.pass {
                assert!(found.is_empty(), "{}/{name} should pass, got {found:?}", check.id);
            } else {
                assert_eq!(found.len(), 1, "{}/{name} should fail once, got {found:?}", check.id);
            }
            evaluated += 1;
        }
    }
    assert!(evaluated >= 2 * checks::all().len());
}

#[test]
fn fixture_directories_match_check_ids() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    for entry in fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(checks::by_id(&name).is_some(), "fixture directory {name} names no check");
    }
}

#[test]
fn check_ids_are_unique_and_well_formed() {
    let mut ids: Vec<&str> = checks::all().iter().map(|c| c.id).collect();
    for id in &ids {
        let family_ok = ["PSS-BASE-", "PSS-RESTR-", "HARD-", "RBAC-", "NETPOL-", "ISTIO-"]
            .iter()
            .any(|prefix| id.starts_with(prefix));
        assert!(family_ok, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_uppercase() || c == '-'), "{id}");
    }
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate check ids");
}

#[test]
fn pss_controls_cover_every_kubernetes_check() {
    let controls: Vec<&str> =
        checks::all().iter().filter_map(|c| c.pss).map(|p| p.control).collect();
    let kubernetes = [
        "allowPrivilegeEscalation",
        "appArmorProfile",
        "capabilities_baseline",
        "capabilities_restricted",
        "hostNamespaces",
        "hostPathVolumes",
        "hostPorts",
        "hostProbesAndHostLifecycle",
        "privileged",
        "procMount",
        "procMount_restricted",
        "restrictedVolumes",
        "runAsNonRoot",
        "runAsUser",
        "seLinuxOptions",
        "seccompProfile_baseline",
        "seccompProfile_restricted",
        "sysctls",
        "windowsHostProcess",
    ];
    for control in kubernetes {
        assert!(controls.contains(&control), "missing Pod Security control {control}");
    }
    assert_eq!(controls.len(), kubernetes.len());
}

/// Found by a new user: at the restricted level (the default), a hostPath volume and an added
/// SYS_ADMIN capability were reported only by the restricted checks that replace the baseline
/// ones, at medium severity, so the strictest run was the most lenient CI gate.
#[test]
fn restricted_checks_keep_the_severity_of_the_baseline_checks_they_replace() {
    let manifest = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: docker-sock, namespace: ci}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
        - name: app
          image: example/app:1.0
          securityContext: {capabilities: {add: [SYS_ADMIN]}}
          volumeMounts: [{name: sock, mountPath: /var/run/docker.sock}]
      volumes:
        - name: sock
          hostPath: {path: /var/run/docker.sock}
"#;
    let loaded = load_str("hp.yaml", manifest, &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    for level in [None, Some(PssLevel::Restricted), Some(PssLevel::Baseline)] {
        let options = AuditOptions { pss_level: level, ..Default::default() };
        let report = audit(&loaded.resources, &options);
        for (restricted, baseline) in [
            ("PSS-RESTR-VOLUMETYPES", "PSS-BASE-HOSTPATH"),
            ("PSS-RESTR-CAPABILITIES", "PSS-BASE-CAPABILITIES"),
        ] {
            let finding = report
                .findings
                .iter()
                .find(|f| f.check == restricted || f.check == baseline)
                .unwrap_or_else(|| panic!("{level:?}: no {restricted} or {baseline}"));
            let severity = finding.severity;
            assert_eq!(severity, rampart_audit::Severity::High, "{level:?}: {finding:?}");
        }
    }
}
