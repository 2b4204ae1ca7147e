//! The authorize stage: Istio-style authorization policies (`rampart-policy`) evaluated on
//! the route's name, the peer identity, the verified JWT and the normalized request.
//!
//! Istio's order: the providers of matching CUSTOM policies are consulted first (any denial
//! or failure in closed mode ends the request), then DENY, then ALLOW; AUDIT only records.

mod custom;

use std::sync::Arc;

use http::{HeaderName, StatusCode};
use rampart_events::EventType;
use rampart_policy::{CustomMatch, Decision, PolicyMatch, PolicySet, RequestAttributes};

use super::{Denial, Flow, RequestContext, Stage, StageEvent, StageFuture};
use crate::ext_authz::Authorizers;
use crate::metrics::Metrics;

/// Decides a request with the policies that apply to its route; runs after authentication.
#[derive(Debug)]
pub struct AuthorizeStage {
    target: Arc<str>,
    policies: Arc<PolicySet>,
    custom: Option<custom::CustomAuthorization>,
}

impl AuthorizeStage {
    /// A stage for the route named `target`.
    pub fn new(target: Arc<str>, policies: Arc<PolicySet>) -> Self {
        Self { target, policies, custom: None }
    }

    /// Enables the route's CUSTOM policies: their providers are called through `authorizers`,
    /// and the headers those providers may set upstream are removed from every request first,
    /// so a client cannot inject them.
    pub fn with_authorizers(
        mut self,
        authorizers: Arc<Authorizers>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let protected: Vec<HeaderName> = self
            .policies
            .custom_providers(&self.target)
            .iter()
            .filter_map(|name| authorizers.get(name))
            .flat_map(|a| a.config().headers_to_upstream_on_allow.iter().cloned())
            .collect();
        self.custom = Some(custom::CustomAuthorization::new(authorizers, metrics, protected));
        self
    }

    async fn authorize(&self, ctx: &mut RequestContext, head: &http::request::Parts) -> Flow {
        if let Some(custom) = &self.custom {
            custom.protect(ctx);
        }
        let decision = self.evaluate(ctx, head);
        let principal = ctx.principal.clone();
        for matched in &decision.audit {
            ctx.events.push(audit_event(matched, principal.as_deref()));
        }

        for matched in distinct_providers(&decision.custom) {
            let denial = match &self.custom {
                Some(custom) => custom.consult(matched, ctx, head).await,
                None => Some(custom::unavailable(matched)),
            };
            if let Some(denial) = denial {
                return Flow::deny(with_principal(denial, principal.as_deref()));
            }
        }
        if decision.allowed {
            let reason = decision.reason.as_str();
            tracing::debug!(route = %self.target, decision.reason = reason, "allow");
            return Flow::Continue;
        }
        Flow::deny(denial(&decision, principal.as_deref()))
    }

    fn evaluate(&self, ctx: &RequestContext, head: &http::request::Parts) -> Decision {
        let token = ctx.identity.clone();
        let request_principal = token.as_ref().and_then(|t| t.request_principal());
        let attrs = RequestAttributes {
            principal: ctx.principal.as_deref(),
            request_principal: request_principal.as_deref(),
            claims: token.as_ref().map(|t| t.claims()),
            namespace: None,
            source_ip: Some(ctx.peer.ip()),
            remote_ip: Some(ctx.client_ip),
            destination_ip: ctx.local_ip,
            destination_port: ctx.local_port,
            host: &ctx.host,
            method: head.method.as_str(),
            path: &ctx.path,
            sni: ctx.sni.as_deref(),
            headers: &head.headers,
        };
        self.policies.evaluate(&self.target, &attrs)
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
        Box::pin(self.authorize(ctx, head))
    }
}

/// The matching CUSTOM policies, one per provider (the first that names it): as in Istio,
/// a provider is asked once per request however many of its policies match.
fn distinct_providers(matches: &[CustomMatch]) -> impl Iterator<Item = &CustomMatch> {
    matches
        .iter()
        .enumerate()
        .filter(|(index, m)| !matches[..*index].iter().any(|seen| seen.provider == m.provider))
        .map(|(_, m)| m)
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
