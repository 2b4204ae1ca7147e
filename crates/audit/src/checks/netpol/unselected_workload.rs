//! NETPOL-UNSELECTED-WORKLOAD: workloads that no NetworkPolicy selects.

use super::{matches, policies};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::{PodView, Resource};

/// The check.
pub static CHECK: Check = Check {
    id: "NETPOL-UNSELECTED-WORKLOAD",
    name: "netpol-unselected-workload",
    summary: "Workload is selected by no NetworkPolicy",
    severity: Severity::Low,
    family: Family::NetworkPolicy,
    pss: None,
    doc: CheckDoc {
        what: "Flags workloads whose pod labels match the `podSelector` of no NetworkPolicy \
               in their namespace (matchLabels and matchExpressions are evaluated).",
        why: "A pod no policy selects is not isolated at all: every flow to and from it is \
              allowed.",
        example: "# policy selects app=api, the workload is app=web\n\
                  kind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels: {app: api}",
        fix: "Add a default-deny policy for the namespace or a policy selecting the \
              workload's labels.",
    },
    remediation: "select the workload with a NetworkPolicy (a default-deny covers all pods)",
    rule: Rule::Inventory(evaluate),
};

fn evaluate(resources: &[Resource]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let Some(pod) = PodView::of(r) else { continue };
        let labels = pod.labels();
        let ns = r.effective_namespace();
        if !policies(resources, ns).any(|p| matches(p.body.path(&["spec", "podSelector"]), &labels))
        {
            out.push((i, "no NetworkPolicy selects this workload's pods".to_string()));
        }
    }
    out
}
