//! The peer authentication stage: on a route in STRICT mutual TLS mode, requests without a
//! verified client certificate are denied. Istio's `portLevelMtls` makes the mode depend on
//! the local (listener) port the request arrived on.

use http::StatusCode;
use rampart_events::EventType;

use super::{Denial, Flow, RequestContext, Stage, StageFuture};

/// Denies requests that did not arrive over mutual TLS with a verified client certificate.
#[derive(Debug, Default)]
pub struct StrictMtlsStage;

impl Stage for StrictMtlsStage {
    fn name(&self) -> &'static str {
        "peer_authentication"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        _head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        Box::pin(std::future::ready(require_mtls(ctx)))
    }
}

/// STRICT on some listener ports only: the route's mode, except on the ports listed, whose
/// mode is the other one (from a PeerAuthentication's `portLevelMtls`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMtlsStage {
    /// Whether ports not listed are STRICT.
    pub strict_by_default: bool,
    /// Listener ports whose strictness is the opposite of the default.
    pub exceptions: Vec<u16>,
}

impl PortMtlsStage {
    /// Whether a request that arrived on `port` must use mutual TLS; a request whose port is
    /// unknown gets the default mode.
    pub fn is_strict(&self, port: Option<u16>) -> bool {
        let listed = port.is_some_and(|port| self.exceptions.contains(&port));
        self.strict_by_default != listed
    }
}

impl Stage for PortMtlsStage {
    fn name(&self) -> &'static str {
        "peer_authentication"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        _head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        let flow = if self.is_strict(ctx.local_port) { require_mtls(ctx) } else { Flow::Continue };
        Box::pin(std::future::ready(flow))
    }
}

/// Continues over verified mutual TLS; denies plaintext and TLS without a client certificate.
fn require_mtls(ctx: &RequestContext) -> Flow {
    if ctx.peer_verified {
        return Flow::Continue;
    }
    let reason = if ctx.tls { "no_client_certificate" } else { "plaintext" };
    Flow::deny(
        Denial::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this route requires mutual TLS with a client certificate",
        )
        .event(EventType::PolicyDenied)
        .detail("policy", "peer_authentication")
        .detail("mtls_mode", "strict")
        .detail("reason", reason),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_ports_flip_the_default() {
        let stage = PortMtlsStage { strict_by_default: true, exceptions: vec![9090] };
        assert!(stage.is_strict(Some(8443)) && stage.is_strict(None));
        assert!(!stage.is_strict(Some(9090)));
        let stage = PortMtlsStage { strict_by_default: false, exceptions: vec![8443] };
        assert!(stage.is_strict(Some(8443)) && !stage.is_strict(Some(80)));
    }
}
