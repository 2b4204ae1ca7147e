//! Keeping secrets and oversized values out of events.
//!
//! Rule for every stage: never put an `Authorization`, `Proxy-Authorization`, `Cookie` or
//! `Set-Cookie` value, an API key, a bearer token, a password or a private key into an event.
//! Record what identifies the decision instead (the token's `kid`, `iss`, the failure reason).
//! When an operator needs to tell two credentials apart, use [`mask_secret`].

/// Longest string kept in an event field, in bytes; longer values are cut and marked.
///
/// Bounds the memory a queued event can hold when a client sends a huge path or header.
pub const MAX_FIELD_BYTES: usize = 1024;

/// Appended to a value that was cut at [`MAX_FIELD_BYTES`].
pub const TRUNCATED_MARK: &str = "...[truncated]";

/// Written in place of a detail whose key names a secret.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this (in characters) are masked completely.
const MIN_CHARS_FOR_HINT: usize = 16;

/// Characters of a long secret left visible as a hint.
const HINT_CHARS: usize = 4;

/// Detail keys whose values are secrets, after lowercasing and mapping `-` and `.` to `_`.
const SECRET_KEYS: &[&str] = &[
    "authorization",
    "proxy_authorization",
    "cookie",
    "set_cookie",
    "token",
    "bearer",
    "access_token",
    "refresh_token",
    "id_token",
    "jwt",
    "api_key",
    "apikey",
    "x_api_key",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "private_key",
];

/// Masks a secret so that an event can say which credential was used without revealing it.
///
/// Secrets of 16 characters or more keep their first 4 characters (enough to tell a JWT from
/// an API key); shorter ones become `****` entirely. The length is not revealed.
///
/// ```
/// assert_eq!(rampart_events::mask_secret("eyJhbGciOiJIUzI1NiJ9.e30.sig"), "eyJh****");
/// assert_eq!(rampart_events::mask_secret("hunter2"), "****");
/// ```
pub fn mask_secret(secret: &str) -> String {
    if secret.chars().count() < MIN_CHARS_FOR_HINT {
        return "****".to_owned();
    }
    let hint: String = secret.chars().take(HINT_CHARS).collect();
    format!("{hint}****")
}

/// Whether a detail key names a value that must never be written.
pub(crate) fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|secret| same_key(key, secret))
}

/// Compares ignoring ASCII case and treating `-` and `.` as `_`, without allocating.
fn same_key(key: &str, normalized: &str) -> bool {
    let fold = |b: u8| match b {
        b'-' | b'.' => b'_',
        b => b.to_ascii_lowercase(),
    };
    key.len() == normalized.len() && key.bytes().zip(normalized.bytes()).all(|(a, b)| fold(a) == b)
}

/// Cuts `value` to at most [`MAX_FIELD_BYTES`] plus the mark, on a character boundary.
pub(crate) fn bounded(mut value: String) -> String {
    if value.len() <= MAX_FIELD_BYTES {
        return value;
    }
    let mut end = MAX_FIELD_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value.truncate(end);
    value.push_str(TRUNCATED_MARK);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_short_secrets_fully_and_long_ones_with_a_hint() {
        assert_eq!(mask_secret(""), "****");
        assert_eq!(mask_secret("fifteen-chars!!"), "****");
        assert_eq!(mask_secret("sixteen-chars!!!"), "sixt****");
        assert_eq!(mask_secret("ééééééééééééééééé"), "éééé****");
    }

    #[test]
    fn recognises_secret_keys_in_any_spelling() {
        assert!(is_secret_key("Authorization"));
        assert!(is_secret_key("x-api-key"));
        assert!(is_secret_key("Set-Cookie"));
        assert!(is_secret_key("access.token"));
        assert!(!is_secret_key("rule_ids"));
        assert!(!is_secret_key("token_kid"));
    }

    #[test]
    fn bounded_cuts_on_char_boundary_and_marks() {
        let long = "é".repeat(MAX_FIELD_BYTES);
        let cut = bounded(long);
        assert!(cut.ends_with(TRUNCATED_MARK));
        assert_eq!(cut.len(), MAX_FIELD_BYTES + TRUNCATED_MARK.len());
        assert_eq!(bounded("short".to_owned()), "short");
        let exact = "a".repeat(MAX_FIELD_BYTES);
        assert_eq!(bounded(exact.clone()), exact);
    }
}
