//! RBAC-ANONYMOUS-BINDING: bindings to unauthenticated users.

use super::subjects;
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-ANONYMOUS-BINDING",
    name: "rbac-anonymous-binding",
    summary: "Binding grants a role to anonymous or unauthenticated users",
    severity: Severity::Critical,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags RoleBindings and ClusterRoleBindings with subject user \
               `system:anonymous` or group `system:unauthenticated`.",
        why: "Anyone who can reach the API server gets the role, without credentials.",
        example: "subjects:\n  - kind: Group\n    name: system:unauthenticated",
        fix: "Remove the subject; bind to named users, groups or service accounts.",
    },
    remediation: "remove system:anonymous and system:unauthenticated subjects",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let bad: Vec<&str> = subjects(resource)
        .into_iter()
        .filter(|(_, name, _)| matches!(*name, "system:anonymous" | "system:unauthenticated"))
        .map(|(_, name, _)| name)
        .collect();
    (!bad.is_empty()).then(|| format!("binding grants its role to {}", bad.join(", ")))
}
