//! NetworkPolicy coverage: default deny, unselected workloads, allow-all rules.
//!
//! These checks look at every input resource together, namespace by namespace; a
//! namespace counts when a workload in the input lives there.

pub mod allow_all;
pub mod egress_open;
pub mod no_default_deny_egress;
pub mod no_default_deny_ingress;
pub mod unselected_workload;

use std::collections::BTreeMap;

use crate::manifest::value::{str_at, Value};
use crate::manifest::{PodView, Resource};

/// Workload indexes grouped by effective namespace.
pub(crate) fn workloads_by_namespace(resources: &[Resource]) -> BTreeMap<&str, Vec<usize>> {
    let mut map: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        if PodView::of(r).is_some() {
            map.entry(r.effective_namespace()).or_default().push(i);
        }
    }
    map
}

/// The resource a namespace-level finding points at: its Namespace object, else the
/// first workload.
pub(crate) fn anchor(resources: &[Resource], namespace: &str, workloads: &[usize]) -> usize {
    let object = resources.iter().position(|r| r.kind == "Namespace" && r.name == namespace);
    object.or(workloads.first().copied()).unwrap_or(0)
}

/// NetworkPolicies of a namespace.
pub(crate) fn policies<'a>(
    resources: &'a [Resource],
    namespace: &'a str,
) -> impl Iterator<Item = &'a Resource> {
    resources
        .iter()
        .filter(move |r| r.kind == "NetworkPolicy" && r.effective_namespace() == namespace)
}

/// Whether the policy isolates its pods for `direction` ("Ingress" or "Egress").
pub(crate) fn has_type(policy: &Resource, direction: &str) -> bool {
    let types = policy.body.path(&["spec", "policyTypes"]).map(Value::items).unwrap_or(&[]);
    if !types.is_empty() {
        return types.iter().any(|t| t.as_str() == Some(direction));
    }
    direction == "Ingress" || policy.body.path(&["spec", "egress"]).is_some()
}

/// The rules of a policy in one direction: `ingress` or `egress`.
pub(crate) fn rules<'a>(policy: &'a Resource, key: &str) -> &'a [Value] {
    policy.body.path(&["spec", key]).map(Value::items).unwrap_or(&[])
}

/// A selector that matches everything (absent or `{}`).
pub(crate) fn selects_all(selector: Option<&Value>) -> bool {
    selector.is_none_or(|s| {
        s.entries().iter().all(|(_, v)| v.items().is_empty() && v.entries().is_empty())
    })
}

/// Whether a label selector matches a label set.
pub(crate) fn matches(selector: Option<&Value>, labels: &[(&str, &str)]) -> bool {
    let Some(selector) = selector else { return true };
    let label = |key: &str| labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let equal = selector
        .get("matchLabels")
        .map(Value::entries)
        .unwrap_or(&[])
        .iter()
        .all(|(k, v)| label(k).is_some() && label(k) == v.as_str());
    let expressions = selector.get("matchExpressions").map(Value::items).unwrap_or(&[]);
    equal && expressions.iter().all(|e| expression(e, label(str_at(e, &["key"]))))
}

fn expression(expr: &Value, value: Option<&str>) -> bool {
    let values: Vec<&str> = expr
        .get("values")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    match str_at(expr, &["operator"]) {
        "In" => value.is_some_and(|v| values.contains(&v)),
        "NotIn" => value.is_none_or(|v| !values.contains(&v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        _ => false,
    }
}

/// A peer list that admits any source or destination: absent, empty, or with a peer
/// that is `0.0.0.0/0`, `::/0` or every pod of every namespace.
pub(crate) fn open_peers(peers: Option<&Value>) -> bool {
    let Some(peers) = peers else { return true };
    let list = peers.items();
    list.is_empty() || list.iter().any(open_peer)
}

fn open_peer(peer: &Value) -> bool {
    let cidr = str_at(peer, &["ipBlock", "cidr"]);
    let no_except = peer.path(&["ipBlock", "except"]).map(Value::items).unwrap_or(&[]).is_empty();
    let any_ip = (cidr == "0.0.0.0/0" || cidr == "::/0") && no_except;
    let any_namespace = peer.get("namespaceSelector").is_some_and(|s| selects_all(Some(s)))
        && selects_all(peer.get("podSelector"));
    any_ip || any_namespace
}

/// Every namespace with workloads that no default-deny policy covers in `direction`.
pub(crate) fn missing_default_deny(
    resources: &[Resource],
    direction: &str,
) -> Vec<(usize, String)> {
    let key = direction.to_ascii_lowercase();
    let mut out = Vec::new();
    for (ns, workloads) in workloads_by_namespace(resources) {
        let covered = policies(resources, ns).any(|p| {
            selects_all(p.body.path(&["spec", "podSelector"]))
                && has_type(p, direction)
                && !rules(p, &key).iter().any(|r| {
                    open_peers(r.get(if key == "ingress" { "from" } else { "to" }))
                        && r.get("ports").is_none()
                })
        });
        if !covered {
            let message =
                format!("namespace \"{ns}\" has workloads but no default-deny {key} NetworkPolicy");
            out.push((anchor(resources, ns, &workloads), message));
        }
    }
    out
}
