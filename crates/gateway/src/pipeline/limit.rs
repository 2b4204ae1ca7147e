//! The limit stage: API keys and usage plans, then rate limits and quotas (docs/limits.md).
//!
//! Runs after authentication and authorization, so policies can count by JWT subject or
//! claim. A presented API key is authenticated (401 when unknown, disabled or expired; 403
//! when its plan does not include the route) and adds its plan's throttle and quotas.

use std::borrow::Cow;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use http::{HeaderName, HeaderValue, StatusCode};
use rampart_events::EventType;
use rampart_limits::{
    ApiKey, ApiKeyError, ApiKeyIndex, Clock, CompiledLimits, Decision, DenyReason, Limiter, Policy,
    RequestAttributes, SystemClock,
};

use super::{Denial, Flow, RequestContext, Stage, StageFuture};
use crate::metrics::Metrics;
use crate::reload::Fingerprint;

mod keys_watch;

pub use keys_watch::{reload_keys, watch_keys};

/// The limits state of one snapshot: the compiled policies, the process-wide limiter (kept
/// across reloads while its stores are unchanged) and the loaded API keys.
#[derive(Debug)]
pub struct LimitsRuntime {
    /// The compiled `rate_limiting` section.
    pub compiled: CompiledLimits,
    /// The limiter holding the counters.
    pub limiter: Arc<Limiter>,
    /// Policies applied to every route (`global_rate_limits`).
    pub global: Vec<Arc<Policy>>,
    /// API keys, when `rate_limiting.api_keys.file` is set.
    pub keys: Option<ApiKeys>,
}

/// The loaded keys file and where requests carry keys.
#[derive(Debug)]
pub struct ApiKeys {
    /// Keys by digest and id; replaced whole when the keys file changes on disk
    /// (see [`watch_keys`]).
    pub index: ArcSwap<ApiKeyIndex>,
    /// The fingerprint of the keys file the index was read from.
    pub loaded: Mutex<Fingerprint>,
    /// The keys file (the admin API persists enable/disable there).
    pub file: PathBuf,
    /// Request header carrying the key.
    pub header: HeaderName,
    /// Query parameter carrying the key, if any.
    pub query_param: Option<String>,
    /// Whether the key header is forwarded upstream (default: removed).
    pub forward_key: bool,
}

/// Limits requests on one route.
#[derive(Debug)]
pub struct LimitStage {
    runtime: Arc<LimitsRuntime>,
    policies: Vec<Arc<Policy>>,
    require_key: bool,
    metrics: Arc<Metrics>,
}

impl LimitStage {
    /// A stage applying `policies` (gateway-wide, then the route's) and API keys.
    pub fn new(
        runtime: Arc<LimitsRuntime>,
        policies: Vec<Arc<Policy>>,
        require_key: bool,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self { runtime, policies, require_key, metrics }
    }

    async fn decide(&self, ctx: &mut RequestContext, head: &http::request::Parts) -> Flow {
        if let Some(keys) = self.runtime.keys.as_ref().filter(|keys| !keys.forward_key) {
            ctx.upstream_header_removals.push(keys.header.clone());
        }
        let key = match self.api_key(ctx, head) {
            Ok(key) => key,
            Err(denial) => return Flow::Deny(denial),
        };
        let plan_policies = key.as_ref().map(|k| k.plan.policies.as_slice()).unwrap_or(&[]);
        let policies: Cow<'_, [Arc<Policy>]> = if plan_policies.is_empty() {
            Cow::Borrowed(&self.policies)
        } else {
            Cow::Owned([self.policies.as_slice(), plan_policies].concat())
        };

        let key_id = key.as_ref().map(|k| k.id.as_str());
        let attrs = ContextAttributes { ctx, head, key_id };
        let decision = self.runtime.limiter.check(&policies, &attrs).await;
        self.count(&decision);
        if !decision.allowed {
            return Flow::deny(rate_denial(&decision, key_id));
        }
        ctx.response_headers.extend(header_pairs(&decision));
        Flow::Continue
    }

    /// The presented, valid API key, if any; a denial for a bad key or a plan without
    /// this route.
    fn api_key(
        &self,
        ctx: &RequestContext,
        head: &http::request::Parts,
    ) -> Result<Option<Arc<ApiKey>>, Box<Denial>> {
        let Some(keys) = &self.runtime.keys else { return Ok(None) };
        let Some(presented) = presented_key(keys, head) else {
            if self.require_key {
                return Err(Box::new(key_denial(None)));
            }
            return Ok(None);
        };
        let key = keys
            .index
            .load()
            .authenticate(presented, SystemClock.now_nanos())
            .map_err(|error| Box::new(key_denial(Some(&error))))?;
        let route = ctx.route.as_deref().unwrap_or_default();
        if !key.plan.allows_route(route) {
            return Err(Box::new(
                Denial::new(
                    StatusCode::FORBIDDEN,
                    "route_not_in_plan",
                    "this API key's usage plan does not include this route",
                )
                .event(EventType::Forbidden)
                .detail("reason", "route_not_in_plan")
                .detail("key_id", key.id.as_str())
                .detail("plan", &*key.plan.name),
            ));
        }
        Ok(Some(key))
    }

    fn count(&self, decision: &Decision) {
        for status in &decision.statuses {
            let result = match (status.allowed, decision.allowed) {
                (false, _) => "denied",
                (true, true) => "allowed",
                (true, false) => "not_counted",
            };
            self.metrics.limit_decision(&status.policy, result);
        }
    }
}

impl Stage for LimitStage {
    fn name(&self) -> &'static str {
        "limit"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        Box::pin(self.decide(ctx, head))
    }
}

/// The key from the configured header, else the configured query parameter.
fn presented_key<'h>(keys: &ApiKeys, head: &'h http::request::Parts) -> Option<&'h str> {
    if let Some(value) = head.headers.get(&keys.header) {
        return value.to_str().ok().or(Some(""));
    }
    let name = keys.query_param.as_deref()?;
    rampart_limits::query_param(head.uri.query()?, name)
}

/// 401 for a missing (`None`), malformed, unknown, disabled or expired key; the key never appears.
fn key_denial(error: Option<&ApiKeyError>) -> Denial {
    let (reason, message, id) = match error {
        None => ("missing", "this route requires an API key", None),
        Some(ApiKeyError::Disabled { id }) => ("disabled", "the API key is disabled", Some(id)),
        Some(ApiKeyError::Expired { id }) => ("expired", "the API key has expired", Some(id)),
        Some(ApiKeyError::Malformed) => ("malformed", "the API key is malformed", None),
        _ => ("unknown", "the API key is not recognised", None),
    };
    let mut denial = Denial::new(StatusCode::UNAUTHORIZED, "invalid_api_key", message)
        .event(EventType::AuthenticationFailed)
        .detail("reason", format!("api_key_{reason}"));
    if let Some(id) = id {
        denial = denial.detail("key_id", id.as_str());
    }
    denial
}

/// 429 with the RateLimit headers, `Retry-After` and an event naming the policy and key.
fn rate_denial(decision: &Decision, key_id: Option<&str>) -> Denial {
    let reason = decision.reason.unwrap_or(DenyReason::RateLimited);
    let (event_type, error, message) = match reason {
        DenyReason::RateLimited => {
            (EventType::RateLimited, "rate_limited", "too many requests; retry later")
        }
        DenyReason::QuotaExceeded => {
            (EventType::QuotaExceeded, "quota_exceeded", "the quota for this period is used up")
        }
        DenyReason::StoreUnavailable => (
            EventType::Custom("limit_store_unavailable"),
            "limit_store_unavailable",
            "the rate-limit store is unavailable; retry later",
        ),
    };
    let mut denial = Denial::new(StatusCode::TOO_MANY_REQUESTS, error, message)
        .event(event_type)
        .detail("limit.policy", decision.policy().unwrap_or_default());
    if let Some(status) = &decision.deciding {
        denial = denial.detail("limit.key", status.key.as_str());
    }
    if let Some(id) = key_id {
        denial = denial.detail("key_id", id);
    }
    denial.headers = header_pairs(decision);
    denial
}

/// The decision's headers as typed pairs; values are ASCII by construction, any that are
/// not are dropped rather than sent malformed.
fn header_pairs(decision: &Decision) -> Vec<(HeaderName, HeaderValue)> {
    decision
        .headers()
        .into_iter()
        .filter_map(|(name, value)| {
            let value = HeaderValue::from_str(&value).ok()?;
            Some((HeaderName::from_static(lowercase(name)), value))
        })
        .collect()
}

fn lowercase(name: &'static str) -> &'static str {
    match name {
        "RateLimit-Policy" => "ratelimit-policy",
        "RateLimit" => "ratelimit",
        _ => "retry-after",
    }
}

/// The limiter's view of a request in the pipeline.
struct ContextAttributes<'a> {
    ctx: &'a RequestContext,
    head: &'a http::request::Parts,
    key_id: Option<&'a str>,
}

impl RequestAttributes for ContextAttributes<'_> {
    fn client_ip(&self) -> Option<IpAddr> {
        Some(self.ctx.client_ip)
    }

    fn claim(&self, name: &str) -> Option<Cow<'_, str>> {
        let value = self.ctx.identity.as_ref()?.claim(name)?;
        Some(match value {
            serde_json::Value::String(text) => Cow::Borrowed(text.as_str()),
            other => Cow::Owned(other.to_string()),
        })
    }

    fn subject(&self) -> Option<&str> {
        self.ctx.subject()
    }

    fn api_key_id(&self) -> Option<&str> {
        self.key_id
    }

    fn principal(&self) -> Option<&str> {
        self.ctx.principal.as_deref()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get(name)?.to_str().ok()
    }

    fn route(&self) -> Option<&str> {
        self.ctx.route.as_deref()
    }
}

/// Makes Redis outages visible: a `limit_store_down` / `limit_store_up` event, a warning
/// log and the `rampart_rate_limit_store_up` gauge. Call after every (re)compile; installing
/// twice replaces the hook.
pub fn install_store_hook(
    runtime: &LimitsRuntime,
    metrics: Arc<Metrics>,
    events: rampart_events::EventSink,
) {
    let hook = move |event: &rampart_limits::StoreEvent| {
        let (name, up) = match event {
            rampart_limits::StoreEvent::Down { reason } => {
                tracing::warn!(limit.store = "redis", error = %reason, "rate-limit store down");
                ("limit_store_down", false)
            }
            rampart_limits::StoreEvent::Up => {
                tracing::info!(limit.store = "redis", "rate-limit store up");
                ("limit_store_up", true)
            }
        };
        metrics.limit_store_up(up);
        let mut security = rampart_events::SecurityEvent::new(EventType::Custom(name));
        if let rampart_limits::StoreEvent::Down { reason } = event {
            security = security.with_detail("error", reason.as_str());
        }
        events.emit(security);
    };
    runtime.limiter.set_store_hook(Arc::new(hook));
}
