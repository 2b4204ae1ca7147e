//! HARD-DEFAULT-NAMESPACE: workloads placed in the `default` namespace.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-DEFAULT-NAMESPACE",
    name: "default-namespace",
    summary: "Workload in the default namespace",
    severity: Severity::Low,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags workloads whose `metadata.namespace` is `default`. Manifests without a \
               namespace are not flagged: the namespace is then chosen at deploy time.",
        why: "The default namespace is shared by everything that forgot to pick one, so \
              RBAC, quotas and network policies there protect nothing in particular.",
        example: "metadata:\n  name: web\n  namespace: default",
        fix: "Deploy into a dedicated namespace per application or team.",
    },
    remediation: "deploy the workload into a dedicated namespace",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    (input.resource.namespace.as_deref() == Some("default"))
        .then(|| "workload is deployed into the default namespace".to_string())
}
