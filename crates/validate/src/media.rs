//! Matching a request's Content-Type against the media types a route accepts.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::HeaderMap;

use crate::rejection::{preview, Rejection};

/// One accepted media type, lowercased, without parameters; `type/*` and `*/*` are wildcards.
#[derive(Debug, Clone)]
pub(crate) struct MediaType {
    essence: String,
    /// Whether bodies of this type are read as JSON and validated.
    pub(crate) json: bool,
}

impl MediaType {
    /// Parses a configured media type; `json` says whether its bodies are validated.
    pub(crate) fn new(text: &str, json: bool) -> Self {
        Self { essence: essence(text), json }
    }

    fn matches(&self, essence: &str) -> bool {
        match self.essence.split_once('/') {
            Some(("*", "*")) => true,
            Some((kind, "*")) => essence.split_once('/').is_some_and(|(k, _)| k == kind),
            _ => self.essence == essence,
        }
    }
}

/// True for `application/json`, `*/json` and `*/*+json` media types.
pub(crate) fn is_json(text: &str) -> bool {
    let essence = essence(text);
    match essence.split_once('/') {
        Some((kind, sub)) => !kind.is_empty() && (sub == "json" || sub.ends_with("+json")),
        None => false,
    }
}

/// The accepted media types of a body rule.
#[derive(Debug, Clone)]
pub(crate) struct MediaTypes(pub(crate) Vec<MediaType>);

impl MediaTypes {
    /// The accepted type matching the request's Content-Type; `Ok(None)` if the request has
    /// neither a Content-Type nor a body; 415 otherwise.
    pub(crate) fn select(&self, headers: &HeaderMap) -> Result<Option<&MediaType>, Rejection> {
        let Some(value) = headers.get(CONTENT_TYPE) else {
            if has_body(headers) {
                let msg = format!("request has a body but no content type; {}", self.expected());
                return Err(Rejection::unsupported_media_type(msg));
            }
            return Ok(None);
        };

        let text = value.to_str().unwrap_or_default();
        let wanted = essence(text);
        match self.0.iter().find(|m| m.matches(&wanted)) {
            Some(media) => Ok(Some(media)),
            None => {
                let msg =
                    format!("content type {} is not accepted; {}", preview(text), self.expected());
                Err(Rejection::unsupported_media_type(msg))
            }
        }
    }

    fn expected(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|m| m.essence.as_str()).collect();
        format!("expected {}", names.join(", "))
    }
}

/// The media type without parameters, trimmed and lowercased.
fn essence(text: &str) -> String {
    let main = text.split(';').next().unwrap_or_default();
    main.trim().to_ascii_lowercase()
}

/// True when the headers announce a body: a non-zero Content-Length or any Transfer-Encoding.
fn has_body(headers: &HeaderMap) -> bool {
    if headers.contains_key(TRANSFER_ENCODING) {
        return true;
    }
    let length = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    length.is_some_and(|l| l.trim() != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("application/merge-patch+json; charset=utf-8"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("json"));
    }

    #[test]
    fn wildcards_match() {
        assert!(MediaType::new("application/*", false).matches("application/xml"));
        assert!(MediaType::new("*/*", false).matches("text/plain"));
        assert!(!MediaType::new("application/json", true).matches("application/xml"));
    }
}
