//! Pod Security Standards controls, versioned as Pod Security Admission enforces them.
//!
//! Each control lists the Kubernetes minor versions where its rule starts or changes;
//! rules read `PodInput::version` to pick the behaviour of that version.

pub mod apparmor;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_namespaces;
pub mod host_ports;
pub mod host_probes;
pub mod hostpath_volumes;
pub mod privilege_escalation;
pub mod privileged;
pub mod proc_mount_baseline;
pub mod proc_mount_restricted;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod seccomp_baseline;
pub mod seccomp_restricted;
pub mod selinux;
pub mod sysctls;
pub mod volume_types;
pub mod windows_host_process;

use crate::manifest::workload::{containers_phrase, Container};
use crate::manifest::PodView;

/// Names of the containers for which `bad` holds.
pub(crate) fn bad_containers<'a>(
    pod: &PodView<'a>,
    bad: impl Fn(&Container<'a>) -> bool,
) -> Vec<&'a str> {
    pod.containers().filter(|c| bad(c)).map(|c| c.name()).collect()
}

/// "pod", "container \"a\"" or "pod and containers \"a\", \"b\"": who set a bad value.
pub(crate) fn setters(pod: bool, containers: &[&str]) -> String {
    let mut parts = Vec::new();
    if pod {
        parts.push("pod".to_string());
    }
    if !containers.is_empty() {
        parts.push(containers_phrase(containers));
    }
    parts.join(" and ")
}
