//! PSS-BASE-PRIVILEGED: privileged containers.

use super::bad_containers;
use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::is_true;
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-PRIVILEGED",
    name: "privileged-container",
    summary: "Container runs privileged",
    severity: Severity::Critical,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "privileged",
        versions: &[0],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags containers with `securityContext.privileged: true`.",
        why: "A privileged container has every capability and all host devices; escaping \
              to the node is trivial.",
        example: "containers:\n  - name: app\n    securityContext:\n      privileged: true",
        fix: "Remove `privileged: true`; grant only the specific capability needed.",
    },
    remediation: "remove securityContext.privileged or set it to false",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let bad = bad_containers(&input.pod, |c| is_true(c.security(&["privileged"])));
    (!bad.is_empty()).then(|| {
        format!("{} must not set securityContext.privileged=true", containers_phrase(&bad))
    })
}
