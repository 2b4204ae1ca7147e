//! Istio: mTLS (PeerAuthentication) and authorization (AuthorizationPolicy).
//!
//! Namespace-level Istio checks run only when the input contains Istio resources, so
//! clusters without a mesh get no mesh findings.

pub mod authz_allow_all;
pub mod no_default_deny;
pub mod peerauth_missing;
pub mod peerauth_not_strict;

use crate::checks::netpol::{anchor, workloads_by_namespace};
use crate::manifest::value::{str_at, Value};
use crate::manifest::Resource;

/// The mesh root namespace, whose policies without a selector apply mesh-wide.
pub(crate) const ROOT_NAMESPACE: &str = "istio-system";

/// The input uses Istio (any `*.istio.io` API group).
pub(crate) fn mesh_in_use(resources: &[Resource]) -> bool {
    resources.iter().any(|r| r.api_group().ends_with(".istio.io"))
}

/// Istio resources of `kind` that apply to a whole namespace (no selector) in `namespace`
/// or mesh-wide.
pub(crate) fn namespace_wide<'a>(
    resources: &'a [Resource],
    kind: &'a str,
    namespace: &'a str,
) -> impl Iterator<Item = &'a Resource> {
    resources.iter().filter(move |r| {
        let ns = r.effective_namespace();
        r.kind == kind
            && r.api_group() == "security.istio.io"
            && (ns == namespace || ns == ROOT_NAMESPACE)
            && r.body.path(&["spec", "selector"]).is_none_or(Value::is_empty_map)
    })
}

/// The mTLS mode a PeerAuthentication sets (`UNSET` when absent).
pub(crate) fn mtls_mode(policy: &Resource) -> &str {
    match str_at(&policy.body, &["spec", "mtls", "mode"]) {
        "" => "UNSET",
        mode => mode,
    }
}

/// Namespaces with workloads that `covered` rejects, as namespace-level findings.
pub(crate) fn uncovered_namespaces(
    resources: &[Resource],
    covered: impl Fn(&str) -> bool,
    what: &str,
) -> Vec<(usize, String)> {
    if !mesh_in_use(resources) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (ns, workloads) in workloads_by_namespace(resources) {
        if !covered(ns) {
            out.push((
                anchor(resources, ns, &workloads),
                format!("namespace \"{ns}\" has workloads but {what}"),
            ));
        }
    }
    out
}
