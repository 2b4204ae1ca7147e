//! HARD-HOST-ALIASES: pods that rewrite /etc/hosts.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::value::Value;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-HOST-ALIASES",
    name: "host-aliases",
    summary: "Pod overrides name resolution with hostAliases",
    severity: Severity::Low,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags pods with a non-empty `spec.hostAliases`.",
        why: "hostAliases pin names to addresses in /etc/hosts, bypassing DNS and service \
              discovery; it can silently redirect traffic meant for another service.",
        example: "hostAliases:\n  - ip: 10.0.0.5\n    hostnames: [\"api.internal\"]",
        fix: "Remove `hostAliases`; use a Service or DNS record.",
    },
    remediation: "remove spec.hostAliases and use a Service or DNS",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let aliases = input.pod.spec.get("hostAliases").map(Value::items).unwrap_or(&[]);
    (!aliases.is_empty()).then(|| format!("pod sets {} hostAliases entries", aliases.len()))
}
