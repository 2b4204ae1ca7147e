//! Compilation of the `authorization` section and of the routes' mutual TLS modes into the
//! peer authentication and authorize stages.

use std::path::Path;
use std::sync::Arc;

use rampart_policy::{MtlsMode, PeerAuthentications, Policies, PolicySet};

use super::{invalid, RouteContext};
use crate::config::model::{Config, RouteConfig, RouteMtlsMode};
use crate::config::ConfigError;
use crate::ext_authz::Authorizers;
use crate::pipeline::authorize::AuthorizeStage;
use crate::pipeline::peer_auth::{PortMtlsStage, StrictMtlsStage};
use crate::pipeline::Stage;

/// The compiled `authorization` section.
#[derive(Debug)]
pub(super) struct RoutePolicies {
    authorization: Arc<PolicySet>,
    peer_authentication: PeerAuthentications,
    authorizers: Arc<Authorizers>,
}

/// Loads and compiles the `authorization` section (and its Istio files); `None` without one.
pub(super) fn load(
    config: &Config,
    file: &Path,
    base_dir: &Path,
) -> Result<Option<RoutePolicies>, ConfigError> {
    let Some(section) = &config.authorization else { return Ok(None) };
    let fail =
        |error: rampart_policy::PolicyError| invalid(file, "authorization", error.to_string());

    section.check_targets(|name| config.routes.iter().any(|r| r.name == name)).map_err(fail)?;
    let policies = Policies::load(section, base_dir).map_err(fail)?;
    // A policy that applies to no route protects nothing: almost always a misspelt namespace
    // or label in istio.workloads. Refuse it rather than serve without it (fail closed).
    if let Some(policy) = policies.authorization.unmapped().next() {
        let message = format!(
            "the authorization policy `{policy}` selects no route: check the namespace and \
             labels of its workload under istio.workloads (or remove the policy from the file)"
        );
        return Err(invalid(file, "authorization.istio.workloads", message));
    }
    Ok(Some(RoutePolicies {
        authorization: Arc::new(policies.authorization),
        peer_authentication: policies.peer_authentication,
        authorizers: Arc::new(Authorizers::new(policies.providers)),
    }))
}

/// The STRICT mutual TLS stage, when the route (or its Istio PeerAuthentication) asks for it;
/// with `portLevelMtls`, a stage whose mode depends on the listener port.
pub(super) fn peer_stage(
    route: &RouteConfig,
    policies: Option<&RoutePolicies>,
) -> Option<Arc<dyn Stage>> {
    if let Some(mode) = route.mtls {
        return (mode == RouteMtlsMode::Strict)
            .then(|| Arc::new(StrictMtlsStage) as Arc<dyn Stage>);
    }
    let peer = &policies?.peer_authentication;
    let strict_by_default = peer.mode(&route.name, None) == MtlsMode::Strict;
    let exceptions: Vec<u16> = peer
        .port_modes(&route.name)
        .into_iter()
        .filter(|(_, mode)| (*mode == MtlsMode::Strict) != strict_by_default)
        .map(|(port, _)| port)
        .collect();
    match (strict_by_default, exceptions.is_empty()) {
        (false, true) => None,
        (true, true) => Some(Arc::new(StrictMtlsStage)),
        _ => Some(Arc::new(PortMtlsStage { strict_by_default, exceptions })),
    }
}

/// The authorize stage, for every route when an `authorization` section exists.
pub(super) fn authorize_stage(
    route: &RouteConfig,
    cx: &RouteContext<'_>,
) -> Option<Arc<dyn Stage>> {
    let policies = cx.policies?;
    let stage = AuthorizeStage::new(route.name.as_str().into(), policies.authorization.clone())
        .with_authorizers(policies.authorizers.clone(), cx.metrics.clone());
    Some(Arc::new(stage))
}
