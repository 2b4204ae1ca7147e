//! PSS-RESTR-RUNASUSER: explicit runAsUser 0 (root), v1.23+.

use super::{bad_containers, setters};
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-RUNASUSER",
    name: "run-as-root-user",
    summary: "Pod or container sets runAsUser: 0",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "runAsUser",
        versions: &[23, 35],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags `runAsUser: 0` on the pod or a container. Enforced from v1.23; from \
               v1.35 pods with `hostUsers: false` are exempt.",
        why: "UID 0 is root; runAsNonRoot does not help when the UID is set to 0 explicitly.",
        example: "securityContext:\n  runAsUser: 0",
        fix: "Set `runAsUser` to a non-zero UID, or remove it and rely on the image's user.",
    },
    remediation: "set runAsUser to a non-zero UID",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    if input.version.minor() >= 35 && input.pod.in_user_namespace() {
        return None;
    }
    let pod_bad = input.pod.security(&["runAsUser"]).and_then(|v| v.as_i64()) == Some(0);
    let bad = bad_containers(&input.pod, |c| {
        c.security(&["runAsUser"]).and_then(|v| v.as_i64()) == Some(0)
    });
    (pod_bad || !bad.is_empty())
        .then(|| format!("{} must not set securityContext.runAsUser=0", setters(pod_bad, &bad)))
}
