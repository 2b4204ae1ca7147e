//! PSS-RESTR-PROCMOUNT: unmasked /proc, even in a user namespace (v1.35+).

use crate::checks::{Check, CheckDoc, Family, PssControl, Rule};
use crate::finding::{PssLevel, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-RESTR-PROCMOUNT",
    name: "proc-mount-restricted",
    summary: "Container unmasks /proc (restricted)",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Restricted,
        control: "procMount_restricted",
        versions: &[35],
        overrides: Some("procMount"),
    }),
    doc: CheckDoc {
        what: "From v1.35 the restricted level keeps the unconditional rule: any \
               `procMount` other than `Default` fails, user namespace or not. It replaces \
               PSS-BASE-PROCMOUNT at the restricted level.",
        why: "An unmasked /proc exposes kernel interfaces; restricted pods get no exemption.",
        example: "spec:\n  hostUsers: false\n  containers:\n    - name: app\n      \
                  securityContext:\n        procMount: Unmasked",
        fix: "Remove `procMount` or set it to `Default`.",
    },
    remediation: "remove securityContext.procMount or set it to Default",
    rule: Rule::Pod(super::proc_mount_baseline::unmasked),
};
