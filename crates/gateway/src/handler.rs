//! The request entry point: identify, normalize, route, run the stages, proxy, record.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use http::header::{HeaderValue, CONTENT_LENGTH, USER_AGENT};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use rampart_events::{EventSink, EventType, SecurityEvent};
use rampart_path::PathOptions;

use crate::config::{CompiledRoute, Snapshot};
use crate::forwarding::X_REQUEST_ID;
use crate::metrics::{Metrics, NO_ROUTE};
use crate::pipeline::{Denial, Flow, RequestContext};
use crate::proxy::{self, BodyFault, ClientBody, GuardedBody};
use crate::respond::{denial_response, ResponseBody};
use http_body_util::BodyExt;

/// What the accept loop knows about a client connection.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    /// The TCP peer.
    pub peer: SocketAddr,
    /// The listener's name.
    pub listener: Arc<str>,
    /// Whether the connection is TLS.
    pub tls: bool,
    /// Whether the client presented a certificate that chains to the listener's client CA.
    pub peer_verified: bool,
    /// The identity of that certificate (SPIFFE ID without scheme, DNS SAN or CN).
    pub principal: Option<Arc<str>>,
    /// The local port the connection arrived on.
    pub local_port: Option<u16>,
    /// The local address the connection arrived on (`destination.ip` in policies).
    pub local_ip: Option<std::net::IpAddr>,
    /// The TLS server name the client asked for (`connection.sni` in policies).
    pub sni: Option<Arc<str>>,
}

/// State shared by every connection: the current snapshot, metrics and the event sink.
#[derive(Debug)]
pub struct Gateway {
    /// The running config; reload stores a new one, requests in flight keep theirs.
    pub snapshot: ArcSwap<Snapshot>,
    /// Metrics, kept across reloads.
    pub metrics: Arc<Metrics>,
    /// Where security events go.
    pub events: EventSink,
    path_options: PathOptions,
}

impl Gateway {
    /// Shared state around a first snapshot.
    pub fn new(snapshot: Snapshot, metrics: Arc<Metrics>, events: EventSink) -> Self {
        Self {
            snapshot: ArcSwap::from_pointee(snapshot),
            metrics,
            events,
            path_options: PathOptions::default(),
        }
    }

    /// Serves one request; never fails, every problem becomes a response.
    pub async fn handle(
        self: Arc<Self>,
        conn: Arc<ConnectionInfo>,
        request: Request<Incoming>,
    ) -> Result<Response<ResponseBody>, Infallible> {
        let snapshot = self.snapshot.load_full();
        let mut ctx = self.identify(&snapshot, &conn, &request);
        let user_agent = request.headers().get(USER_AGENT).cloned();
        let method = request.method().clone();

        let mut response =
            self.route_and_serve(&snapshot, &mut ctx, request, &method, user_agent.as_ref()).await;
        for (name, value) in std::mem::take(&mut ctx.response_headers) {
            response.headers_mut().append(name, value);
        }

        let status = response.status();
        let route_label = ctx.route.clone().unwrap_or_else(|| NO_ROUTE.into());
        self.metrics.request(&route_label, status.as_u16(), ctx.started.elapsed());
        for recorded in std::mem::take(&mut ctx.events) {
            let event = self.event(&ctx, recorded.event_type, &method, user_agent.as_ref());
            self.emit(event, status, recorded.severity, &recorded.details);
        }
        if ctx.identity.is_some() && status.as_u16() < 400 {
            let event = self.event(&ctx, EventType::RequestAllowed, &method, user_agent.as_ref());
            self.events.emit(event.with_status(status.as_u16()));
        }
        Ok(response)
    }

    fn identify(
        &self,
        snapshot: &Snapshot,
        conn: &ConnectionInfo,
        request: &Request<Incoming>,
    ) -> RequestContext {
        let request_id = request_id(request.headers().get(&X_REQUEST_ID));
        let client_ip = snapshot.trusted_proxies.client_ip(conn.peer.ip(), request.headers());
        RequestContext {
            request_id,
            peer: conn.peer,
            client_ip,
            listener: conn.listener.clone(),
            tls: conn.tls,
            peer_verified: conn.peer_verified,
            principal: conn.principal.clone(),
            local_port: conn.local_port,
            local_ip: conn.local_ip,
            sni: conn.sni.clone(),
            path: String::new(),
            host: String::new(),
            route: None,
            path_params: Vec::new(),
            identity: None,
            upstream_headers: Vec::new(),
            upstream_header_removals: Vec::new(),
            started: Instant::now(),
            events: Vec::new(),
            response_headers: Vec::new(),
            waf_exchange: None,
        }
    }

    async fn route_and_serve(
        &self,
        snapshot: &Snapshot,
        ctx: &mut RequestContext,
        request: Request<Incoming>,
        method: &http::Method,
        user_agent: Option<&HeaderValue>,
    ) -> Response<ResponseBody> {
        let route = match self.find_route(snapshot, ctx, &request) {
            Ok(route) => route,
            Err(denial) => {
                ctx.path = request.uri().path().to_owned();
                return self.deny(ctx, &denial, method, user_agent);
            }
        };
        ctx.route = Some(route.name.clone());

        if let Err(denial) = check_declared_length(&request, route.max_body_bytes) {
            return self.deny(ctx, &denial, method, user_agent);
        }

        let (head, body) = request.into_parts();
        for stage in &route.stages {
            if let Flow::Deny(denial) = stage.on_request(ctx, &head).await {
                return self.deny(ctx, &denial, method, user_agent);
            }
        }

        let body = match self.inspect_body(route, ctx, &head, body).await {
            Ok(body) => body,
            Err(denial) => {
                return self.deny(ctx, &denial, method, user_agent);
            }
        };

        let request = Request::from_parts(head, body);
        match proxy::forward(snapshot, route, ctx, request).await {
            Ok(response) => match inspect_response(route, ctx, response).await {
                Ok(response) => response,
                Err(denial) => self.deny(ctx, &denial, method, user_agent),
            },
            Err(failure) => {
                let denial = failure.into_denial(&route.upstream.name);
                if failure.is_upstream_fault() {
                    self.metrics.upstream_error(&route.upstream.name, failure.kind());
                }
                self.deny(ctx, &denial, method, user_agent)
            }
        }
    }

    /// Reads the body for the route's body stages and runs them; streams it untouched otherwise.
    async fn inspect_body(
        &self,
        route: &CompiledRoute,
        ctx: &mut RequestContext,
        head: &http::request::Parts,
        body: Incoming,
    ) -> Result<ClientBody, Box<Denial>> {
        if !route.stages.iter().any(|stage| stage.inspects_body()) {
            return Ok(ClientBody::Streaming(body));
        }

        let bytes = read_body(body, route.max_body_bytes).await?;
        for stage in route.stages.iter().filter(|stage| stage.inspects_body()) {
            if let Flow::Deny(denial) = stage.on_body(ctx, head, &bytes).await {
                return Err(denial);
            }
        }
        Ok(ClientBody::Buffered(bytes))
    }

    fn find_route<'s>(
        &self,
        snapshot: &'s Snapshot,
        ctx: &mut RequestContext,
        request: &Request<Incoming>,
    ) -> Result<&'s CompiledRoute, Box<Denial>> {
        if request.method() == Method::CONNECT {
            let message = "CONNECT is not supported: rampart is a reverse proxy, not a tunnel";
            let denial = Denial::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", message)
                .detail("reason", "connect_not_supported")
                .header(http::header::CONNECTION, HeaderValue::from_static("close"));
            return Err(Box::new(denial));
        }
        let path = rampart_path::normalize_path(request.uri().path(), &self.path_options).map_err(
            |error| {
                Box::new(
                    Denial::new(StatusCode::BAD_REQUEST, "invalid_path", error.to_string())
                        .detail("reason", "invalid_path"),
                )
            },
        )?;
        ctx.path = path;
        ctx.host = request_host(request).map_err(|message| {
            Box::new(
                Denial::new(StatusCode::BAD_REQUEST, "invalid_host", message)
                    .detail("reason", "invalid_host"),
            )
        })?;

        let mut params = Vec::new();
        let route = snapshot.routes.iter().find(|route| {
            params.clear();
            route.matcher.matches(&ctx.host, request.method(), &ctx.path, &mut params)
        });
        ctx.path_params = params;
        route.ok_or_else(|| {
            Box::new(
                Denial::new(StatusCode::NOT_FOUND, "no_route", "no route matches this request")
                    .detail("reason", "no_route"),
            )
        })
    }

    fn deny(
        &self,
        ctx: &RequestContext,
        denial: &Denial,
        method: &http::Method,
        user_agent: Option<&HeaderValue>,
    ) -> Response<ResponseBody> {
        let event = self.event(ctx, denial.event_type, method, user_agent);
        self.emit(event, denial.status, denial.severity, &denial.details);
        denial_response(denial, &ctx.request_id)
    }

    /// Completes an event with the status, a stage's severity and details, and emits it.
    fn emit(
        &self,
        event: SecurityEvent,
        status: StatusCode,
        severity: Option<rampart_events::Severity>,
        details: &[(&'static str, serde_json::Value)],
    ) {
        let mut event = event.with_status(status.as_u16());
        if let Some(severity) = severity {
            event = event.with_severity(severity);
        }
        for (key, value) in details {
            event.insert_detail(key, value.clone());
        }
        self.events.emit(event);
    }

    fn event(
        &self,
        ctx: &RequestContext,
        event_type: EventType,
        method: &http::Method,
        user_agent: Option<&HeaderValue>,
    ) -> SecurityEvent {
        let mut event = SecurityEvent::new(event_type)
            .with_request_id(ctx.request_id.to_str().unwrap_or_default())
            .with_source_ip(ctx.client_ip)
            .with_method(method.as_str())
            .with_path(ctx.path.as_str());
        if let Some(agent) = user_agent.and_then(|v| v.to_str().ok()) {
            event = event.with_user_agent(agent);
        }
        if let Some(route) = &ctx.route {
            event = event.with_route(route.as_ref());
        }
        if let Some(subject) = ctx.subject() {
            event = event.with_identity(subject);
        }
        if let Some(principal) = &ctx.principal {
            event.insert_detail("principal", &**principal);
        }
        event
    }
}

/// Runs the route's response stages over the upstream's response, in order.
async fn inspect_response(
    route: &CompiledRoute,
    ctx: &mut RequestContext,
    mut response: Response<ResponseBody>,
) -> Result<Response<ResponseBody>, Box<Denial>> {
    for stage in route.stages.iter().filter(|stage| stage.inspects_response()) {
        response = stage.on_response(ctx, response).await?;
    }
    Ok(response)
}

/// Keeps a well-formed incoming request id (1-128 of `[A-Za-z0-9._:-]`), else makes a UUIDv7.
pub fn request_id(incoming: Option<&HeaderValue>) -> HeaderValue {
    let valid = incoming.filter(|value| {
        let bytes = value.as_bytes();
        (1..=128).contains(&bytes.len())
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    });
    match valid {
        Some(value) => value.clone(),
        None => {
            let id = uuid::Uuid::now_v7().hyphenated().to_string();
            HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
        }
    }
}

/// The normalized host name of a request, from the URI's authority (HTTP/2, absolute form) or
/// the Host header. Refuses what RFC 9112 (3.2) and RFC 9113 (8.3.1) call malformed, because a
/// gateway that routes on one host while the upstream sees another can be bypassed: more than
/// one Host header, an HTTP/1.1 request without one, and an authority that names another host
/// than the Host header.
fn request_host(request: &Request<Incoming>) -> Result<String, String> {
    let mut host_headers = request.headers().get_all(http::header::HOST).iter();
    let header = host_headers.next();
    if host_headers.next().is_some() {
        return Err("the request has more than one Host header".to_owned());
    }
    let header = match header {
        Some(value) => {
            let text = value.to_str().map_err(|_| "the Host header is not ASCII".to_owned())?;
            Some(normalize(text, "Host header")?)
        }
        None => None,
    };
    let authority = match request.uri().authority() {
        Some(authority) => Some(normalize(authority.as_str(), "request target's authority")?),
        None => None,
    };

    match (authority, header) {
        (Some(authority), Some(header)) if authority != header => {
            Err("the request target's authority and the Host header name different hosts"
                .to_owned())
        }
        (Some(host), _) | (None, Some(host)) => Ok(host.name),
        (None, None) if request.version() == http::Version::HTTP_11 => {
            Err("an HTTP/1.1 request needs a Host header".to_owned())
        }
        (None, None) => Ok(String::new()),
    }
}

/// Normalizes one host value, naming where it came from in the error.
fn normalize(raw: &str, what: &str) -> Result<rampart_path::NormalizedHost, String> {
    rampart_path::normalize_host(raw).map_err(|error| format!("{what}: {error}"))
}

/// Refuses early a body whose declared length exceeds the route's limit.
fn check_declared_length(request: &Request<Incoming>, limit: u64) -> Result<(), Box<Denial>> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit => Err(Box::new(body_too_large(limit))),
        _ => Ok(()),
    }
}

/// Reads a whole body within `limit`: 413 beyond it, 400 when its framing breaks.
async fn read_body(body: Incoming, limit: u64) -> Result<bytes::Bytes, Box<Denial>> {
    let (guarded, fault) = GuardedBody::new(body, limit);
    match guarded.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) if fault.get() == Some(BodyFault::TooLarge) => Err(Box::new(body_too_large(limit))),
        Err(_) => Err(Box::new(
            Denial::new(StatusCode::BAD_REQUEST, "malformed_body", "the request body is malformed")
                .detail("reason", "malformed_body"),
        )),
    }
}

/// The 413 denial for a body over the route's limit.
pub fn body_too_large(limit: u64) -> Denial {
    Denial::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body exceeds this route's limit of {limit} bytes"),
    )
    .detail("reason", "body_too_large")
    .detail("limit_bytes", limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_follow_the_rules() {
        let kept = HeaderValue::from_static("abc-123_x.y:z");
        assert_eq!(request_id(Some(&kept)), kept);

        let long = HeaderValue::from_str(&"a".repeat(129)).unwrap();
        for bad in [HeaderValue::from_static(""), HeaderValue::from_static("a b"), long] {
            let generated = request_id(Some(&bad));
            assert_ne!(generated, bad);
            let text = generated.to_str().unwrap();
            let parsed = uuid::Uuid::parse_str(text).unwrap();
            assert_eq!(parsed.get_version_num(), 7);
        }
        assert_eq!(request_id(Some(&HeaderValue::from_str(&"a".repeat(128)).unwrap())).len(), 128);
    }
}
