//! PSS-RESTR-SECCOMP: seccomp profile missing or not RuntimeDefault/Localhost (v1.19+).

use super::seccomp_baseline::{valid_type, NOT_ALLOWED};
use super::{bad_containers, setters};
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-SECCOMP",
    name: "seccomp-required",
    summary: "Seccomp profile not set to RuntimeDefault or Localhost",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "seccompProfile_restricted",
        versions: &[19, 25],
        overrides: Some("seccompProfile_baseline"),
    }),
    doc: CheckDoc {
        what: "Requires `seccompProfile.type` RuntimeDefault or Localhost on the pod, or on \
               every container when the pod sets none; flags any other value. From v1.19; \
               from v1.25 Windows pods are exempt. Replaces PSS-BASE-SECCOMP at the \
               restricted level.",
        why: "Without a seccomp profile containers run Unconfined on most runtimes and can \
              call every system call the kernel offers.",
        example: "spec:\n  containers:\n    - name: app\n      image: app:1.0",
        fix: "Set `spec.securityContext.seccompProfile.type: RuntimeDefault`.",
    },
    remediation: "set spec.securityContext.seccompProfile.type: RuntimeDefault",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let pod = &input.pod;
    if input.version.minor() >= 25 && pod.is_windows() {
        return None;
    }
    let pod_profile = pod.security(&["seccompProfile"]);
    let pod_bad = pod_profile.is_some_and(|p| !valid_type(p));
    let explicit =
        bad_containers(pod, |c| c.security(&["seccompProfile"]).is_some_and(|p| !valid_type(p)));
    if pod_bad || !explicit.is_empty() {
        let who = setters(pod_bad, &explicit);
        return Some(format!(
            "{who} must not set securityContext.seccompProfile.type to {NOT_ALLOWED}"
        ));
    }
    let pod_set = pod_profile.is_some();
    let implicit = bad_containers(pod, |c| !pod_set && c.security(&["seccompProfile"]).is_none());
    (!implicit.is_empty()).then(|| {
        format!(
            "pod or {} must set securityContext.seccompProfile.type to RuntimeDefault or Localhost",
            containers_phrase(&implicit)
        )
    })
}
