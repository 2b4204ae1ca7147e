//! PSS-RESTR-RUNASNONROOT: containers not required to run as a non-root user.

use super::{bad_containers, setters};
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-RUNASNONROOT",
    name: "run-as-non-root",
    summary: "Pod or container does not require runAsNonRoot: true",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "runAsNonRoot",
        versions: &[0, 35],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags pods where `runAsNonRoot` is false anywhere, or where a container has \
               no `runAsNonRoot: true` and the pod does not set it. From v1.35 pods with \
               `hostUsers: false` are exempt.",
        why: "Root in a container is root on the node's kernel; one kernel or runtime bug \
              away from owning the node.",
        example: "securityContext:\n  runAsNonRoot: false",
        fix: "Set `spec.securityContext.runAsNonRoot: true` and run the image as a \
              non-zero UID.",
    },
    remediation: "set spec.securityContext.runAsNonRoot: true",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let pod = &input.pod;
    if input.version.minor() >= 35 && pod.in_user_namespace() {
        return None;
    }
    let pod_value = pod.security(&["runAsNonRoot"]).and_then(|v| v.as_bool());
    let explicit = bad_containers(pod, |c| {
        c.security(&["runAsNonRoot"]).and_then(|v| v.as_bool()) == Some(false)
    });
    if pod_value == Some(false) || !explicit.is_empty() {
        let who = setters(pod_value == Some(false), &explicit);
        return Some(format!("{who} must not set securityContext.runAsNonRoot=false"));
    }
    let implicit = bad_containers(pod, |c| {
        pod_value != Some(true) && c.security(&["runAsNonRoot"]).and_then(|v| v.as_bool()).is_none()
    });
    (!implicit.is_empty()).then(|| {
        format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicit)
        )
    })
}
