//! RBAC-CLUSTER-ADMIN-BINDING: bindings to cluster-admin.

use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::value::str_at;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-CLUSTER-ADMIN-BINDING",
    name: "rbac-cluster-admin-binding",
    summary: "Binding grants cluster-admin",
    severity: Severity::High,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags RoleBindings and ClusterRoleBindings whose `roleRef` is the ClusterRole \
               `cluster-admin`.",
        why: "cluster-admin is unrestricted superuser access; applications and CI should \
              never need it.",
        example: "roleRef:\n  kind: ClusterRole\n  name: cluster-admin",
        fix: "Bind a role with only the permissions needed.",
    },
    remediation: "bind a least-privilege role instead of cluster-admin",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let binding = matches!(resource.kind.as_str(), "RoleBinding" | "ClusterRoleBinding");
    let body = &resource.body;
    let admin = str_at(body, &["roleRef", "kind"]) == "ClusterRole"
        && str_at(body, &["roleRef", "name"]) == "cluster-admin";
    (binding && admin).then(|| "binding grants the cluster-admin ClusterRole".to_string())
}
