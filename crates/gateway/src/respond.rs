//! Responses the gateway writes itself: JSON errors with the request id.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};

use crate::forwarding::X_REQUEST_ID;
use crate::pipeline::Denial;
use crate::upstream::BoxError;

/// The body type of every response the gateway sends.
pub type ResponseBody = BoxBody<Bytes, BoxError>;

/// A complete body from bytes.
pub fn full_body(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// `{"error": ..., "message": ..., "request_id": ...}` with the given status.
pub fn json_error(
    status: StatusCode,
    error: &str,
    message: &str,
    request_id: &HeaderValue,
) -> Response<ResponseBody> {
    let body = serde_json::json!({
        "error": error,
        "message": message,
        "request_id": request_id.to_str().unwrap_or_default(),
    });
    json_response(status, &body, request_id)
}

/// A JSON response with the request id header.
pub fn json_response(
    status: StatusCode,
    body: &serde_json::Value,
    request_id: &HeaderValue,
) -> Response<ResponseBody> {
    let mut bytes = serde_json::to_vec(body).unwrap_or_default();
    bytes.push(b'\n');
    let mut response = Response::new(full_body(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(&X_REQUEST_ID, request_id.clone());
    response
}

/// The response for a stage's denial, with the denial's extra headers.
/// Extra body fields of the denial (`Denial::body_fields`) are added after the standard ones.
pub fn denial_response(denial: &Denial, request_id: &HeaderValue) -> Response<ResponseBody> {
    let mut response = match &denial.body_fields {
        None => json_error(denial.status, denial.error, &denial.message, request_id),
        Some(fields) => json_fields_error(denial, fields, request_id),
    };
    for (name, value) in &denial.headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

fn json_fields_error(
    denial: &Denial,
    fields: &serde_json::Map<String, serde_json::Value>,
    request_id: &HeaderValue,
) -> Response<ResponseBody> {
    let mut body = serde_json::json!({
        "error": denial.error,
        "message": denial.message,
        "request_id": request_id.to_str().unwrap_or_default(),
    });
    if let Some(object) = body.as_object_mut() {
        for (key, value) in fields {
            object.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    json_response(denial.status, &body, request_id)
}
