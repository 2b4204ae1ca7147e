//! The CRS "albedo" test backend, simulated: `POST /reflect` answers with the status, headers
//! and body given in the request's JSON; everything else gets an empty 200.

use base64::Engine as _;
use serde::Deserialize;

use super::http::ParsedRequest;

/// The backend's answer.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Body.
    pub body: Vec<u8>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Reflect {
    status: Option<u16>,
    #[serde(default)]
    headers: serde_json::Map<String, serde_json::Value>,
    body: Option<String>,
    encoded_body: Option<String>,
}

/// Answers `req` the way albedo does.
pub fn respond(req: &ParsedRequest) -> Response {
    let path = req.uri.split('?').next().unwrap_or("");
    if path != "/reflect" {
        return text_response(200, Vec::new(), Vec::new());
    }
    let spec: Reflect = serde_json::from_slice(&req.body).unwrap_or_default();
    let body = match (&spec.body, &spec.encoded_body) {
        (Some(b), _) => b.clone().into_bytes(),
        (None, Some(e)) => base64::engine::general_purpose::STANDARD.decode(e).unwrap_or_default(),
        (None, None) => Vec::new(),
    };
    let headers = spec
        .headers
        .iter()
        .map(|(k, v)| {
            (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string).into_bytes())
        })
        .collect();
    text_response(spec.status.unwrap_or(200), headers, body)
}

/// Adds the Content-Type Go's server would sniff when the handler set none.
fn text_response(status: u16, mut headers: Vec<(String, Vec<u8>)>, body: Vec<u8>) -> Response {
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        headers.push(("Content-Type".into(), sniff(&body).as_bytes().to_vec()));
    }
    Response { status, headers, body }
}

fn sniff(body: &[u8]) -> &'static str {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let head = body[start..].iter().take(14).map(u8::to_ascii_lowercase).collect::<Vec<_>>();
    const HTML: [&[u8]; 8] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<body",
        b"<title",
        b"<iframe",
        b"<h1",
    ];
    if HTML.iter().any(|tag| head.starts_with(tag)) {
        return "text/html; charset=utf-8";
    }
    if head.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    if body.contains(&0) {
        return "application/octet-stream";
    }
    "text/plain; charset=utf-8"
}
