//! PSS-BASE-SECCOMP: seccomp explicitly set to Unconfined.

use super::{bad_containers, setters};
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::Value;

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Message tail for a profile type that is not allowed.
pub(crate) const NOT_ALLOWED: &str = "a value other than RuntimeDefault or Localhost";

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-SECCOMP",
    name: "seccomp-unconfined",
    summary: "Seccomp profile set to Unconfined",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "seccompProfile_baseline",
        versions: &[0, 19],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Up to v1.18: flags the alpha seccomp annotations with a value other than \
               `runtime/default`, `docker/default` or `localhost/*`. From v1.19: flags \
               `seccompProfile.type` (pod or container) other than RuntimeDefault or \
               Localhost. An unset profile passes at this level.",
        why: "Seccomp filters the system calls a process can make; Unconfined exposes the \
              whole kernel attack surface.",
        example: "securityContext:\n  seccompProfile:\n    type: Unconfined",
        fix: "Set `seccompProfile.type: RuntimeDefault` (or Localhost) or leave it unset.",
    },
    remediation: "set seccompProfile.type to RuntimeDefault or Localhost",
    rule: Rule::Pod(evaluate),
};

/// A seccomp profile type that is allowed when set.
pub(crate) fn valid_type(profile: &Value) -> bool {
    matches!(profile.get("type").and_then(Value::as_str), Some("RuntimeDefault" | "Localhost"))
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    if input.version.minor() < 19 {
        return annotations(input);
    }
    let pod_bad = input.pod.security(&["seccompProfile"]).is_some_and(|p| !valid_type(p));
    let bad = bad_containers(&input.pod, |c| {
        c.security(&["seccompProfile"]).is_some_and(|p| !valid_type(p))
    });
    (pod_bad || !bad.is_empty()).then(|| {
        let who = setters(pod_bad, &bad);
        format!("{who} must not set securityContext.seccompProfile.type to {NOT_ALLOWED}")
    })
}

fn annotation_ok(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn annotations(input: &PodInput<'_>) -> Option<String> {
    let mut bad = Vec::new();
    if input.pod.annotation(POD_ANNOTATION).is_some_and(|v| !annotation_ok(v)) {
        bad.push(POD_ANNOTATION.to_string());
    }
    for c in input.pod.containers() {
        let key = format!("{CONTAINER_ANNOTATION}{}", c.name());
        if input.pod.annotation(&key).is_some_and(|v| !annotation_ok(v)) {
            bad.push(key);
        }
    }
    (!bad.is_empty()).then(|| format!("forbidden seccomp annotations: {}", bad.join(", ")))
}
