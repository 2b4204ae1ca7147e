//! ISTIO-PEERAUTH-MISSING: namespaces not covered by a STRICT PeerAuthentication.

use super::{mtls_mode, namespace_wide, uncovered_namespaces};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "ISTIO-PEERAUTH-MISSING",
    name: "istio-peerauthentication-missing",
    summary: "Namespace has workloads but no STRICT PeerAuthentication",
    severity: Severity::High,
    family: Family::Istio,
    pss: None,
    doc: CheckDoc {
        what: "When the input uses Istio, requires each namespace with workloads to be \
               covered by a PeerAuthentication without selector and with mode STRICT, in \
               the namespace or mesh-wide in istio-system.",
        why: "Istio's default is PERMISSIVE: plain-text traffic is still accepted, so any \
              pod can talk to the workload without an identity.",
        example: "# namespace shop has workloads and no PeerAuthentication\n\
                  kind: Deployment\nmetadata:\n  name: web\n  namespace: shop",
        fix: "Add `kind: PeerAuthentication` with `spec.mtls.mode: STRICT` to the namespace \
              or to istio-system.",
    },
    remediation: "add a PeerAuthentication with spec.mtls.mode: STRICT",
    rule: Rule::Inventory(evaluate),
};

fn evaluate(resources: &[Resource]) -> Vec<(usize, String)> {
    let covered = |ns: &str| {
        namespace_wide(resources, "PeerAuthentication", ns).any(|p| mtls_mode(p) == "STRICT")
    };
    uncovered_namespaces(resources, covered, "no STRICT PeerAuthentication covers it")
}
