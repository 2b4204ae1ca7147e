//! ISTIO-PEERAUTH-NOT-STRICT: PeerAuthentications that accept plain text.

use super::mtls_mode;
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::value::{str_at, Value};
use crate::manifest::Resource;

/// The check.
pub static CHECK: Check = Check {
    id: "ISTIO-PEERAUTH-NOT-STRICT",
    name: "istio-peerauthentication-not-strict",
    summary: "PeerAuthentication allows plain-text traffic",
    severity: Severity::High,
    family: Family::Istio,
    pss: None,
    doc: CheckDoc {
        what: "Flags PeerAuthentications whose `mtls.mode` or any `portLevelMtls` mode is \
               PERMISSIVE or DISABLE.",
        why: "PERMISSIVE and DISABLE accept connections without a client certificate, so \
              identity-based authorization cannot hold.",
        example: "kind: PeerAuthentication\nspec:\n  mtls:\n    mode: PERMISSIVE",
        fix: "Set `mode: STRICT` once every client has a sidecar.",
    },
    remediation: "set spec.mtls.mode (and port-level modes) to STRICT",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    if resource.kind != "PeerAuthentication" {
        return None;
    }
    let weak = |mode: &str| matches!(mode, "PERMISSIVE" | "DISABLE");
    let mut bad = Vec::new();
    if weak(mtls_mode(resource)) {
        bad.push(format!("mode {}", mtls_mode(resource)));
    }
    let ports = resource.body.path(&["spec", "portLevelMtls"]).map(Value::entries).unwrap_or(&[]);
    for (port, setting) in ports {
        let mode = str_at(setting, &["mode"]);
        if weak(mode) {
            bad.push(format!("port {port} mode {mode}"));
        }
    }
    (!bad.is_empty()).then(|| format!("PeerAuthentication accepts plain text: {}", bad.join(", ")))
}
