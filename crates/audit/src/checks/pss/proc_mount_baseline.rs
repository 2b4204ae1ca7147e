//! PSS-BASE-PROCMOUNT: unmasked /proc, allowed from v1.35 for user-namespaced pods.

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-PROCMOUNT",
    name: "proc-mount",
    summary: "Container unmasks /proc",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "procMount",
        versions: &[0, 35],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags containers whose `securityContext.procMount` is set to anything but \
               `Default`. From v1.35 pods with `hostUsers: false` (a user namespace) are \
               exempt at the baseline level.",
        why: "The default /proc masks hide kernel interfaces that leak host information or \
              allow changes to the node.",
        example: "securityContext:\n  procMount: Unmasked",
        fix: "Remove `procMount` or set it to `Default`.",
    },
    remediation: "remove securityContext.procMount or set it to Default",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    if input.version.minor() >= 35 && input.pod.in_user_namespace() {
        return None;
    }
    unmasked(input)
}

/// The shared rule: any procMount other than `Default` fails.
pub(crate) fn unmasked(input: &PodInput<'_>) -> Option<String> {
    let bad = super::bad_containers(&input.pod, |c| {
        c.security(&["procMount"]).is_some_and(|v| v.as_str() != Some("Default"))
    });
    (!bad.is_empty()).then(|| {
        let who = crate::manifest::workload::containers_phrase(&bad);
        format!("{who} must not set securityContext.procMount to a value other than Default")
    })
}
