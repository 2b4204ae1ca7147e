//! ISTIO-AUTHZ-ALLOW-ALL: AuthorizationPolicies with an empty (match-all) rule.

use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::value::{str_at, Value};
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "ISTIO-AUTHZ-ALLOW-ALL",
    name: "istio-authorization-allow-all",
    summary: "AuthorizationPolicy allows every request",
    severity: Severity::High,
    family: Family::Istio,
    pss: None,
    doc: CheckDoc {
        what: "Flags ALLOW AuthorizationPolicies (the default action) with a rule that has \
               no `from`, `to` or `when`: it matches every request.",
        why: "An empty rule allows all callers to all paths, overriding any default-deny \
              for the selected workloads.",
        example: "kind: AuthorizationPolicy\nspec:\n  rules:\n    - {}",
        fix: "Give each rule a `from` (principals or namespaces) and a `to` (methods, paths).",
    },
    remediation: "add from/to conditions to every rule",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    if resource.kind != "AuthorizationPolicy" || resource.api_group() != "security.istio.io" {
        return None;
    }
    let action = str_at(&resource.body, &["spec", "action"]);
    let rules = resource.body.path(&["spec", "rules"]).map(Value::items).unwrap_or(&[]);
    let empty = rules.iter().any(|r| {
        ["from", "to", "when"].iter().all(|k| r.get(k).is_none_or(|v| v.items().is_empty()))
    });
    ((action.is_empty() || action == "ALLOW") && empty)
        .then(|| "AuthorizationPolicy has an empty rule that allows every request".to_string())
}
