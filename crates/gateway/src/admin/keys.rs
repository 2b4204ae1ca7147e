//! The API-key admin endpoints: `GET /keys/{id}/usage`, `POST /keys/{id}/disable` and
//! `POST /keys/{id}/enable` (docs/limits.md).
//!
//! Enabling and disabling applies at once to the running snapshot and is written to the keys
//! file, so it survives reloads and restarts.

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Method, Response, StatusCode};
use serde_json::json;

use crate::handler::Gateway;
use crate::respond::{full_body, ResponseBody};

/// What a `/keys/...` request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyAction {
    /// Current counters of the key's plan.
    Usage,
    /// Turn the key on or off.
    SetEnabled(bool),
}

/// Splits `/keys/{id}/{action}`; `None` for any other path.
pub(super) fn parse(path: &str) -> Option<(&str, KeyAction)> {
    let (id, action) = path.strip_prefix("/keys/")?.split_once('/')?;
    let action = match action {
        "usage" => KeyAction::Usage,
        "disable" => KeyAction::SetEnabled(false),
        "enable" => KeyAction::SetEnabled(true),
        _ => return None,
    };
    (!id.is_empty()).then_some((id, action))
}

/// Answers one key request.
pub(super) async fn answer(
    gateway: &Gateway,
    method: &Method,
    id: &str,
    action: KeyAction,
) -> Response<ResponseBody> {
    let expected = if action == KeyAction::Usage { Method::GET } else { Method::POST };
    if method != expected {
        let message = format!("use {expected} here");
        return json(StatusCode::METHOD_NOT_ALLOWED, &json!({ "error": message }));
    }
    let snapshot = gateway.snapshot.load_full();
    let Some(limits) = snapshot.limits.as_ref() else {
        return not_found("rate_limiting is not configured");
    };
    let Some(keys) = limits.keys.as_ref() else {
        return not_found("rate_limiting.api_keys.file is not configured");
    };
    let index = keys.index.load();
    let Some(key) = index.get(id) else {
        return not_found(&format!("no API key has the id {id:?}"));
    };

    match action {
        KeyAction::Usage => match key.usage(&limits.limiter).await {
            Ok(usage) => json(StatusCode::OK, &json!(usage)),
            Err(error) => {
                let body = json!({ "error": format!("cannot read the counters: {error}") });
                json(StatusCode::SERVICE_UNAVAILABLE, &body)
            }
        },
        KeyAction::SetEnabled(enabled) => {
            let persisted = rampart_limits::apikeys::set_enabled_in_file(&keys.file, id, enabled);
            if let Err(error) = persisted {
                let body = json!({ "error": format!("cannot update the keys file: {error}") });
                return json(StatusCode::INTERNAL_SERVER_ERROR, &body);
            }
            if let Err(error) = index.set_enabled(id, enabled) {
                return not_found(&error.to_string());
            }
            tracing::info!(key.id = id, enabled, "api key state changed");
            json(StatusCode::OK, &json!({ "id": id, "enabled": enabled }))
        }
    }
}

fn not_found(message: &str) -> Response<ResponseBody> {
    json(StatusCode::NOT_FOUND, &json!({ "error": message }))
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response<ResponseBody> {
    let mut bytes = serde_json::to_vec_pretty(body).unwrap_or_default();
    bytes.push(b'\n');
    let mut response = Response::new(full_body(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_key_and_action() {
        assert_eq!(parse("/keys/key_1/usage"), Some(("key_1", KeyAction::Usage)));
        assert_eq!(parse("/keys/key_1/disable"), Some(("key_1", KeyAction::SetEnabled(false))));
        assert_eq!(parse("/keys/key_1/enable"), Some(("key_1", KeyAction::SetEnabled(true))));
        assert_eq!(parse("/keys//usage"), None);
        assert_eq!(parse("/keys/key_1/delete"), None);
        assert_eq!(parse("/metrics"), None);
    }
}
