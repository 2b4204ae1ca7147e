//! CUSTOM policies: asking a provider about a request, and the denials and events that follow.
//!
//! Clients see a fixed JSON error with the authorizer's status (or `status_on_error`); the
//! authorizer's body is never forwarded, only its `headers_to_downstream_on_deny`. Events
//! name the policy, rule, provider and reason, never a header value.

use std::sync::Arc;
use std::time::Instant;

use http::{HeaderName, HeaderValue, StatusCode};
use rampart_events::{EventType, Severity};
use rampart_policy::CustomMatch;

use crate::ext_authz::{Authorizers, CheckFailure, CheckOutcome, CheckRequest, HttpAuthorizer};
use crate::metrics::Metrics;
use crate::pipeline::{Denial, RequestContext, StageEvent};

/// The route's external authorizers and the upstream headers only they may set.
#[derive(Debug)]
pub(super) struct CustomAuthorization {
    authorizers: Arc<Authorizers>,
    metrics: Arc<Metrics>,
    protected: Vec<HeaderName>,
}

impl CustomAuthorization {
    /// Authorizers, metrics, and the `headers_to_upstream_on_allow` of the route's providers.
    pub(super) fn new(
        authorizers: Arc<Authorizers>,
        metrics: Arc<Metrics>,
        protected: Vec<HeaderName>,
    ) -> Self {
        Self { authorizers, metrics, protected }
    }

    /// Removes the client's copies of the headers the route's providers may set upstream,
    /// whether or not a provider is consulted for this request.
    pub(super) fn protect(&self, ctx: &mut RequestContext) {
        ctx.upstream_header_removals.extend(self.protected.iter().cloned());
    }

    /// Asks the matched policy's provider; `None` lets the request go on.
    pub(super) async fn consult(
        &self,
        matched: &CustomMatch,
        ctx: &mut RequestContext,
        head: &http::request::Parts,
    ) -> Option<Denial> {
        let Some(authorizer) = self.authorizers.get(&matched.provider) else {
            return Some(unavailable(matched));
        };
        let started = Instant::now();
        let request = CheckRequest { head, path: &ctx.path, request_id: &ctx.request_id };
        let outcome = authorizer.check(request).await;
        let name = &authorizer.config().name;
        self.metrics.ext_authz_call(name, outcome.label(), started.elapsed());

        match outcome {
            CheckOutcome::Allowed { upstream_headers } => {
                ctx.upstream_headers.extend(upstream_headers);
                None
            }
            CheckOutcome::Denied { status, headers } => Some(denied(matched, status, headers)),
            CheckOutcome::Failed(failure) if authorizer.config().fail_open => {
                ctx.events.push(failed_open(matched, &failure));
                None
            }
            CheckOutcome::Failed(failure) => Some(failed_closed(matched, authorizer, &failure)),
        }
    }
}

/// The denial when the provider answered 3xx or 4xx: its status and listed headers.
fn denied(
    matched: &CustomMatch,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
) -> Denial {
    tracing::info!(
        policy.name = %matched.policy,
        authz.provider = %matched.provider,
        authz.status = status.as_u16(),
        "deny"
    );
    let mut denial = base(matched, status, "the external authorizer denied the request")
        .detail("reason", "provider_denied")
        .detail("provider_status", status.as_u16());
    denial.headers = headers;
    denial
}

/// The denial when the provider failed and its fail mode is closed.
fn failed_closed(
    matched: &CustomMatch,
    authorizer: &HttpAuthorizer,
    failure: &CheckFailure,
) -> Denial {
    tracing::warn!(
        policy.name = %matched.policy,
        authz.provider = %matched.provider,
        error = %failure,
        "external authorizer failed; denying"
    );
    let status = authorizer.config().status_on_error;
    let denial = base(matched, status, "the request could not be authorized")
        .detail("reason", failure.reason());
    match failure {
        CheckFailure::ServerError(code) => denial.detail("provider_status", code.as_u16()),
        _ => denial,
    }
}

/// The event recorded when the provider failed and its fail mode is open.
fn failed_open(matched: &CustomMatch, failure: &CheckFailure) -> StageEvent {
    tracing::warn!(
        policy.name = %matched.policy,
        authz.provider = %matched.provider,
        error = %failure,
        "external authorizer failed; allowing (fail_open)"
    );
    let details = vec![
        ("policy", (&*matched.policy).into()),
        ("rule", matched.rule.into()),
        ("provider", (&*matched.provider).into()),
        ("reason", failure.reason().into()),
        ("fail_open", true.into()),
    ];
    StageEvent { event_type: EventType::PolicyAudit, severity: Some(Severity::Medium), details }
}

/// The denial for a provider the snapshot does not know (config validation prevents it).
pub(super) fn unavailable(matched: &CustomMatch) -> Denial {
    base(matched, StatusCode::FORBIDDEN, "the request could not be authorized")
        .detail("reason", "provider_unavailable")
}

/// A `policy_denied` denial naming the CUSTOM policy, its rule and provider.
fn base(matched: &CustomMatch, status: StatusCode, message: &str) -> Denial {
    Denial::new(status, error_code(status), message)
        .event(EventType::PolicyDenied)
        .detail("policy", &*matched.policy)
        .detail("rule", matched.rule)
        .detail("provider", &*matched.provider)
}

/// The JSON `error` for a denial status.
fn error_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        _ if status.is_server_error() => "authorization_unavailable",
        _ => "access_denied",
    }
}
