//! HARD-RESOURCES: containers without CPU and memory limits.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::workload::{containers_phrase, Container};

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-RESOURCES",
    name: "missing-resource-limits",
    summary: "Container has no CPU or memory limit",
    severity: Severity::Medium,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags init and regular containers missing `resources.limits.cpu` or \
               `resources.limits.memory`, or whose requests (when set) are missing one of \
               the two. Requests default to limits, so limits alone pass.",
        why: "Without limits one compromised or runaway pod can starve the node (denial of \
              service for every neighbour).",
        example: "containers:\n  - name: app\n    image: app:1.0",
        fix: "Set `resources.limits` (and `requests`) for both cpu and memory.",
    },
    remediation: "set resources.limits.cpu and resources.limits.memory",
    rule: Rule::Pod(evaluate),
};

fn lacks(c: &Container<'_>) -> bool {
    let limit = |r: &str| c.get(&["resources", "limits", r]).is_some();
    let requests = c.get(&["resources", "requests"]).filter(|r| !r.is_empty_map());
    let request_gap = requests.is_some_and(|r| r.get("cpu").is_none() && r.get("memory").is_none());
    !limit("cpu") || !limit("memory") || request_gap
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let spec = input.pod.spec;
    let init = spec.get("initContainers").map(|v| v.items()).unwrap_or(&[]);
    let regular = spec.get("containers").map(|v| v.items()).unwrap_or(&[]);
    let bad: Vec<&str> = init
        .iter()
        .chain(regular)
        .map(|body| Container { body })
        .filter(lacks)
        .map(|c| c.name())
        .collect();
    (!bad.is_empty()).then(|| format!("{} must set cpu and memory limits", containers_phrase(&bad)))
}
