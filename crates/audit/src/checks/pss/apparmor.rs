//! PSS-BASE-APPARMOR: AppArmor profile overridden to unconfined.

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::Value;
use crate::manifest::workload::quoted_list;

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-APPARMOR",
    name: "apparmor-profile",
    summary: "AppArmor profile disabled or overridden",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "appArmorProfile",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags `appArmorProfile.type` (pod or container) other than RuntimeDefault or \
               Localhost, and beta AppArmor annotations other than `runtime/default` or \
               `localhost/*`.",
        why: "The default AppArmor profile blocks mounts, raw kernel interfaces and writes to \
              sensitive /proc and /sys paths; Unconfined removes that layer.",
        example: "securityContext:\n  appArmorProfile:\n    type: Unconfined",
        fix: "Remove the override or use `RuntimeDefault` or a `Localhost` profile.",
    },
    remediation: "use appArmorProfile type RuntimeDefault or Localhost, or leave it unset",
    rule: Rule::Pod(evaluate),
};

fn bad_type(profile: Option<&Value>) -> Option<String> {
    let kind = profile?.get("type").and_then(Value::as_str).unwrap_or("");
    (!matches!(kind, "RuntimeDefault" | "Localhost")).then(|| kind.to_string())
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let pod = &input.pod;
    let mut bad: Vec<String> = Vec::new();
    if let Some(kind) = bad_type(pod.security(&["appArmorProfile"])) {
        bad.push(format!("pod appArmorProfile type \"{kind}\""));
    }
    for c in pod.containers() {
        if let Some(kind) = bad_type(c.security(&["appArmorProfile"])) {
            bad.push(format!("container \"{}\" appArmorProfile type \"{kind}\"", c.name()));
        }
    }
    let annotations = pod.meta.get("annotations").map(Value::entries).unwrap_or(&[]);
    let bad_annotations = annotations.iter().filter(|(k, v)| {
        let value = v.as_str().unwrap_or("");
        k.starts_with(ANNOTATION_PREFIX)
            && !(value.is_empty() || value == "runtime/default" || value.starts_with("localhost/"))
    });
    bad.extend(bad_annotations.map(|(k, _)| format!("annotation {}", quoted_list([k.as_str()]))));
    (!bad.is_empty()).then(|| format!("forbidden AppArmor profile: {}", bad.join("; ")))
}
