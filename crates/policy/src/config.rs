//! rampart's policy configuration section and its mapping of Istio workloads to targets.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::{PolicyError, Problem};

/// The `authorization` section of rampart's configuration.
///
/// ```yaml
/// policies: []                 # rampart-form policies, see PolicySpec
/// providers: []                # external authorizers, see ProviderSpec
/// istio:
///   files: [policies/research.yaml]
///   root_namespace: istio-system
///   workloads:
///     - target: research-data  # a route name
///       namespace: research
///       labels: {app: research-data-service}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Policies in rampart's own form, in order. Default: none.
    #[serde(default)]
    pub policies: Vec<crate::PolicySpec>,
    /// Istio documents and how their selectors map to targets. Default: none.
    #[serde(default)]
    pub istio: IstioConfig,
    /// External authorizers that CUSTOM policies name. Default: none.
    #[serde(default)]
    pub providers: Vec<crate::ProviderSpec>,
}

impl PolicyConfig {
    /// Checks that every target named in `policies[].targets` and `istio.workloads` is a
    /// route (per `is_route`) and that no route is mapped twice. Call it when the routes are
    /// known: a misspelt target would otherwise make a policy apply to nothing.
    ///
    /// # Errors
    /// [`PolicyError::Invalid`] with origin `policies` or `istio` and the path of the target.
    pub fn check_targets(&self, is_route: impl Fn(&str) -> bool) -> Result<(), PolicyError> {
        for (index, policy) in self.policies.iter().enumerate() {
            for (at, target) in policy.targets.iter().enumerate() {
                if !is_route(target) {
                    let path = format!("policies[{index}].targets[{at}]");
                    return Err(config_error(
                        "policies",
                        path,
                        Problem::UnknownTarget(target.clone()),
                    ));
                }
            }
        }

        for (index, workload) in self.istio.workloads.iter().enumerate() {
            let path = format!("istio.workloads[{index}].target");
            let target = &workload.target;
            if !is_route(target) {
                return Err(config_error("istio", path, Problem::UnknownTarget(target.clone())));
            }
            if self.istio.workloads[..index].iter().any(|w| w.target == *target) {
                return Err(config_error(
                    "istio",
                    path,
                    Problem::DuplicateWorkload(target.clone()),
                ));
            }
        }
        Ok(())
    }
}

/// An error in rampart's own policy section.
fn config_error(origin: &str, path: String, problem: Problem) -> PolicyError {
    PolicyError::Invalid { origin: origin.to_owned(), path, problem }
}

/// Where Istio documents come from and which targets their selectors select.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IstioConfig {
    /// YAML files of AuthorizationPolicy and PeerAuthentication documents, relative to the
    /// configuration file. Default: none.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// The mesh root namespace: its policies without selector apply to every workload.
    /// Default: `istio-system`.
    #[serde(default = "default_root_namespace")]
    pub root_namespace: String,
    /// The targets that stand for Istio workloads. Default: none (Istio policies then apply
    /// to no target, and `PolicySet::unmapped` lists them).
    #[serde(default)]
    pub workloads: Vec<WorkloadSpec>,
}

impl Default for IstioConfig {
    fn default() -> Self {
        Self { files: Vec::new(), root_namespace: default_root_namespace(), workloads: Vec::new() }
    }
}

fn default_root_namespace() -> String {
    "istio-system".to_owned()
}

/// One target seen as an Istio workload: its namespace and pod labels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// The target (route name) this workload stands for.
    pub target: String,
    /// The workload's namespace.
    pub namespace: String,
    /// The workload's labels, matched by `spec.selector.matchLabels`. Default: none.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl WorkloadSpec {
    /// True when every selector label is present with the same value.
    pub fn has_labels(&self, selector: &BTreeMap<String, String>) -> bool {
        selector.iter().all(|(key, value)| self.labels.get(key) == Some(value))
    }
}

impl IstioConfig {
    /// The workload mapped to a target.
    pub fn workload(&self, target: &str) -> Option<&WorkloadSpec> {
        self.workloads.iter().find(|w| w.target == target)
    }

    /// The targets an Istio policy in `namespace` with `selector` applies to: workloads in
    /// the same namespace (any namespace for the root namespace) carrying the labels.
    pub fn targets_for(
        &self,
        namespace: &str,
        selector: Option<&BTreeMap<String, String>>,
    ) -> Vec<String> {
        let everywhere = namespace == self.root_namespace;
        self.workloads
            .iter()
            .filter(|w| everywhere || w.namespace == namespace)
            .filter(|w| selector.is_none_or(|s| w.has_labels(s)))
            .map(|w| w.target.clone())
            .collect()
    }
}
