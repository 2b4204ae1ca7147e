//! The peer authentication stage: on a route in STRICT mutual TLS mode, requests without a
//! verified client certificate are denied.

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
        let flow = if ctx.peer_verified {
            Flow::Continue
        } else {
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
        };
        Box::pin(std::future::ready(flow))
    }
}
