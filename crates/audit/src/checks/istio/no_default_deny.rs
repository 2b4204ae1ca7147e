//! ISTIO-NO-DEFAULT-DENY: namespaces without an allow-nothing AuthorizationPolicy.

use super::{namespace_wide, uncovered_namespaces};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::value::{str_at, Value};
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "ISTIO-NO-DEFAULT-DENY",
    name: "istio-no-default-deny",
    summary: "Namespace has workloads but no deny-by-default AuthorizationPolicy",
    severity: Severity::Medium,
    family: Family::Istio,
    pss: None,
    doc: CheckDoc {
        what: "When the input uses Istio, requires each namespace with workloads to have an \
               AuthorizationPolicy without selector, action ALLOW and no rules (allow \
               nothing), in the namespace or in istio-system.",
        why: "Without it every request that passes mTLS is allowed; policies then only add \
              exceptions to an open default.",
        example: "# namespace shop has workloads and no AuthorizationPolicy\n\
                  kind: Deployment\nmetadata:\n  name: web\n  namespace: shop",
        fix: "Add `kind: AuthorizationPolicy` with `spec: {}` to the namespace, then ALLOW \
              policies for the flows you need.",
    },
    remediation: "add an AuthorizationPolicy with an empty spec (allow nothing)",
    rule: Rule::Inventory(evaluate),
};

fn allow_nothing(policy: &Resource) -> bool {
    let action = str_at(&policy.body, &["spec", "action"]);
    let rules = policy.body.path(&["spec", "rules"]).map(Value::items).unwrap_or(&[]);
    (action.is_empty() || action == "ALLOW") && rules.is_empty()
}

fn evaluate(resources: &[Resource]) -> Vec<(usize, String)> {
    let covered =
        |ns: &str| namespace_wide(resources, "AuthorizationPolicy", ns).any(allow_nothing);
    uncovered_namespaces(resources, covered, "no deny-by-default AuthorizationPolicy")
}
