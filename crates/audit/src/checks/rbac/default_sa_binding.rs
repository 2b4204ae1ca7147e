//! RBAC-DEFAULT-SA-BINDING: roles bound to a namespace's default service account.

use super::subjects;
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-DEFAULT-SA-BINDING",
    name: "rbac-default-service-account",
    summary: "Binding grants a role to a default service account",
    severity: Severity::Medium,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags bindings whose subject is a ServiceAccount named `default`.",
        why: "Every pod that names no service account runs as `default`, so the role \
              silently reaches every such pod in the namespace.",
        example: "subjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: apps",
        fix: "Create a dedicated service account for the workload that needs the role.",
    },
    remediation: "bind the role to a dedicated service account, not default",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let bad: Vec<String> = subjects(resource)
        .into_iter()
        .filter(|(kind, name, _)| *kind == "ServiceAccount" && *name == "default")
        .map(|(_, _, ns)| if ns.is_empty() { "default".into() } else { format!("{ns}/default") })
        .collect();
    (!bad.is_empty())
        .then(|| format!("binding grants its role to service account {}", bad.join(", ")))
}
