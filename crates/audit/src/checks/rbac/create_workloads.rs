//! RBAC-CREATE-WORKLOADS: creating pods or pod controllers (an escalation path).

use super::{matching, rules_phrase};
use crate::checks::{Check, CheckDoc, Family, Rule};
use crate::finding::Severity;
use crate::manifest::Resource;

const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// The check.
pub static CHECK: Check = Check {
    id: "RBAC-CREATE-WORKLOADS",
    name: "rbac-create-workloads",
    summary: "Role can create pods or workload controllers",
    severity: Severity::Medium,
    family: Family::Rbac,
    pss: None,
    doc: CheckDoc {
        what: "Flags rules granting `create` on pods, replicationcontrollers, deployments, \
               replicasets, statefulsets, daemonsets, jobs or cronjobs.",
        why: "Whoever creates a pod chooses its service account and mounts: it can run as \
              any service account in the namespace and read any secret there.",
        example: "rules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    \
                  verbs: [\"create\"]",
        fix: "Grant workload creation to deploy pipelines only, and enforce Pod Security \
              admission in the namespace.",
    },
    remediation: "limit create on workloads to deployment identities",
    rule: Rule::Resource(evaluate),
};

fn evaluate(resource: &Resource) -> Option<String> {
    let hits = matching(resource, |r| {
        r.verb("create") && WORKLOADS.iter().any(|(g, res)| r.resource(g, res))
    });
    (!hits.is_empty())
        .then(|| format!("{}: create on pods or workload controllers", rules_phrase(&hits)))
}
