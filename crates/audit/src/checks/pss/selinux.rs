//! PSS-BASE-SELINUX: custom SELinux type, user or role.

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::{str_at, Value};

const TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_V1_31: &[&str] =
    &["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-SELINUX",
    name: "selinux-options",
    summary: "Custom SELinux type, user or role",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "seLinuxOptions",
        versions: &[0, 31],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags `seLinuxOptions` (pod or container) that set a `user` or `role`, or a \
               `type` other than container_t, container_init_t, container_kvm_t and, from \
               v1.31, container_engine_t.",
        why: "A custom SELinux type or role can label the process as a host domain such as \
              spc_t, which is not confined at all.",
        example: "securityContext:\n  seLinuxOptions:\n    type: spc_t",
        fix: "Remove `seLinuxOptions` or use one of the allowed container types.",
    },
    remediation: "remove seLinuxOptions user/role and use an allowed container type",
    rule: Rule::Pod(evaluate),
};

fn problem(options: Option<&Value>, allowed: &[&str]) -> Option<String> {
    let options = options?;
    let mut parts = Vec::new();
    let kind = str_at(options, &["type"]);
    if !allowed.contains(&kind) {
        parts.push(format!("type \"{kind}\""));
    }
    for field in ["user", "role"] {
        if !str_at(options, &[field]).is_empty() {
            parts.push(format!("{field} may not be set"));
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let allowed = if input.version.minor() >= 31 { TYPES_V1_31 } else { TYPES_V1_0 };
    let mut bad = Vec::new();
    if let Some(p) = problem(input.pod.security(&["seLinuxOptions"]), allowed) {
        bad.push(format!("pod: {p}"));
    }
    for c in input.pod.containers() {
        if let Some(p) = problem(c.security(&["seLinuxOptions"]), allowed) {
            bad.push(format!("container \"{}\": {p}", c.name()));
        }
    }
    (!bad.is_empty()).then(|| format!("forbidden seLinuxOptions: {}", bad.join("; ")))
}
