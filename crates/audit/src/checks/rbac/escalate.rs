//! RBAC-ESCALATE: escalate, bind or impersonate.

use super::rules;
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-ESCALATE",
    name: "rbac-escalate-bind-impersonate",
    summary: "Role grants escalate, bind or impersonate",
    severity: Severity::Critical,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags roles granting the `escalate`, `bind` or `impersonate` verbs (directly \
               or through `*`).",
        why: "escalate and bind let a subject grant itself any permission; impersonate lets \
              it act as any user, group or service account. Each is equivalent to admin.",
        example: "rules:\n  - apiGroups: [\"rbac.authorization.k8s.io\"]\n    \
                  resources: [\"clusterroles\"]\n    verbs: [\"bind\"]",
        fix: "Remove these verbs; grant them only to cluster administrators.",
    },
    remediation: "remove escalate, bind and impersonate from the role",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let rules = rules(resource);
    let found: Vec<&str> = ["escalate", "bind", "impersonate"]
        .into_iter()
        .filter(|v| rules.iter().any(|r| r.verb(v)))
        .collect();
    (!found.is_empty()).then(|| format!("role grants {}", found.join(", ")))
}
