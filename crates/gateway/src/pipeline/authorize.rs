//! The authorize stage: Istio-style authorization policies (`rampart-policy`) evaluated on
//! the route's name, the peer identity, the verified JWT and the normalized request.

use std::sync::Arc;

use http::StatusCode;
use rampart_events::EventType;
use rampart_policy::{Decision, PolicyMatch, PolicySet, RequestAttributes};

use super::{Denial, Flow, RequestContext, Stage, StageEvent, StageFuture};

/// Decides a request with the policies that apply to its route; runs after authentication.
#[derive(Debug)]
pub struct AuthorizeStage {
    target: Arc<str>,
    policies: Arc<PolicySet>,
}

impl AuthorizeStage {
    /// A stage for the route named `target`.
    pub fn new(target: Arc<str>, policies: Arc<PolicySet>) -> Self {
        Self { target, policies }
    }

    fn decide(&self, ctx: &mut RequestContext, head: &http::request::Parts) -> Flow {
        let token = ctx.identity.clone();
        let request_principal = token.as_ref().and_then(|t| t.request_principal());
        let attrs = RequestAttributes {
            principal: ctx.principal.as_deref(),
            request_principal: request_principal.as_deref(),
            claims: token.as_ref().map(|t| t.claims()),
            namespace: None,
            source_ip: Some(ctx.peer.ip()),
            remote_ip: Some(ctx.client_ip),
            destination_ip: None,
            destination_port: ctx.local_port,
            host: &ctx.host,
            method: head.method.as_str(),
            path: &ctx.path,
            sni: None,
            headers: &head.headers,
        };
        let decision = self.policies.evaluate(&self.target, &attrs);
        let principal = ctx.principal.clone();

        for matched in &decision.audit {
            ctx.events.push(audit_event(matched, principal.as_deref()));
        }
        if let Some(custom) = decision.custom.first() {
            // CUSTOM providers are not supported yet; fail closed rather than skip them.
            let denial = forbidden("an external authorizer is required and not available")
                .detail("policy", &*custom.policy)
                .detail("rule", custom.rule)
                .detail("reason", "custom_authorizer_unsupported");
            return Flow::deny(with_principal(denial, principal.as_deref()));
        }
        if decision.allowed {
            tracing::debug!(route = %self.target, decision.reason = decision.reason.as_str(), "allow");
            return Flow::Continue;
        }
        Flow::deny(denial(&decision, principal.as_deref()))
    }
}

impl Stage for AuthorizeStage {
    fn name(&self) -> &'static str {
        "authorize"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        Box::pin(std::future::ready(self.decide(ctx, head)))
    }
}

fn forbidden(message: &str) -> Denial {
    Denial::new(StatusCode::FORBIDDEN, "forbidden", message).event(EventType::PolicyDenied)
}

fn with_principal(denial: Denial, principal: Option<&str>) -> Denial {
    match principal {
        Some(principal) => denial.detail("principal", principal),
        None => denial,
    }
}

/// The 403 for a request the policies deny, naming the policy and rule in the event only.
fn denial(decision: &Decision, principal: Option<&str>) -> Denial {
    tracing::info!(
        policy.name = decision.policy.as_deref().unwrap_or(""),
        policy.rule = decision.rule,
        decision.reason = decision.reason.as_str(),
        "deny"
    );
    let mut denial = forbidden("the authorization policies of this route deny the request")
        .detail("reason", decision.reason.as_str());
    if let Some(policy) = &decision.policy {
        denial = denial.detail("policy", &**policy);
    }
    if let Some(rule) = decision.rule {
        denial = denial.detail("rule", rule);
    }
    with_principal(denial, principal)
}

fn audit_event(matched: &PolicyMatch, principal: Option<&str>) -> StageEvent {
    let mut details: Vec<(&'static str, serde_json::Value)> =
        vec![("policy", (&*matched.policy).into()), ("rule", matched.rule.into())];
    if let Some(principal) = principal {
        details.push(("principal", principal.into()));
    }
    StageEvent { event_type: EventType::PolicyAudit, severity: None, details }
}
