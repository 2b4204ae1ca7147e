//! The answer to an invalid request: a status, a summary and one detail per failing field.

use serde::Serialize;

/// Longest prefix of a request value that may appear in a message, in characters.
const PREVIEW_CHARS: usize = 32;

/// Longest JSON pointer echoed in a detail, in characters; keys are attacker-chosen.
const POINTER_CHARS: usize = 128;

/// Where in the request a failing field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// The JSON request body.
    Body,
    /// A query string parameter.
    Query,
    /// A path parameter taken from the route template.
    Path,
    /// A request header.
    Header,
}

/// One failing field: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// The part of the request that holds the field.
    pub location: Location,
    /// JSON pointer of the field: into the body, or `/name[/index]` for a parameter.
    pub pointer: String,
    /// What is wrong, without the field's value beyond a short prefix.
    pub message: String,
}

/// A denied request: the gateway answers `status` with `details` in the JSON error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// 400 (invalid request), 413 (body over the limit) or 415 (content type not accepted).
    pub status: u16,
    /// A one-line summary, safe to return to the client.
    pub message: String,
    /// One entry per failing field, at most the configured `max_details`.
    pub details: Vec<Detail>,
}

impl Rejection {
    /// A 413 for a body over `limit` bytes.
    pub(crate) fn too_large(len: usize, limit: usize) -> Self {
        let message = format!("request body of {len} bytes exceeds the limit of {limit} bytes");
        Self { status: 413, message, details: Vec::new() }
    }

    /// A 415 with `message` saying which content type was refused.
    pub(crate) fn unsupported_media_type(message: String) -> Self {
        Self { status: 415, message, details: Vec::new() }
    }

    /// A 400 built from collected details.
    pub(crate) fn invalid(details: DetailList) -> Self {
        let DetailList { items, omitted, .. } = details;
        let count = items.len() + omitted;
        let message = match (count, omitted) {
            (1, _) => "request does not match the route's validation rules: 1 problem".to_owned(),
            (n, 0) => format!("request does not match the route's validation rules: {n} problems"),
            (_, _) => format!(
                "request does not match the route's validation rules: more than {} problems",
                items.len()
            ),
        };
        Self { status: 400, message, details: items }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.status)
    }
}

impl std::error::Error for Rejection {}

/// Collects details, one per (location, pointer), up to a cap.
#[derive(Debug)]
pub(crate) struct DetailList {
    items: Vec<Detail>,
    omitted: usize,
    max: usize,
}

impl DetailList {
    /// An empty list that keeps at most `max` details.
    pub(crate) fn new(max: usize) -> Self {
        Self { items: Vec::new(), omitted: 0, max }
    }

    /// Adds a detail unless the same field already failed; counts it if the list is full.
    pub(crate) fn push(&mut self, location: Location, pointer: &str, message: String) {
        let pointer = truncate_pointer(pointer);
        let seen = self.items.iter().any(|d| d.location == location && d.pointer == pointer);
        if seen {
            return;
        }

        if self.items.len() >= self.max {
            self.omitted += 1;
            return;
        }
        self.items.push(Detail { location, pointer, message });
    }

    /// True when no field failed.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty() && self.omitted == 0
    }

    /// True when no more details will be kept, so callers may stop looking.
    pub(crate) fn is_full(&self) -> bool {
        self.items.len() >= self.max
    }

    /// Records that more problems exist than were looked at.
    pub(crate) fn mark_more(&mut self) {
        self.omitted = self.omitted.max(1);
    }

    /// `Err` with a 400 if anything failed.
    pub(crate) fn into_result(self) -> Result<(), Rejection> {
        if self.is_empty() {
            return Ok(());
        }
        Err(Rejection::invalid(self))
    }
}

/// The value as a quoted prefix of at most [`PREVIEW_CHARS`] characters, for messages.
pub(crate) fn preview(value: &str) -> String {
    let mut chars = value.char_indices();
    match chars.nth(PREVIEW_CHARS) {
        None => format!("{value:?}"),
        Some((end, _)) => format!("{:?}...", value.get(..end).unwrap_or_default()),
    }
}

/// True for a field name whose value must never be echoed (credentials, sessions).
pub(crate) fn looks_secret(name: &str) -> bool {
    const MARKERS: [&str; 9] =
        ["auth", "token", "secret", "password", "passwd", "cookie", "key", "session", "credential"];
    let lower = name.to_ascii_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

/// Cuts an attacker-chosen pointer to [`POINTER_CHARS`] characters, marking the cut.
fn truncate_pointer(pointer: &str) -> String {
    match pointer.char_indices().nth(POINTER_CHARS) {
        None => pointer.to_owned(),
        Some((end, _)) => format!("{}...", pointer.get(..end).unwrap_or_default()),
    }
}

/// Appends one JSON pointer segment, escaping `~` and `/` as RFC 6901 says.
pub(crate) fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_cuts_long_values() {
        assert_eq!(preview("abc"), "\"abc\"");
        let long = "x".repeat(40);
        assert_eq!(preview(&long), format!("\"{}\"...", "x".repeat(32)));
    }

    #[test]
    fn details_are_deduplicated_and_capped() {
        let mut list = DetailList::new(2);
        list.push(Location::Body, "/a", "one".into());
        list.push(Location::Body, "/a", "two".into());
        list.push(Location::Body, "/b", "three".into());
        list.push(Location::Body, "/c", "four".into());
        let rejection = list.into_result().unwrap_err();
        assert_eq!(rejection.details.len(), 2);
        assert_eq!(rejection.details[0].message, "one");
        assert!(rejection.message.ends_with("more than 2 problems"), "{}", rejection.message);
    }

    #[test]
    fn pointer_segments_are_escaped() {
        let mut p = String::new();
        push_segment(&mut p, "a/b~c");
        assert_eq!(p, "/a~1b~0c");
    }

    #[test]
    fn secret_names_are_recognised() {
        assert!(looks_secret("Authorization"));
        assert!(looks_secret("x-api-key"));
        assert!(!looks_secret("x-request-id"));
    }
}
