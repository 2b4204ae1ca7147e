//! PSS-BASE-CAPABILITIES: capabilities added beyond the container runtime's default set.

use std::collections::BTreeSet;

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::Value;
use crate::manifest::workload::{containers_phrase, quoted_list};

/// Capabilities the baseline level lets a container add.
const DEFAULT_SET: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-CAPABILITIES",
    name: "non-default-capabilities",
    summary: "Container adds capabilities beyond the default set",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "capabilities_baseline",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags containers whose `securityContext.capabilities.add` lists a capability \
               outside the runtime default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, \
               FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, \
               SYS_CHROOT).",
        why: "Capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE give kernel powers that \
              lead out of the container.",
        example: "securityContext:\n  capabilities:\n    add: [\"SYS_ADMIN\"]",
        fix: "Remove the extra capabilities from `capabilities.add`.",
    },
    remediation: "add no capability outside the default set to securityContext.capabilities.add",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let mut names = Vec::new();
    let mut caps = BTreeSet::new();
    for container in input.pod.containers() {
        let added = container.security(&["capabilities", "add"]).map(Value::items).unwrap_or(&[]);
        let extra: Vec<&str> = added
            .iter()
            .filter_map(Value::as_str)
            .filter(|cap| !DEFAULT_SET.contains(cap))
            .collect();
        if !extra.is_empty() {
            names.push(container.name());
            caps.extend(extra);
        }
    }
    (!names.is_empty()).then(|| {
        let phrase = containers_phrase(&names);
        format!("{phrase} must not add {} (securityContext.capabilities.add)", quoted_list(caps))
    })
}
