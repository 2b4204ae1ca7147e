//! PSS-RESTR-PRIVESC: containers that may gain privileges (allowPrivilegeEscalation).

use super::bad_containers;
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-PRIVESC",
    name: "allow-privilege-escalation",
    summary: "Container does not set allowPrivilegeEscalation: false",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "allowPrivilegeEscalation",
        versions: &[8, 25],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags containers that do not set `securityContext.allowPrivilegeEscalation: \
               false` (unset counts as allowed). From v1.25 Windows pods (`spec.os.name: \
               windows`) are exempt.",
        why: "Without no_new_privs a process can gain privileges through set-user-ID \
              binaries or file capabilities.",
        example: "containers:\n  - name: app\n    image: app:1.0",
        fix: "Set `allowPrivilegeEscalation: false` in every container's securityContext.",
    },
    remediation: "set securityContext.allowPrivilegeEscalation: false in every container",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    if input.version.minor() >= 25 && input.pod.is_windows() {
        return None;
    }
    let bad = bad_containers(&input.pod, |c| {
        c.security(&["allowPrivilegeEscalation"]).and_then(|v| v.as_bool()) != Some(false)
    });
    (!bad.is_empty()).then(|| {
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        )
    })
}
