//! RBAC-SECRETS-READ: get, list or watch on secrets.

use super::{matching, rules_phrase};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-SECRETS-READ",
    name: "rbac-read-secrets",
    summary: "Role can read secrets",
    severity: Severity::High,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags rules granting `get`, `list` or `watch` on `secrets` in the core API \
               group.",
        why: "Secrets hold credentials and service account tokens; `list` alone returns \
              every value in the namespace (or cluster, for a ClusterRole).",
        example:
            "rules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    verbs: [\"list\"]",
        fix: "Grant `get` on named secrets only (`resourceNames`), or mount them instead.",
    },
    remediation: "drop read access to secrets or restrict it with resourceNames",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let hits = matching(resource, |r| {
        r.resource("", "secrets") && ["get", "list", "watch"].iter().any(|v| r.verb(v))
    });
    (!hits.is_empty()).then(|| format!("{}: read access to secrets", rules_phrase(&hits)))
}
