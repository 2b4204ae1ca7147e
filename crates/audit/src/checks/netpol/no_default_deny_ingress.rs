//! NETPOL-NO-DEFAULT-DENY-INGRESS: namespaces without a default-deny ingress policy.

use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "NETPOL-NO-DEFAULT-DENY-INGRESS",
    name: "netpol-no-default-deny-ingress",
    summary: "Namespace has workloads but no default-deny ingress policy",
    severity: Severity::Medium,
    family: Family::NetworkPolicy,
    pss: None,
    doc: CheckDoc {
        what: "For each namespace with workloads in the input, requires a NetworkPolicy with \
               an empty `podSelector`, `Ingress` in its policy types and no rule that admits \
               everything. The finding points at the Namespace object when the input has \
               one, else at the namespace's first workload.",
        why: "Pods accept traffic from every pod in the cluster until a policy selects them; \
              one compromised pod can then reach every service.",
        example: "# a namespace with a Deployment and no NetworkPolicy\n\
                  kind: Deployment\nmetadata:\n  name: web\n  namespace: shop",
        fix: "Add `kind: NetworkPolicy` with `podSelector: {}` and `policyTypes: [Ingress]`, \
              then allow the flows you need.",
    },
    remediation: "add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress]",
    rule: Rule::Inventory(evaluate),
};

fn evaluate(resources: &[Resource]) -> Vec<(usize, String)> {
    super::missing_default_deny(resources, "Ingress")
}
