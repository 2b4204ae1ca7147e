//! The request pipeline: an ordered list of stages, each of which lets a request continue or
//! denies it with a status, a JSON error and a security event.
//!
//! Identification (request id, client address) and routing run before the stages, proxying
//! after them. A route's stages are chosen when the config is compiled; a new capability is a new
//! [`Stage`], not an edit to the others.

pub mod authorize;
mod context;
pub mod jwt;
pub mod limit;
pub mod peer_auth;
pub mod validate;
pub mod waf;

use std::future::Future;
use std::pin::Pin;

use http::{HeaderName, HeaderValue, StatusCode};
use rampart_events::{EventType, Severity};
use serde_json::Value;

use crate::respond::ResponseBody;

pub use context::{RequestContext, StageEvent};
pub use jwt::JwtStage;
pub use waf::WafStage;

/// A boxed future, as returned by [`Stage::on_request`].
pub type StageFuture<'a> = Pin<Box<dyn Future<Output = Flow> + Send + 'a>>;

/// A boxed future of [`Stage::on_response`]: the response to send on, or a denial that
/// replaces it.
pub type ResponseFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<ResponseBody>, Box<Denial>>> + Send + 'a>>;

/// One step of the pipeline.
pub trait Stage: Send + Sync + std::fmt::Debug {
    /// A short stable name, used in metrics and debugging.
    fn name(&self) -> &'static str;

    /// Looks at the request head (and the context earlier stages filled in) and decides.
    ///
    /// Stages may add headers for the upstream through the context, and may record an identity.
    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
    ) -> StageFuture<'a>;

    /// Whether the stage needs the whole request body. When any stage of a route does, the
    /// body is read (within the route's limit) after every stage's `on_request` has continued,
    /// and then given to [`Stage::on_body`]; otherwise the body streams to the upstream unread.
    fn inspects_body(&self) -> bool {
        false
    }

    /// Looks at the whole request body; called only when [`Stage::inspects_body`] is true.
    fn on_body<'a>(
        &'a self,
        _ctx: &'a mut RequestContext,
        _head: &'a http::request::Parts,
        _body: &'a bytes::Bytes,
    ) -> StageFuture<'a> {
        Box::pin(std::future::ready(Flow::Continue))
    }

    /// Whether the stage looks at the upstream's responses; when no stage of a route does,
    /// responses stream to the client untouched.
    fn inspects_response(&self) -> bool {
        false
    }

    /// Looks at the upstream's response (head, and body if the stage reads it) before it goes
    /// to the client; called only when [`Stage::inspects_response`] is true, in stage order.
    /// Returns the response to send on, or a denial whose JSON error replaces it (the
    /// upstream body is then dropped, which closes that upstream connection).
    fn on_response<'a>(
        &'a self,
        _ctx: &'a mut RequestContext,
        response: http::Response<ResponseBody>,
    ) -> ResponseFuture<'a> {
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// A stage's decision.
#[derive(Debug)]
pub enum Flow {
    /// Go on to the next stage.
    Continue,
    /// Stop here and answer the client.
    Deny(Box<Denial>),
}

impl Flow {
    /// A denial, boxed.
    pub fn deny(denial: Denial) -> Self {
        Self::Deny(Box::new(denial))
    }
}

/// Everything needed to answer a denied request and record why.
#[derive(Debug)]
pub struct Denial {
    /// Status sent to the client.
    pub status: StatusCode,
    /// A stable machine-readable error code for the JSON body, such as `invalid_token`.
    pub error: &'static str,
    /// A short public message; never internals, never secrets.
    pub message: String,
    /// Extra response headers, such as `WWW-Authenticate`.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The event type recorded.
    pub event_type: EventType,
    /// Severity of the event; the event type's default when `None`.
    pub severity: Option<Severity>,
    /// Stage-specific event fields (never secrets).
    pub details: Vec<(&'static str, Value)>,
    /// Extra fields for the JSON error body (e.g. validation `details`); none when `None`.
    pub body_fields: Option<serde_json::Map<String, Value>>,
}

impl Denial {
    /// A denial with no extra headers or details.
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error,
            message: message.into(),
            headers: Vec::new(),
            event_type: EventType::RequestDenied,
            severity: None,
            details: Vec::new(),
            body_fields: None,
        }
    }

    /// Sets the event type.
    pub fn event(mut self, event_type: EventType) -> Self {
        self.event_type = event_type;
        self
    }

    /// Adds a detail field to the event.
    pub fn detail(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.details.push((key, value.into()));
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}
