//! PSS-RESTR-VOLUMETYPES: volume types outside the restricted allow list.

use std::collections::BTreeSet;

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::{str_at, Value};
use crate::manifest::workload::quoted_list;

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-VOLUMETYPES",
    name: "restricted-volume-types",
    summary: "Volume type not allowed by the restricted level",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "restrictedVolumes",
        versions: &[0],
        overrides: Some("hostPathVolumes"),
    }),
    doc: CheckDoc {
        what: "Flags volumes other than configMap, csi, downwardAPI, emptyDir, ephemeral, \
               image, persistentVolumeClaim, projected and secret (hostPath included; it \
               replaces PSS-BASE-HOSTPATH at the restricted level). A volume with no source \
               counts as emptyDir, as the API server defaults it.",
        why: "Inline network and node volumes (nfs, iscsi, gitRepo, hostPath ...) bypass \
              storage policy and can reach node or network resources directly.",
        example: "volumes:\n  - name: data\n    nfs:\n      server: nfs.local\n      path: /",
        fix: "Use a persistentVolumeClaim backed by a StorageClass, or an allowed type.",
    },
    remediation: "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, PVC, \
                  projected or secret volumes",
    rule: Rule::Pod(evaluate),
};

fn source(volume: &Value) -> Option<&str> {
    volume.entries().iter().map(|(k, _)| k.as_str()).find(|k| *k != "name")
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let volumes = input.pod.spec.get("volumes").map(Value::items).unwrap_or(&[]);
    let mut names = Vec::new();
    let mut kinds = BTreeSet::new();
    for volume in volumes {
        if let Some(kind) = source(volume).filter(|k| !ALLOWED.contains(k)) {
            names.push(str_at(volume, &["name"]));
            kinds.insert(kind);
        }
    }
    (!names.is_empty()).then(|| {
        format!(
            "restricted volume types {1} in volumes {0}",
            quoted_list(names),
            quoted_list(kinds)
        )
    })
}
