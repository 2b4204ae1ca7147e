//! NETPOL-EGRESS-OPEN: egress to any destination beyond DNS.

use super::{open_peers, rules};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::value::Value;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "NETPOL-EGRESS-OPEN",
    name: "netpol-egress-beyond-dns",
    summary: "Egress to any destination on ports other than DNS",
    severity: Severity::Medium,
    family: Family::NetworkPolicy,
    pss: None,
    doc: CheckDoc {
        what: "Flags egress rules that allow every destination (no `to`, or an open peer) \
               on listed ports other than 53. Rules with no ports at all are reported by \
               NETPOL-ALLOW-ALL.",
        why: "Open egress on e.g. 443 is enough to exfiltrate data or fetch a second stage; \
              only DNS usually needs to go anywhere.",
        example: "egress:\n  - ports:\n      - port: 443",
        fix: "Add `to` peers (CIDRs or selectors) to every egress rule but DNS.",
    },
    remediation: "restrict egress destinations; leave only DNS (port 53) open",
    rule: Rule::Resource(evaluate),
};

fn beyond_dns(ports: &Value) -> bool {
    ports.items().iter().any(|p| match p.get("port") {
        Some(Value::Int(53)) => false,
        Some(Value::Str(name)) => name != "dns" && name != "dns-tcp" && name != "53",
        _ => true,
    })
}

fn evaluate(resource: &Resource) -> Option<String> {
    if resource.kind != "NetworkPolicy" {
        return None;
    }
    let open = rules(resource, "egress")
        .iter()
        .any(|r| open_peers(r.get("to")) && r.get("ports").is_some_and(beyond_dns));
    open.then(|| "egress rule allows any destination on ports other than DNS".to_string())
}
