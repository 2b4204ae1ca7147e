//! PSS-BASE-HOSTPROCESS: Windows HostProcess containers.

use super::{bad_containers, setters};
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::is_true;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-HOSTPROCESS",
    name: "windows-host-process",
    summary: "Windows HostProcess container",
    severity: Severity::Critical,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "windowsHostProcess",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags `windowsOptions.hostProcess: true` on the pod or a container.",
        why: "A HostProcess container runs directly on the Windows node with host access.",
        example: "securityContext:\n  windowsOptions:\n    hostProcess: true",
        fix: "Remove `hostProcess` or set it to false.",
    },
    remediation: "remove securityContext.windowsOptions.hostProcess",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let path = ["windowsOptions", "hostProcess"];
    let pod_bad = is_true(input.pod.security(&path));
    let bad = bad_containers(&input.pod, |c| is_true(c.security(&path)));
    (pod_bad || !bad.is_empty()).then(|| {
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters(pod_bad, &bad)
        )
    })
}
