//! Per-namespace NetworkPolicy summary: who may reach each workload, and where it may go.
//!
//! This describes what the policies in the input allow, by label selector; it does not
//! resolve selectors against the labels of other namespaces (the input rarely has them).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::netpol::{has_type, matches, policies, workloads_by_namespace};
use crate::manifest::value::{str_at, Value};
use crate::manifest::{PodView, Resource};

/// What one workload may receive and send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadReach {
    /// `Kind/name` of the workload.
    pub workload: String,
    /// Allowed sources: `anything` when no policy isolates it, `nothing` when isolated
    /// with no rule, else one entry per peer and port set.
    pub ingress: Vec<String>,
    /// Allowed destinations, in the same form.
    pub egress: Vec<String>,
}

/// The summary of one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceReach {
    /// Namespace name.
    pub namespace: String,
    /// Each workload of the namespace in input order.
    pub workloads: Vec<WorkloadReach>,
}

/// Summarises every namespace with workloads.
pub fn summarise(resources: &[Resource]) -> Vec<NamespaceReach> {
    let mut out = Vec::new();
    for (ns, indexes) in workloads_by_namespace(resources) {
        let workloads = indexes
            .iter()
            .filter_map(|i| resources.get(*i))
            .filter_map(|r| Some(reach_of(resources, r, PodView::of(r)?)))
            .collect();
        out.push(NamespaceReach { namespace: ns.to_string(), workloads });
    }
    out
}

fn reach_of(resources: &[Resource], workload: &Resource, pod: PodView<'_>) -> WorkloadReach {
    let labels = pod.labels();
    let ns = workload.effective_namespace();
    let selecting: Vec<&Resource> = policies(resources, ns)
        .filter(|p| matches(p.body.path(&["spec", "podSelector"]), &labels))
        .collect();
    WorkloadReach {
        workload: format!("{}/{}", workload.kind, workload.name),
        ingress: direction(&selecting, "Ingress", "ingress", "from"),
        egress: direction(&selecting, "Egress", "egress", "to"),
    }
}

fn direction(selecting: &[&Resource], kind: &str, key: &str, peer_key: &str) -> Vec<String> {
    let isolating: Vec<&&Resource> = selecting.iter().filter(|p| has_type(p, kind)).collect();
    if isolating.is_empty() {
        return vec!["anything".to_string()];
    }
    let mut allowed = BTreeMap::new();
    for policy in isolating {
        for rule in policy.body.path(&["spec", key]).map(Value::items).unwrap_or(&[]) {
            let ports = ports_text(rule.get("ports"));
            let peers = rule.get(peer_key).map(Value::items).unwrap_or(&[]);
            if peers.is_empty() {
                allowed.insert(format!("any peer{ports}"), ());
            }
            for peer in peers {
                allowed.insert(format!("{}{ports}", peer_text(peer)), ());
            }
        }
    }
    if allowed.is_empty() {
        return vec!["nothing".to_string()];
    }
    allowed.into_keys().collect()
}

fn selector_text(selector: &Value) -> String {
    let mut parts: Vec<String> = selector
        .get("matchLabels")
        .map(Value::entries)
        .unwrap_or(&[])
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("?")))
        .collect();
    for e in selector.get("matchExpressions").map(Value::items).unwrap_or(&[]) {
        parts.push(format!("{} {}", str_at(e, &["key"]), str_at(e, &["operator"])));
    }
    if parts.is_empty() {
        "all".to_string()
    } else {
        parts.join(",")
    }
}

fn peer_text(peer: &Value) -> String {
    if let Some(block) = peer.get("ipBlock") {
        return format!("ipBlock {}", str_at(block, &["cidr"]));
    }
    let pods = peer.get("podSelector").map(selector_text);
    match (peer.get("namespaceSelector").map(selector_text), pods) {
        (Some(ns), Some(pods)) => format!("pods [{pods}] in namespaces [{ns}]"),
        (Some(ns), None) => format!("namespaces [{ns}]"),
        (None, Some(pods)) => format!("pods [{pods}] in this namespace"),
        (None, None) => "any peer".to_string(),
    }
}

fn ports_text(ports: Option<&Value>) -> String {
    let list: Vec<String> = ports
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .map(|p| {
            let port = match p.get("port") {
                Some(Value::Int(n)) => n.to_string(),
                Some(Value::Str(s)) => s.clone(),
                _ => "any".to_string(),
            };
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            format!("{port}/{protocol}")
        })
        .collect();
    if list.is_empty() {
        String::new()
    } else {
        format!(" on {}", list.join(", "))
    }
}

/// Renders the summary as indented text.
pub fn render_text(summary: &[NamespaceReach]) -> String {
    let mut out = String::new();
    for ns in summary {
        out.push_str(&format!("namespace {}\n", ns.namespace));
        for w in &ns.workloads {
            out.push_str(&format!(
                "  {}\n    ingress from: {}\n    egress to:    {}\n",
                w.workload,
                w.ingress.join("; "),
                w.egress.join("; ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{load_str, Limits};

    #[test]
    fn summarises_selectors_peers_and_ports() {
        let text = [
            "apiVersion: v1",
            "kind: Pod",
            "metadata: {name: web, namespace: shop, labels: {app: web}}",
            "spec: {containers: [{name: c, image: c:1}]}",
            "---",
            "apiVersion: v1",
            "kind: Pod",
            "metadata: {name: job, namespace: shop}",
            "spec: {containers: [{name: c, image: c:1}]}",
            "---",
            "apiVersion: networking.k8s.io/v1",
            "kind: NetworkPolicy",
            "metadata: {name: web, namespace: shop}",
            "spec:",
            "  podSelector: {matchLabels: {app: web}}",
            "  policyTypes: [Ingress, Egress]",
            "  ingress:",
            "    - from: [{namespaceSelector: {matchLabels: {team: edge}}}]",
            "      ports: [{port: 8080}]",
        ]
        .join("\n");
        let loaded = load_str("t.yaml", &text, &Limits::default());
        let summary = summarise(&loaded.resources);
        assert_eq!(summary.len(), 1);
        let web = &summary[0].workloads[0];
        assert_eq!(web.ingress, vec!["namespaces [team=edge] on 8080/TCP".to_string()]);
        assert_eq!(web.egress, vec!["nothing".to_string()]);
        let job = &summary[0].workloads[1];
        assert_eq!(job.ingress, vec!["anything".to_string()]);
    }
}
