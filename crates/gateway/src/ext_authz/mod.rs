//! External authorizers for CUSTOM policies, with Envoy ext_authz HTTP semantics.
//!
//! A check is an HTTP/1.1 request to the provider's URL with the client request's method,
//! the prefix followed by the normalized path and query, the original `Host`, an empty body
//! (`content-length: 0`), `x-request-id`, and the headers listed in `include_request_headers`.
//! A 2xx answer allows, a 3xx or 4xx answer denies with its status, anything else (5xx, a
//! timeout, a refused connection, a broken exchange) is a failure the provider's fail mode
//! settles. The answer's body is never forwarded; it is read (at most
//! [`MAX_ANSWER_BODY_BYTES`], within the timeout) only so the connection can be reused.

mod outcome;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rampart_policy::ExternalAuthorizer;

pub use outcome::{CheckFailure, CheckOutcome};

use crate::forwarding::X_REQUEST_ID;

/// The most of an answer's body that is read (and dropped) to keep the connection reusable.
pub const MAX_ANSWER_BODY_BYTES: usize = 64 * 1024;
/// Idle connections kept per authorizer.
const POOL_MAX_IDLE: usize = 64;

/// The external authorizers of a snapshot, by provider name.
#[derive(Debug, Default)]
pub struct Authorizers {
    by_name: HashMap<Arc<str>, Arc<HttpAuthorizer>>,
}

impl Authorizers {
    /// One pooled client per validated provider.
    pub fn new(providers: Vec<ExternalAuthorizer>) -> Self {
        let by_name = providers
            .into_iter()
            .map(|config| (config.name.clone(), Arc::new(HttpAuthorizer::new(config))))
            .collect();
        Self { by_name }
    }

    /// The authorizer named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<HttpAuthorizer>> {
        self.by_name.get(name)
    }
}

/// The parts of a client request a check is made from.
#[derive(Debug, Clone, Copy)]
pub struct CheckRequest<'a> {
    /// The client request's head.
    pub head: &'a http::request::Parts,
    /// The normalized path the gateway authorizes and forwards.
    pub path: &'a str,
    /// The request id, sent as `x-request-id`.
    pub request_id: &'a HeaderValue,
}

/// One external authorizer and its pooled keep-alive client.
#[derive(Debug)]
pub struct HttpAuthorizer {
    config: ExternalAuthorizer,
    client: Client<HttpConnector, Empty<Bytes>>,
}

impl HttpAuthorizer {
    /// A client for `config`; connections open on first use.
    pub fn new(config: ExternalAuthorizer) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(config.timeout));
        connector.set_nodelay(true);
        connector.enforce_http(true);
        let client = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(POOL_MAX_IDLE)
            .build(connector);
        Self { config, client }
    }

    /// The validated settings.
    pub fn config(&self) -> &ExternalAuthorizer {
        &self.config
    }

    /// Asks the authorizer about a request; the provider's timeout bounds the whole exchange.
    pub async fn check(&self, request: CheckRequest<'_>) -> CheckOutcome {
        let started = Instant::now();
        let Some(check) = self.check_request(request) else {
            return CheckOutcome::Failed(CheckFailure::Protocol);
        };
        let timeout = self.config.timeout;
        let response = match tokio::time::timeout(timeout, self.client.request(check)).await {
            Err(_) => return CheckOutcome::Failed(CheckFailure::Timeout(timeout)),
            Ok(Err(error)) if error.is_connect() => {
                return CheckOutcome::Failed(CheckFailure::Unreachable)
            }
            Ok(Err(_)) => return CheckOutcome::Failed(CheckFailure::Protocol),
            Ok(Ok(response)) => response,
        };

        let (head, body) = response.into_parts();
        // Drain a small body so the connection returns to the pool; a large or slow one is
        // dropped with its connection. The verdict comes from the head alone.
        let remaining = timeout.saturating_sub(started.elapsed());
        let drain = Limited::new(body, MAX_ANSWER_BODY_BYTES).collect();
        let _ = tokio::time::timeout(remaining, drain).await;
        self.verdict(head.status, &head.headers)
    }

    /// The check request: method, prefixed path and query, Host, listed headers, no body.
    fn check_request(&self, request: CheckRequest<'_>) -> Option<Request<Empty<Bytes>>> {
        let head = request.head;
        if head.method == Method::CONNECT {
            return None;
        }
        let mut target = format!("{}{}", self.config.path_prefix, request.path);
        if let Some(query) = head.uri.query() {
            target.push('?');
            target.push_str(query);
        }
        let uri = Uri::builder()
            .scheme("http")
            .authority(self.config.authority.clone())
            .path_and_query(target)
            .build()
            .ok()?;

        let mut check = Request::builder().method(head.method.clone()).uri(uri).body(Empty::new());
        let headers = check.as_mut().ok()?.headers_mut();
        if let Some(host) = original_host(head) {
            headers.insert(HOST, host);
        }
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        headers.insert(&X_REQUEST_ID, request.request_id.clone());
        copy_listed(&head.headers, headers, &self.config.include_request_headers);
        check.ok()
    }

    /// Reads the answer's status: 2xx allows, 3xx and 4xx deny, the rest fails.
    fn verdict(&self, status: StatusCode, answer: &HeaderMap) -> CheckOutcome {
        if status.is_success() {
            let wanted = &self.config.headers_to_upstream_on_allow;
            return CheckOutcome::Allowed { upstream_headers: listed(answer, wanted) };
        }
        if status.is_redirection() || status.is_client_error() {
            let wanted = &self.config.headers_to_downstream_on_deny;
            return CheckOutcome::Denied { status, headers: listed(answer, wanted) };
        }
        CheckOutcome::Failed(CheckFailure::ServerError(status))
    }
}

/// The client's Host: the URI's authority (HTTP/2) or the Host header.
fn original_host(head: &http::request::Parts) -> Option<HeaderValue> {
    match head.uri.authority() {
        Some(authority) => HeaderValue::from_str(authority.as_str()).ok(),
        None => head.headers.get(HOST).cloned(),
    }
}

/// Appends every value of the listed headers from `from` to `to`.
fn copy_listed(from: &HeaderMap, to: &mut HeaderMap, names: &[HeaderName]) {
    for name in names {
        for value in from.get_all(name) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// Every value of the listed headers, as pairs.
fn listed(from: &HeaderMap, names: &[HeaderName]) -> Vec<(HeaderName, HeaderValue)> {
    names
        .iter()
        .flat_map(|name| from.get_all(name).iter().map(move |value| (name.clone(), value.clone())))
        .collect()
}
