//! HARD-PROBES: long-running containers without liveness or readiness probes.

use crate::checks::{Check, CheckDoc, Family, PodInput, Rule};
use crate::finding::Severity;
use crate::manifest::workload::containers_phrase;

/// The check.
pub static CHECK: Check = Check {
    id: "HARD-PROBES",
    name: "missing-probes",
    summary: "Container has no liveness or readiness probe",
    severity: Severity::Low,
    family: Family::Hardening,
    pss: None,
    doc: CheckDoc {
        what: "Flags regular containers of long-running workloads (not Jobs or CronJobs, \
               not init containers) missing a `livenessProbe` or a `readinessProbe`.",
        why: "Without probes a hung or half-started container keeps receiving traffic, and \
              an exploited process that stops serving is never restarted.",
        example: "containers:\n  - name: app\n    image: app:1.0",
        fix: "Add `livenessProbe` and `readinessProbe` to each serving container.",
    },
    remediation: "add livenessProbe and readinessProbe to each container",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    if matches!(input.resource.kind.as_str(), "Job" | "CronJob") {
        return None;
    }
    let bad: Vec<&str> = input
        .pod
        .app_containers()
        .filter(|c| c.get(&["livenessProbe"]).is_none() || c.get(&["readinessProbe"]).is_none())
        .map(|c| c.name())
        .collect();
    (!bad.is_empty())
        .then(|| format!("no liveness or readiness probe in {}", containers_phrase(&bad)))
}
