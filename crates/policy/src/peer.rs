//! PeerAuthentication: which mutual TLS mode applies to a target and port, with Istio's
//! precedence (workload selector over namespace over mesh, port level over workload).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::IstioConfig;
use crate::istio::{invalid, IstioResource, WorkloadSelector};
use crate::{PolicyError, Problem};

/// A mutual TLS mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MtlsMode {
    /// Inherit from the parent level (namespace, then mesh); PERMISSIVE at the top.
    #[default]
    Unset,
    /// Plaintext only.
    Disable,
    /// Plaintext and mutual TLS.
    Permissive,
    /// Mutual TLS only: plaintext is refused.
    Strict,
}

/// `spec.mtls` and the values of `spec.portLevelMtls`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MtlsSpec {
    /// The mode. Default: UNSET.
    #[serde(default)]
    pub mode: MtlsMode,
}

/// A port key of `portLevelMtls`, written as a number or a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(untagged)]
pub enum PortKey {
    /// `8080:`
    Number(u64),
    /// `"8080":`
    Text(String),
}

/// The `spec` of a PeerAuthentication.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeerAuthenticationSpec {
    /// Workloads it applies to; absent means the whole namespace (or mesh, in the root
    /// namespace).
    #[serde(default)]
    pub selector: Option<WorkloadSelector>,
    /// The mode for all ports.
    #[serde(default)]
    pub mtls: Option<MtlsSpec>,
    /// Modes for single ports; only with a selector.
    #[serde(default)]
    pub port_level_mtls: BTreeMap<PortKey, MtlsSpec>,
}

/// A validated PeerAuthentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAuthenticationPolicy {
    /// `namespace/name`.
    pub name: String,
    /// The namespace it lives in.
    pub namespace: String,
    /// The selector labels; `None` for a namespace- or mesh-wide policy.
    pub selector: Option<BTreeMap<String, String>>,
    /// The mode for all ports.
    pub mode: MtlsMode,
    /// Modes for single ports.
    pub port_level: BTreeMap<u16, MtlsMode>,
}

/// All PeerAuthentication policies with the workload mapping, answering which mode applies.
#[derive(Debug, Clone, Default)]
pub struct PeerAuthentications {
    mapping: IstioConfig,
    policies: Vec<PeerAuthenticationPolicy>,
}

impl PeerAuthentications {
    /// Validates the resources against the mapping of workloads to targets.
    pub(crate) fn new(
        mapping: &IstioConfig,
        resources: &[IstioResource<PeerAuthenticationSpec>],
    ) -> Result<Self, PolicyError> {
        let policies = resources.iter().map(validate).collect::<Result<_, _>>()?;
        Ok(Self { mapping: mapping.clone(), policies })
    }

    /// The validated policies, in document order.
    pub fn policies(&self) -> &[PeerAuthenticationPolicy] {
        &self.policies
    }

    /// The effective mode for a target (a mapped workload) and port: the first matching
    /// workload policy's port-level mode, else its mode, else the namespace-wide mode, else
    /// the mesh-wide mode (root namespace), each level used only when not UNSET. Never
    /// returns UNSET: with nothing set the mode is PERMISSIVE, as in Istio. A target that is
    /// not mapped to a workload gets the mesh-wide mode.
    pub fn mode(&self, target: &str, port: Option<u16>) -> MtlsMode {
        let root = self.mapping.root_namespace.as_str();
        let mesh = self.first(|p| p.namespace == root && p.selector.is_none());
        let mut mode = mesh.map_or(MtlsMode::Unset, |p| p.mode);

        let Some(workload) = self.mapping.workload(target) else { return settle(mode) };
        let namespace = self.first(|p| p.namespace == workload.namespace && p.selector.is_none());
        mode = inherit(mode, namespace.map(|p| p.mode));

        let selected = self.first(|p| {
            p.namespace == workload.namespace
                && p.selector.as_ref().is_some_and(|s| workload.has_labels(s))
        });
        mode = inherit(mode, selected.map(|p| p.mode));
        let port_mode = selected.zip(port).and_then(|(p, port)| p.port_level.get(&port).copied());
        settle(inherit(mode, port_mode))
    }

    /// The effective mode of each port that the target's selecting policy lists under
    /// `portLevelMtls`; ports not listed get [`PeerAuthentications::mode`] without a port.
    pub fn port_modes(&self, target: &str) -> BTreeMap<u16, MtlsMode> {
        let Some(workload) = self.mapping.workload(target) else { return BTreeMap::new() };
        let selected = self.first(|p| {
            p.namespace == workload.namespace
                && p.selector.as_ref().is_some_and(|s| workload.has_labels(s))
        });
        let ports = selected.map(|p| p.port_level.keys().copied().collect::<Vec<_>>());
        ports
            .unwrap_or_default()
            .into_iter()
            .map(|port| (port, self.mode(target, Some(port))))
            .collect()
    }

    /// The first policy (in document order, standing in for Istio's oldest) that passes.
    fn first(
        &self,
        test: impl Fn(&PeerAuthenticationPolicy) -> bool,
    ) -> Option<&PeerAuthenticationPolicy> {
        self.policies.iter().find(|p| test(p))
    }
}

/// The child mode when it is set, else the parent's.
fn inherit(parent: MtlsMode, child: Option<MtlsMode>) -> MtlsMode {
    match child {
        Some(MtlsMode::Unset) | None => parent,
        Some(mode) => mode,
    }
}

/// UNSET at the top level means PERMISSIVE.
fn settle(mode: MtlsMode) -> MtlsMode {
    match mode {
        MtlsMode::Unset => MtlsMode::Permissive,
        mode => mode,
    }
}

/// Checks one resource and converts its port keys.
fn validate(
    resource: &IstioResource<PeerAuthenticationSpec>,
) -> Result<PeerAuthenticationPolicy, PolicyError> {
    let spec = &resource.spec;
    if spec.selector.is_none() && !spec.port_level_mtls.is_empty() {
        return Err(invalid(
            &resource.origin,
            "spec.portLevelMtls",
            Problem::PortLevelWithoutSelector,
        ));
    }

    let mut port_level = BTreeMap::new();
    for (key, mtls) in &spec.port_level_mtls {
        let port = port_number(key).ok_or_else(|| {
            let text = match key {
                PortKey::Number(n) => n.to_string(),
                PortKey::Text(t) => t.clone(),
            };
            let path = format!("spec.portLevelMtls.{text}");
            invalid(&resource.origin, &path, Problem::InvalidPort(text))
        })?;
        port_level.insert(port, mtls.mode);
    }

    Ok(PeerAuthenticationPolicy {
        name: format!("{}/{}", resource.namespace, resource.name),
        namespace: resource.namespace.clone(),
        selector: spec.selector.as_ref().map(|s| s.match_labels.clone()),
        mode: spec.mtls.map_or(MtlsMode::Unset, |m| m.mode),
        port_level,
    })
}

/// A port key as a port number from 1 to 65535.
fn port_number(key: &PortKey) -> Option<u16> {
    let port = match key {
        PortKey::Number(n) => u16::try_from(*n).ok()?,
        PortKey::Text(t) if t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok()?,
        PortKey::Text(_) => return None,
    };
    (port != 0).then_some(port)
}
