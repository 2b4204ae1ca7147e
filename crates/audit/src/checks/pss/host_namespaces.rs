//! PSS-BASE-HOSTNAMESPACES: sharing the host's network, PID or IPC namespace.

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::is_true;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-HOSTNAMESPACES",
    name: "host-namespaces",
    summary: "Pod shares the host network, PID or IPC namespace",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "hostNamespaces",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags pods with `hostNetwork`, `hostPID` or `hostIPC` set to true.",
        why: "A pod in the host's namespaces sees the node's network interfaces, every \
              process or shared memory on the node, and can sniff or signal them.",
        example: "spec:\n  hostNetwork: true",
        fix: "Remove `hostNetwork`, `hostPID` and `hostIPC`, or set them to false.",
    },
    remediation: "set spec.hostNetwork, spec.hostPID and spec.hostIPC to false",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let shared: Vec<&str> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|key| is_true(input.pod.spec.get(key)))
        .collect();
    (!shared.is_empty()).then(|| format!("pod sets {}=true", shared.join("=true, ")))
}
