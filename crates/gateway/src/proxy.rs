//! Forwarding a request to its route's upstream and streaming the answer back.

mod body;
mod prefix;
mod upgrade;

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderValue, HOST};
use http::uri::PathAndQuery;
use http::{HeaderMap, Request, Response, StatusCode, Uri, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use rampart_events::{EventType, Severity};

use crate::config::model::{HostMode, HostPolicy, UpstreamProtocol};
use crate::config::{CompiledRoute, Snapshot};
use crate::forwarding::{self, Hop, X_REQUEST_ID};
use crate::pipeline::{Denial, RequestContext};
use crate::respond::ResponseBody;
use crate::tls::upstream::{IdentityMismatch, UpstreamTlsFailure};
use crate::upstream::{connector, Target, UpstreamBody};

pub use body::{BodyFault, ClientBody, FaultFlag, GuardedBody};
pub use prefix::BodyPrefix;

/// How many targets a request without a body may try when connections are refused.
const MAX_CONNECT_ATTEMPTS: usize = 3;

/// Why a request could not be proxied.
#[derive(Debug)]
pub enum ProxyFailure {
    /// Every target of the upstream is resting after refusing connections.
    NoHealthyTarget,
    /// No connection could be made to the target.
    Connect,
    /// The upstream did not answer within the route's timeout.
    Timeout,
    /// The exchange with the upstream failed after connecting.
    Upstream,
    /// The client sent more body than the route allows.
    BodyTooLarge(u64),
    /// The client's body was malformed (for example an invalid chunk size).
    MalformedBody,
    /// TLS with the target failed (untrusted certificate, refused client certificate, ...).
    UpstreamTls {
        /// The target.
        target: String,
        /// What failed.
        reason: String,
    },
    /// The target's certificate verified but names another SPIFFE ID than the expected one.
    UpstreamIdentity {
        /// The target.
        target: String,
        /// The mismatch.
        mismatch: IdentityMismatch,
    },
}

impl ProxyFailure {
    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NoHealthyTarget => "unavailable",
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Upstream => "protocol",
            Self::BodyTooLarge(_) => "body_too_large",
            Self::MalformedBody => "malformed_body",
            Self::UpstreamTls { .. } => "tls",
            Self::UpstreamIdentity { .. } => "identity",
        }
    }

    /// Whether the upstream (not the client) is at fault, for the upstream error metric.
    pub fn is_upstream_fault(&self) -> bool {
        !matches!(self, Self::BodyTooLarge(_) | Self::MalformedBody)
    }

    /// The response and event for this failure; client faults are not upstream failures.
    pub fn into_denial(&self, upstream: &Arc<str>) -> Denial {
        let upstream_failure = |status, error, message: &str| {
            Denial::new(status, error, message)
                .event(EventType::UpstreamFailure)
                .detail("upstream", upstream.as_ref())
                .detail("reason", self.kind())
        };
        match self {
            Self::NoHealthyTarget => upstream_failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "upstream_unavailable",
                "no healthy upstream target is available",
            ),
            Self::Connect => upstream_failure(
                StatusCode::BAD_GATEWAY,
                "upstream_connect_failed",
                "the upstream could not be reached",
            ),
            Self::Timeout => upstream_failure(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                "the upstream did not answer in time",
            ),
            Self::Upstream => upstream_failure(
                StatusCode::BAD_GATEWAY,
                "upstream_error",
                "the upstream failed to answer",
            ),
            Self::BodyTooLarge(limit) => crate::handler::body_too_large(*limit),
            Self::MalformedBody => Denial::new(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                "the request body is malformed",
            )
            .detail("reason", "malformed_body"),
            Self::UpstreamTls { target, reason } => tls_denial(
                upstream,
                "upstream_tls_failed",
                "the upstream's TLS could not be verified",
            )
            .detail("target", target.as_str())
            .detail("reason", "handshake_failed")
            .detail("error", reason.as_str()),
            Self::UpstreamIdentity { target, mismatch } => tls_denial(
                upstream,
                "upstream_identity_mismatch",
                "the upstream's identity is not the expected one",
            )
            .detail("target", target.as_str())
            .detail("reason", "identity_mismatch")
            .detail("expected_spiffe_id", mismatch.expected.as_ref())
            .detail("presented_spiffe_ids", mismatch.presented.clone()),
        }
    }
}

/// A 502 with an `upstream_tls_failed` event of high severity.
fn tls_denial(upstream: &Arc<str>, error: &'static str, message: &str) -> Denial {
    let mut denial = Denial::new(StatusCode::BAD_GATEWAY, error, message)
        .event(UPSTREAM_TLS_FAILED)
        .detail("upstream", upstream.as_ref());
    denial.severity = Some(Severity::High);
    denial
}

/// The event of a failed TLS handshake with, or a wrong identity of, an upstream.
pub const UPSTREAM_TLS_FAILED: EventType = EventType::Custom("upstream_tls_failed");

/// Sends the request to one of the route's targets and returns the upstream's response.
pub async fn forward(
    snapshot: &Snapshot,
    route: &CompiledRoute,
    ctx: &RequestContext,
    mut request: Request<ClientBody>,
) -> Result<Response<ResponseBody>, ProxyFailure> {
    let client_upgrade = upgrade::take_client_upgrade(&mut request);
    let (mut head, body) = request.into_parts();
    let original_host = head
        .headers
        .get(HOST)
        .cloned()
        .or_else(|| head.uri.authority().and_then(|a| HeaderValue::from_str(a.as_str()).ok()));
    let upgrade_protocol =
        prepare_headers(snapshot, ctx, &mut head.headers, original_host.as_ref());
    let path_and_query = upstream_path(&ctx.path, head.uri.query());

    let (replayable, mut streaming, fault) = match body {
        ClientBody::Buffered(bytes) => (Some(bytes), None, FaultFlag::default()),
        ClientBody::Streaming(incoming) if hyper::body::Body::is_end_stream(&incoming) => {
            (Some(Bytes::new()), None, FaultFlag::default())
        }
        ClientBody::Streaming(incoming) => {
            let (guarded, fault) = GuardedBody::new(incoming, route.max_body_bytes);
            (None, Some(guarded.boxed()), fault)
        }
    };

    let attempts = match replayable {
        Some(_) => MAX_CONNECT_ATTEMPTS.min(route.upstream.len()),
        None => 1,
    };
    for attempt in 1..=attempts {
        let target = route.upstream.pick().ok_or(ProxyFailure::NoHealthyTarget)?;
        let this_body = match (&replayable, streaming.take()) {
            (Some(bytes), _) if bytes.is_empty() => {
                http_body_util::Empty::new().map_err(|never| match never {}).boxed()
            }
            (Some(bytes), _) => {
                http_body_util::Full::new(bytes.clone()).map_err(|never| match never {}).boxed()
            }
            (None, Some(body)) => body,
            (None, None) => return Err(ProxyFailure::Upstream),
        };
        let outgoing = build_request(
            route,
            ctx,
            &head,
            target,
            &path_and_query,
            original_host.as_ref(),
            upgrade_protocol.as_ref(),
            this_body,
        )?;

        let sent = tokio::time::timeout(route.timeout, route.client.request(outgoing)).await;
        let result = match sent {
            Err(_elapsed) => Err(ProxyFailure::Timeout),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) if connector::tls_failure(&error).is_some() => {
                Err(tls_failure(&error, target))
            }
            Ok(Err(error)) if error.is_connect() => {
                route.upstream.mark_unhealthy(target);
                tracing::warn!(upstream = %route.upstream.name, target = %target.authority, attempt, "upstream connect failed");
                Err(ProxyFailure::Connect)
            }
            Ok(Err(error)) => {
                tracing::warn!(upstream = %route.upstream.name, target = %target.authority, error = %error, "upstream exchange failed");
                Err(ProxyFailure::Upstream)
            }
        };

        match (result, fault.get()) {
            (_, Some(BodyFault::TooLarge)) => {
                return Err(ProxyFailure::BodyTooLarge(route.max_body_bytes))
            }
            (_, Some(BodyFault::Malformed)) => return Err(ProxyFailure::MalformedBody),
            (Err(ProxyFailure::Connect), None) if attempt < attempts => continue,
            (Err(failure), None) => return Err(failure),
            (Ok(response), None) => {
                return Ok(finish_response(response, ctx, client_upgrade));
            }
        }
    }
    Err(ProxyFailure::Connect)
}

/// The failure for an upstream TLS error (found by [`connector::tls_failure`]).
fn tls_failure(error: &(dyn std::error::Error + 'static), target: &Target) -> ProxyFailure {
    let Some(failure) = connector::tls_failure(error) else { return ProxyFailure::Upstream };
    tracing::warn!(target = %target.authority, error = %failure, "upstream tls failed");

    let target = target.authority.to_string();
    match failure {
        UpstreamTlsFailure::Identity(mismatch) => {
            ProxyFailure::UpstreamIdentity { target, mismatch }
        }
        UpstreamTlsFailure::Handshake { reason } => ProxyFailure::UpstreamTls { target, reason },
    }
}

/// Rewrites the client's headers for the upstream; returns the upgrade protocol if one is asked.
fn prepare_headers(
    snapshot: &Snapshot,
    ctx: &RequestContext,
    headers: &mut HeaderMap,
    original_host: Option<&HeaderValue>,
) -> Option<HeaderValue> {
    let upgrade = forwarding::strip_hop_by_hop(headers);
    for name in &ctx.upstream_header_removals {
        headers.remove(name);
    }
    for (name, value) in &ctx.upstream_headers {
        headers.append(name.clone(), value.clone());
    }

    let peer_trusted = snapshot.trusted_proxies.contains(ctx.peer.ip());
    let scheme = if ctx.tls { "https" } else { "http" };
    let hop = Hop { peer: ctx.peer.ip(), peer_trusted, scheme, host: original_host };
    forwarding::set_forwarded(headers, hop);
    headers.insert(&X_REQUEST_ID, ctx.request_id.clone());
    upgrade
}

fn upstream_path(path: &str, query: Option<&str>) -> String {
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn build_request(
    route: &CompiledRoute,
    ctx: &RequestContext,
    head: &http::request::Parts,
    target: &Target,
    path_and_query: &str,
    original_host: Option<&HeaderValue>,
    upgrade_protocol: Option<&HeaderValue>,
    body: UpstreamBody,
) -> Result<Request<UpstreamBody>, ProxyFailure> {
    let path = PathAndQuery::try_from(path_and_query).map_err(|_| ProxyFailure::MalformedBody)?;
    let uri = Uri::builder()
        .scheme(route.upstream.scheme())
        .authority(target.authority.clone())
        .path_and_query(path)
        .build()
        .map_err(|_| ProxyFailure::Upstream)?;

    let mut request = Request::new(body);
    *request.method_mut() = head.method.clone();
    *request.uri_mut() = uri;
    *request.headers_mut() = head.headers.clone();
    *request.version_mut() = match route.upstream.protocol {
        UpstreamProtocol::Http1 => Version::HTTP_11,
        UpstreamProtocol::Http2 => Version::HTTP_2,
    };

    let host = match &route.host {
        HostPolicy::Mode(HostMode::Preserve) => original_host.cloned(),
        HostPolicy::Mode(HostMode::Target) => HeaderValue::from_str(target.authority.as_str()).ok(),
        HostPolicy::Rewrite(host) => HeaderValue::from_str(&host.rewrite).ok(),
    };
    let headers = request.headers_mut();
    match host {
        Some(host) => headers.insert(HOST, host),
        None => headers.remove(HOST),
    };
    if let Some(protocol) = upgrade_protocol {
        headers.insert(http::header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(http::header::UPGRADE, protocol.clone());
    }
    let _ = ctx;
    Ok(request)
}

fn finish_response(
    response: Response<Incoming>,
    ctx: &RequestContext,
    client_upgrade: Option<hyper::upgrade::OnUpgrade>,
) -> Response<ResponseBody> {
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        if let Some(client_upgrade) = client_upgrade {
            return upgrade::splice(response, client_upgrade, ctx);
        }
    }

    let (mut head, body) = response.into_parts();
    forwarding::strip_hop_by_hop(&mut head.headers);
    head.headers.insert(&X_REQUEST_ID, ctx.request_id.clone());
    Response::from_parts(head, body.map_err(Into::into).boxed())
}
