//! PSS-RESTR-CAPABILITIES: containers must drop ALL and add at most NET_BIND_SERVICE.

use std::collections::BTreeSet;

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::Value;
use crate::manifest::workload::{containers_phrase, quoted_list, Container};

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-CAPABILITIES",
    name: "capabilities-drop-all",
    summary: "Container does not drop ALL capabilities or adds more than NET_BIND_SERVICE",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "capabilities_restricted",
        versions: &[22, 25],
        overrides: Some("capabilities_baseline"),
    }),
    doc: CheckDoc {
        what: "Requires every container to list `ALL` in `capabilities.drop` and to add \
               nothing but NET_BIND_SERVICE. From v1.22; from v1.25 Windows pods are \
               exempt. Replaces PSS-BASE-CAPABILITIES at the restricted level.",
        why: "The runtime's default capabilities (NET_RAW, CHOWN, SETUID ...) are more than \
              most services need, and each is a step toward escalation.",
        example: "securityContext:\n  capabilities:\n    add: [\"NET_ADMIN\"]",
        fix: "Set `capabilities: {drop: [\"ALL\"]}` and add back only NET_BIND_SERVICE.",
    },
    remediation: "set securityContext.capabilities.drop: [\"ALL\"]; add only NET_BIND_SERVICE",
    rule: Rule::Pod(evaluate),
};

fn list<'a>(c: &Container<'a>, key: &str) -> impl Iterator<Item = &'a str> {
    c.security(&["capabilities", key])
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    if input.version.minor() >= 25 && input.pod.is_windows() {
        return None;
    }
    let mut no_drop = Vec::new();
    let mut adders = Vec::new();
    let mut added = BTreeSet::new();
    for c in input.pod.containers() {
        if !list(&c, "drop").any(|cap| cap == "ALL") {
            no_drop.push(c.name());
        }
        let extra: Vec<&str> = list(&c, "add").filter(|cap| *cap != "NET_BIND_SERVICE").collect();
        if !extra.is_empty() {
            adders.push(c.name());
            added.extend(extra);
        }
    }
    let mut parts = Vec::new();
    if !no_drop.is_empty() {
        parts.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&no_drop)
        ));
    }
    if !adders.is_empty() {
        parts.push(format!("{} must not add {}", containers_phrase(&adders), quoted_list(added)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
