//! PSS-BASE-SYSCTLS: sysctls outside the safe, namespaced set of the version.

use crate::checks::{Check, CheckDoc, Family, PodInput, PssControl, Rule};
use crate::finding::{PssLevel, Severity};
use crate::manifest::value::{str_at, Value};
use crate::manifest::workload::quoted_list;

/// Safe sysctls and the minor version from which each is allowed.
const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

/// The check.
pub static CHECK: Check = Check {
    id: "PSS-BASE-SYSCTLS",
    name: "unsafe-sysctls",
    summary: "Pod sets a sysctl outside the safe set",
    severity: Severity::High,
    family: Family::PodSecurity,
    pss: Some(PssControl {
        level: PssLevel::Baseline,
        control: "sysctls",
        versions: &[0, 27, 29, 32, 37],
        overrides: None,
    }),
    doc: CheckDoc {
        what: "Flags `securityContext.sysctls` names outside the safe set. The set grows by \
               version: v1.0 kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, \
               net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, \
               net.ipv4.ip_unprivileged_port_start; v1.27 adds \
               net.ipv4.ip_local_reserved_ports; v1.29 adds net.ipv4.tcp_keepalive_time, \
               tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes; v1.32 adds \
               net.ipv4.tcp_rmem and tcp_wmem; v1.37 adds net.ipv4.tcp_slow_start_after_idle \
               and tcp_notsent_lowat.",
        why: "Sysctls outside the namespaced safe set change the kernel for every pod on \
              the node or disable protections.",
        example: "securityContext:\n  sysctls:\n    - name: kernel.msgmax\n      value: \"65536\"",
        fix: "Remove the sysctl or tune it on the node instead.",
    },
    remediation: "set only safe sysctls in spec.securityContext.sysctls",
    rule: Rule::Pod(evaluate),
};

fn evaluate(input: &PodInput<'_>) -> Option<String> {
    let minor = input.version.minor();
    let safe = |name: &str| SAFE.iter().any(|(n, since)| *n == name && *since <= minor);
    let set = input.pod.security(&["sysctls"]).map(Value::items).unwrap_or(&[]);
    let bad: Vec<&str> = set.iter().map(|s| str_at(s, &["name"])).filter(|n| !safe(n)).collect();
    (!bad.is_empty()).then(|| format!("forbidden sysctls {}", quoted_list(bad)))
}
