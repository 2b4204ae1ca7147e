//! NETPOL-ALLOW-ALL: policy rules that admit every peer on every port.

use super::{open_peers, rules};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "NETPOL-ALLOW-ALL",
    name: "netpol-allow-all",
    summary: "NetworkPolicy rule allows all traffic",
    severity: Severity::High,
    family: Family::NetworkPolicy,
    pss: None,
    doc: CheckDoc {
        what: "Flags ingress rules with no `from` restriction and egress rules with no `to` \
               restriction (absent, empty, `0.0.0.0/0`, `::/0` without except, or \
               `namespaceSelector: {}`) that also have no `ports`.",
        why: "Such a rule cancels every other policy on the selected pods for that \
              direction: it looks like isolation but allows everything.",
        example: "spec:\n  podSelector: {}\n  ingress:\n    - {}",
        fix: "Name the peers (podSelector/namespaceSelector) and ports that need access.",
    },
    remediation: "restrict the rule to named peers and ports",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    if resource.kind != "NetworkPolicy" {
        return None;
    }
    let mut open = Vec::new();
    for (key, peer) in [("ingress", "from"), ("egress", "to")] {
        let wide = rules(resource, key)
            .iter()
            .any(|r| open_peers(r.get(peer)) && r.get("ports").is_none());
        if wide {
            open.push(key);
        }
    }
    (!open.is_empty()).then(|| format!("{} rules allow all peers on all ports", open.join(" and ")))
}
