//! RBAC-WILDCARD: `*` in verbs, resources or apiGroups.

use super::{matching, rules_phrase};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-WILDCARD",
    name: "rbac-wildcard",
    summary: "Role grants wildcard verbs, resources or API groups",
    severity: Severity::High,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags Role and ClusterRole rules with `*` in `verbs`, `resources` or \
               `apiGroups`.",
        why: "A wildcard grants every present and future verb or resource, including ones \
              added by CRDs later; least privilege becomes impossible to review.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"*\"]\n    verbs: [\"get\"]",
        fix: "List the exact API groups, resources and verbs needed.",
    },
    remediation: "replace * with the exact verbs, resources and API groups needed",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let hits =
        matching(resource, |r| ["verbs", "resources", "apiGroups"].iter().any(|k| r.wildcard(k)));
    (!hits.is_empty())
        .then(|| format!("{}: * in verbs, resources or apiGroups", rules_phrase(&hits)))
}
