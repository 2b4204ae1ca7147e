//! The validate stage: a route's `validate:` rules or its OpenAPI document, checked with the
//! `rampart-validate` crate after authentication and before the WAF.
//!
//! An OpenAPI route matches a path prefix (`match.path: /api/*`); this stage looks the rest
//! of the path (after `openapi.base_path`) up among the document's operations. In strict
//! mode an unknown path is denied with 404 and an unknown method with 405 and `Allow`; without
//! strict mode such requests pass unvalidated.

use std::sync::Arc;

use http::header::ALLOW;
use http::{HeaderValue, StatusCode};
use rampart_events::EventType;
use rampart_validate::{OpenApiMatch, OpenApiRoutes, Rejection, RequestHead, RequestValidator};
use serde_json::Value;

use super::{Denial, Flow, RequestContext, Stage, StageFuture};

/// Validates requests against one route's compiled rules.
#[derive(Debug)]
pub struct ValidateStage {
    validator: RequestValidator,
}

impl ValidateStage {
    /// A stage over a compiled validator.
    pub fn new(validator: RequestValidator) -> Self {
        Self { validator }
    }
}

impl Stage for ValidateStage {
    fn name(&self) -> &'static str {
        "validate"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        let params: Vec<(&str, &str)> =
            ctx.path_params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let flow = check_head(&self.validator, head, &params);
        Box::pin(std::future::ready(flow))
    }

    fn inspects_body(&self) -> bool {
        self.validator.wants_body()
    }

    fn on_body<'a>(
        &'a self,
        _ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
        body: &'a bytes::Bytes,
    ) -> StageFuture<'a> {
        let flow = check_body(&self.validator, head, body);
        Box::pin(std::future::ready(flow))
    }
}

/// Validates requests against the operations of an OpenAPI document.
#[derive(Debug)]
pub struct OpenApiStage {
    routes: Arc<OpenApiRoutes>,
    base_path: String,
}

impl OpenApiStage {
    /// A stage over a loaded document whose paths are relative to `base_path`.
    pub fn new(routes: Arc<OpenApiRoutes>, base_path: &str) -> Self {
        let base_path = base_path.trim_end_matches('/').to_owned();
        Self { routes, base_path }
    }

    fn relative<'p>(&self, path: &'p str) -> Option<&'p str> {
        let rest = path.strip_prefix(self.base_path.as_str())?;
        match rest {
            "" => Some("/"),
            _ if rest.starts_with('/') => Some(rest),
            _ => None,
        }
    }

    fn lookup(&self, ctx: &RequestContext, head: &http::request::Parts) -> OpenApiMatch<'_> {
        match self.relative(&ctx.path) {
            Some(path) => self.routes.find(&head.method, path),
            None => OpenApiMatch::NoPath,
        }
    }

    fn check_request(&self, ctx: &RequestContext, head: &http::request::Parts) -> Flow {
        match self.lookup(ctx, head) {
            OpenApiMatch::Found { op, params } => {
                let params: Vec<(&str, &str)> =
                    params.iter().map(|(n, v)| (*n, v.as_str())).collect();
                check_head(&op.validator, head, &params)
            }
            _ if !self.routes.strict() => Flow::Continue,
            OpenApiMatch::NoPath => Flow::deny(unknown_path()),
            OpenApiMatch::MethodNotAllowed { allowed } => Flow::deny(unknown_method(allowed)),
        }
    }
}

impl Stage for OpenApiStage {
    fn name(&self) -> &'static str {
        "validate"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        let flow = self.check_request(ctx, head);
        Box::pin(std::future::ready(flow))
    }

    fn inspects_body(&self) -> bool {
        self.routes.operations().iter().any(|op| op.validator.wants_body())
    }

    fn on_body<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
        body: &'a bytes::Bytes,
    ) -> StageFuture<'a> {
        let flow = match self.lookup(ctx, head) {
            OpenApiMatch::Found { op, .. } => check_body(&op.validator, head, body),
            _ => Flow::Continue,
        };
        Box::pin(std::future::ready(flow))
    }
}

fn check_head(
    validator: &RequestValidator,
    head: &http::request::Parts,
    params: &[(&str, &str)],
) -> Flow {
    let request = RequestHead {
        method: &head.method,
        path_params: params,
        query: head.uri.query(),
        headers: &head.headers,
    };
    match validator.validate_head(&request) {
        Ok(()) => Flow::Continue,
        Err(rejection) => Flow::deny(rejected(rejection)),
    }
}

fn check_body(
    validator: &RequestValidator,
    head: &http::request::Parts,
    body: &bytes::Bytes,
) -> Flow {
    if !validator.wants_body_for(&head.headers) {
        return Flow::Continue;
    }
    match validator.validate_body(body) {
        Ok(()) => Flow::Continue,
        Err(rejection) => Flow::deny(rejected(rejection)),
    }
}

/// The denial for a validation failure: the crate's status, and its details both in the body
/// and in the `validation_failed` event. Details hold at most a short prefix of any value.
fn rejected(rejection: Rejection) -> Denial {
    let status = StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::BAD_REQUEST);
    let details = serde_json::to_value(&rejection.details).unwrap_or(Value::Array(Vec::new()));
    let mut fields = serde_json::Map::new();
    fields.insert("details".to_owned(), details.clone());

    let code = reason(status);
    let mut denial = Denial::new(status, code, rejection.message)
        .event(EventType::ValidationFailed)
        .detail("reason", code)
        .detail("validation_errors", details);
    denial.body_fields = Some(fields);
    denial
}

/// The error code of the body and the event's reason; 413 and 415 use the gateway's own codes.
fn reason(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ => "invalid_request",
    }
}

fn unknown_path() -> Denial {
    Denial::new(StatusCode::NOT_FOUND, "unknown_operation", "the API does not describe this path")
        .event(EventType::ValidationFailed)
        .detail("reason", "openapi_unknown_path")
}

fn unknown_method(allowed: &[http::Method]) -> Denial {
    let list: Vec<&str> = allowed.iter().map(http::Method::as_str).collect();
    let allow = list.join(", ");
    let message = format!("the API does not allow this method here; allowed: {allow}");
    let denial = Denial::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", message)
        .event(EventType::ValidationFailed)
        .detail("reason", "openapi_unknown_method")
        .detail("allowed", list);
    match HeaderValue::from_str(&allow) {
        Ok(value) => denial.header(ALLOW, value),
        Err(_) => denial,
    }
}
