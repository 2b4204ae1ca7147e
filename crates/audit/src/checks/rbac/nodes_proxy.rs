//! RBAC-NODES-PROXY: access to the kubelet API through nodes/proxy.

use super::{matching, rules_phrase};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-NODES-PROXY",
    name: "rbac-nodes-proxy",
    summary: "Role can reach the kubelet API through nodes/proxy",
    severity: Severity::Critical,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags rules granting any verb on `nodes/proxy`.",
        why: "nodes/proxy reaches the kubelet API, which runs commands in any pod on the \
              node and bypasses API server audit and admission.",
        example:
            "rules:\n  - apiGroups: [\"\"]\n    resources: [\"nodes/proxy\"]\n    verbs: [\"get\"]",
        fix: "Remove nodes/proxy; use the metrics API for node metrics.",
    },
    remediation: "remove nodes/proxy from the role",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let hits = matching(resource, |r| r.resource("", "nodes/proxy"));
    (!hits.is_empty()).then(|| format!("{}: access to nodes/proxy", rules_phrase(&hits)))
}
