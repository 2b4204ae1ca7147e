//! Request line, headers and body intake, following ModSecurity v3's variable definitions.

use std::borrow::Cow;

use rampart_waf_ops::body::parse_urlencoded;
use rampart_waf_ops::Transform;

use super::transaction::Transaction;
use super::types::{Intervention, InterventionAction};
use crate::config::LimitAction;
use crate::rule::action::BodyProcessor;
use crate::rule::EngineMode;

/// Most request headers kept; later ones are dropped (the gateway bounds them first).
const MAX_HEADERS: usize = 1024;

impl Transaction<'_> {
    pub(crate) fn set_request_line(&mut self, method: &str, uri: &str, protocol: &str) {
        self.method = method.to_string();
        self.uri = uri.to_string();
        self.protocol = protocol.to_string();

        let decoded = url_decode(uri.as_bytes());
        let path = match decoded.iter().position(|&b| b == b'?') {
            Some(p) => decoded[..p].to_vec(),
            None => decoded.to_vec(),
        };
        self.path = path;
        self.request_uri = self.decoded_request_uri();
        self.basename = self.path_basename();
        self.request_line = format!("{method} {uri} {protocol}").into_bytes();
        if let Some((_, query)) = uri.split_once('?') {
            self.query = query.to_string();
            let sep = self.engine.rules.settings.argument_separator;
            let parsed = parse_urlencoded(query.as_bytes(), sep);
            self.urlencoded_error |= parsed.invalid_encoding;
            let limit = self.engine.rules.settings.arguments_limit;
            self.args_get = parsed.args.into_iter().take(limit).map(lossy_pair).collect();
        }
    }

    /// REQUEST_URI: the decoded URI with any `scheme://host` removed.
    fn decoded_request_uri(&self) -> Vec<u8> {
        let decoded = url_decode(self.uri.as_bytes()).into_owned();
        if decoded.first() == Some(&b'/') || decoded.is_empty() {
            return decoded;
        }
        let Some(colon) = decoded.iter().position(|&b| b == b':') else { return decoded };
        if decoded.get(colon + 1..colon + 3) != Some(b"//") {
            return decoded;
        }
        match decoded[colon + 3..].iter().position(|&b| b == b'/') {
            Some(p) => decoded[colon + 3 + p..].to_vec(),
            None => decoded,
        }
    }

    /// REQUEST_BASENAME: the part of the path after the last slash or backslash; empty for a
    /// path ending in a slash (CRS 920200 relies on it existing for `/`).
    fn path_basename(&self) -> Vec<u8> {
        let start = self.path.iter().rposition(|&b| b == b'/' || b == b'\\').map_or(0, |p| p + 1);
        self.path[start..].to_vec()
    }

    pub(crate) fn push_request_header(&mut self, name: &str, value: &[u8]) {
        if self.request_headers.len() >= MAX_HEADERS {
            return;
        }
        self.request_headers.push((name.to_string(), value.to_vec()));
        if name.eq_ignore_ascii_case("cookie") {
            self.parse_cookies(value);
        }
        if name.eq_ignore_ascii_case("content-type") {
            let lower = value.to_ascii_lowercase();
            if lower.starts_with(b"multipart/form-data") {
                self.body.default_processor = Some(BodyProcessor::Multipart);
            } else if lower.starts_with(b"application/x-www-form-urlencoded") {
                self.body.default_processor = Some(BodyProcessor::UrlEncoded);
            }
        }
    }

    /// Splits a Cookie header the way ModSecurity v3 does: at `;`, name before the first `=`,
    /// leading whitespace of the name dropped, empty names skipped.
    fn parse_cookies(&mut self, value: &[u8]) {
        let mut parts: Vec<&[u8]> = value.split(|&b| b == b';').collect();
        if let Some(last) = parts.last_mut() {
            *last = trim_end(last);
        }
        for part in parts {
            if part.is_empty() {
                continue;
            }
            let (name, val) = match part.iter().position(|&b| b == b'=') {
                Some(p) => (&part[..p], &part[p + 1..]),
                None => (part, &b""[..]),
            };
            let name = trim_start(name);
            if name.is_empty() {
                continue;
            }
            let name = String::from_utf8_lossy(name).into_owned();
            self.cookies.push((name, val.to_vec()));
        }
    }

    pub(crate) fn push_request_body(&mut self, chunk: &[u8]) {
        let limit = self.body_limit as usize;
        let room = limit.saturating_sub(self.body.raw.len());
        if chunk.len() > room {
            self.body.truncated = true;
        }
        self.body.raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    /// Denies with 413 when the body passed its limit and the limit action is Reject.
    pub(crate) fn check_body_limit(&mut self) -> Option<Intervention> {
        let settings = &self.engine.rules.settings;
        if !self.body.truncated
            || settings.request_body_limit_action != LimitAction::Reject
            || self.mode != EngineMode::On
        {
            return None;
        }
        let intervention =
            Intervention { status: 413, action: InterventionAction::Deny, rule_id: 0 };
        self.intervention = Some(intervention.clone());
        Some(intervention)
    }
}

/// Converts a parsed byte pair to a named pair (names are text in every collection).
pub(crate) fn lossy_pair((k, v): (Vec<u8>, Vec<u8>)) -> (String, Vec<u8>) {
    (String::from_utf8_lossy(&k).into_owned(), v)
}

fn url_decode(input: &[u8]) -> Cow<'_, [u8]> {
    match Transform::from_name("urlDecode") {
        Some(t) => t.apply(Cow::Borrowed(input)),
        None => Cow::Borrowed(input),
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len());
    &s[start..]
}

fn trim_end(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1);
    &s[..end]
}
