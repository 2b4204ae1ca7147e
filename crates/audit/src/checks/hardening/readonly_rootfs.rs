//! HARD-READONLY-ROOTFS: writable root file system.

use crate::checks::pss::bad_containers;
use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::value::is_true;
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-READONLY-ROOTFS",
    name: "writable-root-filesystem",
    summary: "Container root file system is writable",
    severity: Severity::Medium,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags containers without `securityContext.readOnlyRootFilesystem: true`.",
        why: "A writable root lets an intruder drop tools, change binaries or persist \
              across process restarts in the container.",
        example: "containers:\n  - name: app\n    image: app:1.0",
        fix: "Set `readOnlyRootFilesystem: true`; mount an emptyDir where the app writes.",
    },
    remediation: "set securityContext.readOnlyRootFilesystem: true; use emptyDir for scratch",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let bad = bad_containers(&input.pod, |c| !is_true(c.security(&["readOnlyRootFilesystem"])));
    (!bad.is_empty()).then(|| {
        format!("{} must set securityContext.readOnlyRootFilesystem=true", containers_phrase(&bad))
    })
}
