//! PSS-BASE-HOSTPORTS: container ports bound on the node.

use std::collections::BTreeSet;

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::Value;
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-HOSTPORTS",
    name: "host-ports",
    summary: "Container binds a host port",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "hostPorts",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags containers with a non-zero `ports[*].hostPort`.",
        why: "Host ports bypass NetworkPolicy-aware Services, expose the pod on every node \
              address and limit scheduling.",
        example: "ports:\n  - containerPort: 8080\n    hostPort: 8080",
        fix: "Remove `hostPort` and expose the pod through a Service.",
    },
    remediation: "remove hostPort from container ports; use a Service",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let mut names = Vec::new();
    let mut ports = BTreeSet::new();
    for container in input.pod.containers() {
        let declared = container.get(&["ports"]).map(Value::items).unwrap_or(&[]);
        let used: Vec<i64> = declared
            .iter()
            .filter_map(|p| p.get("hostPort")?.as_i64())
            .filter(|p| *p != 0)
            .collect();
        if !used.is_empty() {
            names.push(container.name());
            ports.extend(used);
        }
    }
    let list: Vec<String> = ports.iter().map(i64::to_string).collect();
    (!names.is_empty())
        .then(|| format!("hostPort {} set by {}", list.join(", "), containers_phrase(&names)))
}
