//! HARD-SA-TOKEN: service account token mounted automatically.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::value::Value;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-SA-TOKEN",
    name: "service-account-token-automount",
    summary: "Service account token is mounted automatically",
    severity: Severity::Low,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags pods that do not set `automountServiceAccountToken: false`.",
        why: "Most workloads never call the Kubernetes API; a mounted token is a free \
              credential for anyone who gets code execution in the pod.",
        example: "spec:\n  containers:\n    - name: app\n      image: app:1.0",
        fix: "Set `spec.automountServiceAccountToken: false` (mount a projected token where \
              the API is really needed).",
    },
    remediation: "set spec.automountServiceAccountToken: false",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let set = input.pod.spec.get("automountServiceAccountToken").and_then(Value::as_bool);
    (set != Some(false)).then(|| "pod mounts the service account token automatically".to_string())
}
