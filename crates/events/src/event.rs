//! The security event: one record per decision that matters, one JSON line when written.

use std::net::IpAddr;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::kind::{EventType, Severity};
use crate::redact::{bounded, is_secret_key, REDACTED};
use crate::timestamp::Timestamp;

/// One security decision, built on the hot path and serialized later by the writer task.
///
/// Fields serialize in a fixed order and those without a value are written as `null`, so every
/// line has the same schema. Strings are cut at [`crate::MAX_FIELD_BYTES`]. There is no field
/// for headers or credentials: see [`crate::mask_secret`] for the rule on secrets.
///
/// ```
/// use rampart_events::{EventType, SecurityEvent};
///
/// let event = SecurityEvent::new(EventType::Forbidden)
///     .with_request_id("req-1")
///     .with_status(403)
///     .with_detail("missing_scopes", vec!["orders:write"]);
/// assert_eq!(event.status(), Some(403));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityEvent {
    timestamp: Timestamp,
    event_type: EventType,
    severity: Severity,
    request_id: Option<String>,
    source_ip: Option<IpAddr>,
    user_agent: Option<String>,
    method: Option<String>,
    path: Option<String>,
    route: Option<String>,
    identity: Option<String>,
    status: Option<u16>,
    details: Map<String, Value>,
}

impl SecurityEvent {
    /// Starts an event of `event_type` happening now, at the type's default severity.
    pub fn new(event_type: EventType) -> Self {
        Self {
            timestamp: Timestamp(SystemTime::now()),
            event_type,
            severity: event_type.default_severity(),
            request_id: None,
            source_ip: None,
            user_agent: None,
            method: None,
            path: None,
            route: None,
            identity: None,
            status: None,
            details: Map::new(),
        }
    }

    /// Sets when the event happened (for replays and for tests on a fake clock).
    #[must_use]
    pub fn at(mut self, when: SystemTime) -> Self {
        self.timestamp = Timestamp(when);
        self
    }

    /// Overrides the event type's default severity.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the request ID that ties the event to the response and the upstream's logs.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(bounded(request_id.into()));
        self
    }

    /// Sets the client address (after trusted-proxy resolution).
    #[must_use]
    pub fn with_source_ip(mut self, source_ip: IpAddr) -> Self {
        self.source_ip = Some(source_ip);
        self
    }

    /// Sets the client's `User-Agent` header value.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(bounded(user_agent.into()));
        self
    }

    /// Sets the HTTP method.
    #[must_use]
    pub fn with_method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(bounded(method.into()));
        self
    }

    /// Sets the request path. Pass the path only: a query string may hold credentials.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(bounded(path.into()));
        self
    }

    /// Sets the name of the route that matched.
    #[must_use]
    pub fn with_route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(bounded(route.into()));
        self
    }

    /// Sets the verified identity (a JWT subject, a SPIFFE ID, an API key's name, never the key).
    #[must_use]
    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(bounded(identity.into()));
        self
    }

    /// Sets the HTTP status sent to the client.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds a stage-specific field to `details`; see [`SecurityEvent::insert_detail`].
    #[must_use]
    pub fn with_detail(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.insert_detail(key, value);
        self
    }

    /// Adds or replaces a stage-specific field in `details`.
    ///
    /// Keys are fixed names chosen by the stage. A key that names a secret (such as
    /// `authorization`, `cookie`, `token`, `api_key`, `password`), at any depth, has its value
    /// replaced by `"[redacted]"`; strings are cut at [`crate::MAX_FIELD_BYTES`].
    pub fn insert_detail(&mut self, key: &'static str, value: impl Into<Value>) {
        let value = if is_secret_key(key) { Value::from(REDACTED) } else { sanitize(value.into()) };
        self.details.insert(key.to_owned(), value);
    }

    /// When the event happened.
    pub fn timestamp(&self) -> SystemTime {
        self.timestamp.0
    }

    /// What the event records.
    pub fn event_type(&self) -> EventType {
        self.event_type
    }

    /// How much the event matters.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The request ID, if the event concerns a request.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The client address, if known.
    pub fn source_ip(&self) -> Option<IpAddr> {
        self.source_ip
    }

    /// The client's `User-Agent`, if sent.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// The HTTP method, if the event concerns a request.
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// The request path, if the event concerns a request.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The matched route's name, if one matched.
    pub fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }

    /// The verified identity, or `None` for anonymous or failed authentication.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    /// The HTTP status sent, if any.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The stage-specific fields.
    pub fn details(&self) -> &Map<String, Value> {
        &self.details
    }

    /// Appends the event as one JSON line (ending in `\n`) to `out`.
    ///
    /// Control characters, quotes and newlines inside values are escaped, so one event is
    /// always exactly one line. Fails only for a timestamp past year 9999.
    pub fn write_json_line(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let start = out.len();
        if let Err(error) = serde_json::to_writer(&mut *out, self) {
            out.truncate(start);
            return Err(error);
        }
        out.push(b'\n');
        Ok(())
    }
}

/// Redacts secret-named keys and bounds strings anywhere inside a detail value.
fn sanitize(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(bounded(text)),
        Value::Array(items) => Value::Array(items.into_iter().map(sanitize).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let value =
                        if is_secret_key(&key) { Value::from(REDACTED) } else { sanitize(value) };
                    (key, value)
                })
                .collect(),
        ),
        other => other,
    }
}
