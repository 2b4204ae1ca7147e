//! RBAC-EXEC: pods/exec and pods/attach.

use super::{matching, rules_phrase};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-EXEC",
    name: "rbac-pod-exec",
    summary: "Role can exec or attach into pods",
    severity: Severity::High,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags rules granting `create` or `get` on `pods/exec` or `pods/attach`.",
        why: "Exec runs commands inside any pod the role reaches, with that pod's service \
              account, secrets and network position.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"pods/exec\"]\n    \
                  verbs: [\"create\"]",
        fix: "Remove exec and attach; use logs and debugging tools with audit instead.",
    },
    remediation: "remove pods/exec and pods/attach from the role",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let hits = matching(resource, |r| {
        ["pods/exec", "pods/attach"].iter().any(|res| r.resource("", res))
            && (r.verb("create") || r.verb("get"))
    });
    (!hits.is_empty()).then(|| format!("{}: exec or attach into pods", rules_phrase(&hits)))
}
