//! The checks: one file per check, grouped by family, each with a stable id and docs.

pub mod hardening;
pub mod istio;
pub mod netpol;
pub mod pss;
pub mod rbac;

use crate::finding::{PssLevel, PssVersion, Severity};
use crate::manifest::{PodView, Resource};

/// The family a check belongs to (the first part of its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Pod Security Standards controls (`PSS-BASE-*`, `PSS-RESTR-*`).
    PodSecurity,
    /// Workload hardening beyond Pod Security (`HARD-*`).
    Hardening,
    /// RBAC roles and bindings (`RBAC-*`).
    Rbac,
    /// NetworkPolicy coverage (`NETPOL-*`).
    NetworkPolicy,
    /// Istio mTLS and authorization (`ISTIO-*`).
    Istio,
}

impl Family {
    /// Human name, used as a docs heading and a SARIF tag.
    pub fn title(self) -> &'static str {
        match self {
            Family::PodSecurity => "Pod Security Standards",
            Family::Hardening => "Workload hardening",
            Family::Rbac => "RBAC",
            Family::NetworkPolicy => "NetworkPolicy",
            Family::Istio => "Istio",
        }
    }
}

/// The fixed documentation headings of a check.
#[derive(Debug, Clone, Copy)]
pub struct CheckDoc {
    /// What the check looks for.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A failing manifest fragment (YAML).
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// Where a check sits among the Pod Security controls.
#[derive(Debug, Clone, Copy)]
pub struct PssControl {
    /// Level the control belongs to.
    pub level: PssLevel,
    /// Kubernetes' name for the control (its policy check id).
    pub control: &'static str,
    /// Minor versions where the rule starts or changes; the first is when it starts.
    pub versions: &'static [u32],
    /// The baseline check this restricted check replaces while it is in force.
    pub overrides: Option<&'static str>,
}

/// What a check evaluates.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Runs on each workload's pod: returns a message when the pod fails.
    Pod(fn(&PodInput<'_>) -> Option<String>),
    /// Runs on each resource: returns a message when it fails.
    Resource(fn(&Resource) -> Option<String>),
    /// Runs once over all resources: returns (resource index, message) per failure.
    Inventory(fn(&[Resource]) -> Vec<(usize, String)>),
}

/// The input of a pod rule.
#[derive(Debug, Clone, Copy)]
pub struct PodInput<'a> {
    /// The workload.
    pub resource: &'a Resource,
    /// Its pod template.
    pub pod: PodView<'a>,
    /// Pod Security version being evaluated.
    pub version: PssVersion,
}

/// A check: metadata, docs and its rule.
#[derive(Debug)]
pub struct Check {
    /// Stable id, e.g. `PSS-RESTR-SECCOMP`.
    pub id: &'static str,
    /// Short name in kebab case (SARIF `name`).
    pub name: &'static str,
    /// One-line summary (SARIF `shortDescription`).
    pub summary: &'static str,
    /// Severity of every finding of this check.
    pub severity: Severity,
    /// Family.
    pub family: Family,
    /// Pod Security control details, for PSS checks.
    pub pss: Option<PssControl>,
    /// Documentation.
    pub doc: CheckDoc,
    /// One-line remediation printed with each finding.
    pub remediation: &'static str,
    /// The rule.
    pub rule: Rule,
}

/// Every check, in documentation order.
pub fn all() -> &'static [&'static Check] {
    ALL
}

/// The check with this id.
pub fn by_id(id: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.id == id)
}

static ALL: &[&Check] = &[
    &pss::host_namespaces::CHECK,
    &pss::privileged::CHECK,
    &pss::capabilities_baseline::CHECK,
    &pss::hostpath_volumes::CHECK,
    &pss::host_ports::CHECK,
    &pss::host_probes::CHECK,
    &pss::apparmor::CHECK,
    &pss::selinux::CHECK,
    &pss::proc_mount_baseline::CHECK,
    &pss::seccomp_baseline::CHECK,
    &pss::sysctls::CHECK,
    &pss::windows_host_process::CHECK,
    &pss::volume_types::CHECK,
    &pss::privilege_escalation::CHECK,
    &pss::run_as_non_root::CHECK,
    &pss::run_as_user::CHECK,
    &pss::seccomp_restricted::CHECK,
    &pss::capabilities_restricted::CHECK,
    &pss::proc_mount_restricted::CHECK,
    &hardening::readonly_rootfs::CHECK,
    &hardening::resources::CHECK,
    &hardening::image_latest::CHECK,
    &hardening::image_digest::CHECK,
    &hardening::sa_token::CHECK,
    &hardening::env_secret::CHECK,
    &hardening::default_namespace::CHECK,
    &hardening::host_aliases::CHECK,
    &hardening::probes::CHECK,
    &rbac::wildcard::CHECK,
    &rbac::escalate::CHECK,
    &rbac::secrets_read::CHECK,
    &rbac::exec_attach::CHECK,
    &rbac::nodes_proxy::CHECK,
    &rbac::create_workloads::CHECK,
    &rbac::anonymous_binding::CHECK,
    &rbac::default_sa_binding::CHECK,
    &rbac::cluster_admin_binding::CHECK,
    &netpol::no_default_deny_ingress::CHECK,
    &netpol::no_default_deny_egress::CHECK,
    &netpol::unselected_workload::CHECK,
    &netpol::allow_all::CHECK,
    &netpol::egress_open::CHECK,
    &istio::peerauth_missing::CHECK,
    &istio::peerauth_not_strict::CHECK,
    &istio::authz_allow_all::CHECK,
    &istio::no_default_deny::CHECK,
];

/// Whether a PSS check is in force for `level` at `version`.
pub fn pss_active(check: &Check, level: PssLevel, version: PssVersion) -> bool {
    let Some(pss) = check.pss else { return true };
    if !starts_by(&pss, version) || pss.level > level {
        return false;
    }
    let overridden = level == PssLevel::Restricted
        && ALL
            .iter()
            .filter_map(|c| c.pss)
            .any(|other| other.overrides == Some(pss.control) && starts_by(&other, version));
    !overridden
}

fn starts_by(pss: &PssControl, version: PssVersion) -> bool {
    pss.versions.first().is_some_and(|first| *first <= version.minor())
}
