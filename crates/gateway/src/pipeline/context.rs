//! What the gateway knows about a request while it moves through the pipeline.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use http::{HeaderName, HeaderValue};
use rampart_auth::VerifiedToken;

/// Per-request state shared by the stages.
#[derive(Debug)]
pub struct RequestContext {
    /// The request id (kept from the client when well-formed, generated otherwise).
    pub request_id: HeaderValue,
    /// The TCP peer.
    pub peer: SocketAddr,
    /// The client address after trusted-proxy handling.
    pub client_ip: IpAddr,
    /// Name of the listener the request arrived on.
    pub listener: Arc<str>,
    /// Whether the connection is TLS.
    pub tls: bool,
    /// Whether the client presented a verified certificate (mutual TLS).
    pub peer_verified: bool,
    /// The peer identity from that certificate, `TRUST_DOMAIN/ns/NS/sa/SA` for SPIFFE IDs.
    pub principal: Option<Arc<str>>,
    /// The local port the request arrived on (a policy's `ports` and `destination.port`).
    pub local_port: Option<u16>,
    /// The local address the request arrived on (a policy's `destination.ip`).
    pub local_ip: Option<IpAddr>,
    /// The TLS server name (SNI) of the connection (a policy's `connection.sni`).
    pub sni: Option<Arc<str>>,
    /// The normalized path (no query).
    pub path: String,
    /// The normalized host, without port.
    pub host: String,
    /// Name of the matched route.
    pub route: Option<Arc<str>>,
    /// Parameters captured by the route's path template (percent-decoded).
    pub path_params: Vec<(String, String)>,
    /// The verified identity, once a stage established one.
    pub identity: Option<Arc<VerifiedToken>>,
    /// Headers stages want set on the upstream request (after incoming copies are removed).
    pub upstream_headers: Vec<(HeaderName, HeaderValue)>,
    /// Headers removed from the upstream request whatever the client sent.
    pub upstream_header_removals: Vec<HeaderName>,
    /// When the gateway started on the request.
    pub started: Instant,
    /// Events stages recorded without denying (a WAF match in detect mode, a policy audit);
    /// the handler emits them with the request's fields once the response status is known.
    pub events: Vec<StageEvent>,
    /// Headers stages want on the response to the client, whatever answers (the limit
    /// stage's `RateLimit` headers); the handler appends them.
    pub response_headers: Vec<(HeaderName, HeaderValue)>,
    /// The WAF transaction kept open for response inspection (phases 3 to 5), when the
    /// route's WAF inspects responses and the request was let through.
    pub waf_exchange: Option<super::waf::WafExchange>,
}

/// An event a stage records for the handler to emit.
#[derive(Debug)]
pub struct StageEvent {
    /// The event type.
    pub event_type: rampart_events::EventType,
    /// Severity; the event type's default when `None`.
    pub severity: Option<rampart_events::Severity>,
    /// Stage-specific fields (never secrets).
    pub details: Vec<(&'static str, serde_json::Value)>,
}

impl RequestContext {
    /// The subject of the verified identity, if any.
    pub fn subject(&self) -> Option<&str> {
        self.identity.as_ref().and_then(|token| token.subject())
    }
}
