//! PSS-BASE-HOSTPATH: hostPath volumes.

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::{str_at, Value};
use crate::manifest::workload::quoted_list;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-HOSTPATH",
    name: "hostpath-volume",
    summary: "Pod mounts a hostPath volume",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "hostPathVolumes",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags pods with a volume of type `hostPath`.",
        why: "A hostPath volume exposes the node's file system: the container runtime socket, \
              kubelet credentials or /etc can be read or changed.",
        example: "volumes:\n  - name: host\n    hostPath:\n      path: /",
        fix: "Use an emptyDir, configMap, secret or persistentVolumeClaim volume instead.",
    },
    remediation: "replace hostPath volumes with emptyDir, configMap, secret or PVC volumes",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let volumes = input.pod.spec.get("volumes").map(Value::items).unwrap_or(&[]);
    let names: Vec<&str> = volumes
        .iter()
        .filter(|v| v.get("hostPath").is_some())
        .map(|v| str_at(v, &["name"]))
        .collect();
    (!names.is_empty()).then(|| format!("hostPath volumes {}", quoted_list(names)))
}
