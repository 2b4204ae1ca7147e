//! NETPOL-NO-DEFAULT-DENY-EGRESS: namespaces without a default-deny egress policy.

use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "NETPOL-NO-DEFAULT-DENY-EGRESS",
    name: "netpol-no-default-deny-egress",
    summary: "Namespace has workloads but no default-deny egress policy",
    severity: Severity::Medium,
    family: Family::NetworkPolicy,
    pss: None,
    doc: CheckDoc {
        what: "For each namespace with workloads, requires a NetworkPolicy with an empty \
               `podSelector`, `Egress` in its policy types and no rule that admits every \
               destination on every port.",
        why: "Unrestricted egress lets a compromised pod exfiltrate data, reach cloud \
              metadata endpoints and pivot to any internal service.",
        example: "# a namespace with a Deployment and no egress policy\n\
                  kind: Deployment\nmetadata:\n  name: web\n  namespace: shop",
        fix: "Add a policy with `podSelector: {}` and `policyTypes: [Egress]` that allows DNS \
              and the destinations you need.",
    },
    remediation: "add a NetworkPolicy with podSelector: {} and policyTypes: [Egress]",
    rule: Rule::Inventory(evaluate),
};

fn evaluate(resources: &[Resource]) -> Vec<(usize, String)> {
    super::missing_default_deny(resources, "Egress")
}
