//! PSS-BASE-HOSTPROBES: probes and lifecycle handlers aimed at another host (v1.34+).

use std::collections::BTreeSet;

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::{str_at, Value};
use crate::manifest::workload::{containers_phrase, quoted_list, Container};

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-HOSTPROBES",
    name: "probe-or-lifecycle-host",
    summary: "Probe or lifecycle handler sets a host",
    severity: Severity::Medium,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "hostProbesAndHostLifecycle",
        versions: &[34],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags `httpGet.host` or `tcpSocket.host` in liveness, readiness and startup \
               probes and in postStart/preStop handlers. Enforced from v1.34.",
        why: "The kubelet makes these requests from the node, so a host field turns a pod \
              spec into a way to reach node-local or internal endpoints (SSRF).",
        example: "livenessProbe:\n  httpGet:\n    host: 169.254.169.254\n    path: /\n    port: 80",
        fix: "Remove the `host` field; probes then target the pod's own IP.",
    },
    remediation: "remove host from httpGet/tcpSocket probes and lifecycle handlers",
    rule: Rule::Pod(evaluate),
};

const HANDLERS: &[&[&str]] = &[
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

fn hosts<'a>(container: &Container<'a>) -> Vec<&'a str> {
    let handlers = HANDLERS.iter().filter_map(|path| container.get(path));
    handlers
        .flat_map(|h: &'a Value| {
            [str_at(h, &["httpGet", "host"]), str_at(h, &["tcpSocket", "host"])]
        })
        .filter(|host| !host.is_empty())
        .collect()
}

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let mut names = Vec::new();
    let mut all = BTreeSet::new();
    for container in input.pod.containers() {
        let found = hosts(&container);
        if !found.is_empty() {
            names.push(container.name());
            all.extend(found);
        }
    }
    (!names.is_empty()).then(|| {
        format!("{} set probe or lifecycle host {}", containers_phrase(&names), quoted_list(all))
    })
}
