//! Compilation of the `authorization` section and of the routes' mutual TLS modes into the
//! peer authentication and authorize stages.

use std::path::Path;
use std::sync::Arc;

use rampart_policy::{Action, MtlsMode, PeerAuthentications, Policies, PolicySet};

use super::invalid;
use crate::config::model::{Config, RouteConfig, RouteMtlsMode};
use crate::config::ConfigError;
use crate::pipeline::authorize::AuthorizeStage;
use crate::pipeline::peer_auth::StrictMtlsStage;
use crate::pipeline::Stage;

/// The compiled `authorization` section.
#[derive(Debug)]
pub(super) struct RoutePolicies {
    authorization: Arc<PolicySet>,
    peer_authentication: PeerAuthentications,
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
    if let Some(index) = section.policies.iter().position(|p| p.action == Action::Custom) {
        return Err(invalid(
            file,
            format!("authorization.policies[{index}].action"),
            "CUSTOM policies (external authorizers) are not supported yet; \
             use ALLOW, DENY or AUDIT",
        ));
    }

    let policies = Policies::load(section, base_dir).map_err(fail)?;
    for policy in policies.authorization.unmapped() {
        tracing::warn!(
            policy.name = policy,
            "authorization policy selects no route; map its workload under istio.workloads"
        );
    }
    Ok(Some(RoutePolicies {
        authorization: Arc::new(policies.authorization),
        peer_authentication: policies.peer_authentication,
    }))
}

/// The STRICT mutual TLS stage, when the route (or its Istio PeerAuthentication) asks for it.
pub(super) fn peer_stage(
    route: &RouteConfig,
    policies: Option<&RoutePolicies>,
) -> Option<Arc<dyn Stage>> {
    let strict = match route.mtls {
        Some(mode) => mode == RouteMtlsMode::Strict,
        None => policies
            .is_some_and(|p| p.peer_authentication.mode(&route.name, None) == MtlsMode::Strict),
    };
    strict.then(|| Arc::new(StrictMtlsStage) as Arc<dyn Stage>)
}

/// The authorize stage, for every route when an `authorization` section exists.
pub(super) fn authorize_stage(
    route: &RouteConfig,
    policies: Option<&RoutePolicies>,
) -> Option<Arc<dyn Stage>> {
    let policies = policies?;
    let stage = AuthorizeStage::new(route.name.as_str().into(), policies.authorization.clone());
    Some(Arc::new(stage))
}
