//! The boundary from the request's Content-Type, checked as ModSecurity v3 checks it.

use crate::transform::is_c_space;

/// The boundary and the flags its header set.
#[derive(Debug, Default)]
pub(super) struct Boundary {
    /// The boundary value (without quotes).
    pub(super) value: Vec<u8>,
    /// MULTIPART_BOUNDARY_QUOTED.
    pub(super) quoted: bool,
    /// MULTIPART_BOUNDARY_WHITESPACE.
    pub(super) whitespace: bool,
    /// MULTIPART_MISSING_SEMICOLON.
    pub(super) missing_semicolon: bool,
}

/// Why the Content-Type cannot be used; `strict` says whether ModSecurity also raises its
/// internal error flag (which counts towards MULTIPART_STRICT_ERROR).
#[derive(Debug)]
pub(super) struct HeaderProblem {
    /// The message (`None`: the body is silently skipped, as ModSecurity does for `""`).
    pub(super) message: Option<&'static str>,
    /// The flags collected before the problem.
    pub(super) partial: Boundary,
}

type Result<T> = std::result::Result<T, HeaderProblem>;

/// Extracts the boundary from `content_type`.
pub(super) fn parse(content_type: &[u8]) -> Result<Boundary> {
    let mut b = Boundary::default();
    let fail =
        |msg: &'static str, b: Boundary| Err(HeaderProblem { message: Some(msg), partial: b });
    if content_type.is_empty() {
        return fail("Content-Type header not available.", b);
    }
    if content_type.len() > 1024 {
        return fail("Invalid boundary in C-T (length).", b);
    }
    if content_type.len() < 19 || !content_type[..19].eq_ignore_ascii_case(b"multipart/form-data") {
        return fail("Invalid MIME type.", b);
    }
    if count_boundary_params(content_type) > 1 {
        return fail("Multiple boundary parameters in C-T.", b);
    }
    let Some(at) = find(content_type, b"boundary") else {
        if count_boundary_params(content_type) > 0 {
            return fail("Invalid boundary in C-T (case sensitivity).", b);
        }
        return fail("Boundary not found in C-T.", b);
    };

    let mut seen_semicolon = false;
    for &c in &content_type[19..at] {
        if is_c_space(c) {
            continue;
        }
        if !seen_semicolon && c == b';' {
            seen_semicolon = true;
        } else {
            return fail("Invalid boundary in C-T (malformed).", b);
        }
    }
    b.missing_semicolon = !seen_semicolon;

    let after_name = at + 8;
    let Some(eq) = content_type[after_name..].iter().position(|&c| c == b'=') else {
        return fail("Invalid boundary in C-T (malformed).", b);
    };
    for &c in &content_type[after_name..after_name + eq] {
        if !is_c_space(c) {
            return fail("Invalid boundary in C-T (parameter name).", b);
        }
        b.whitespace = true;
    }
    let value = &content_type[after_name + eq + 1..];
    value_of(value, b)
}

/// The boundary value after `=`: quoting, whitespace and character checks.
fn value_of(value: &[u8], mut b: Boundary) -> Result<Boundary> {
    let fail =
        |msg: &'static str, b: Boundary| Err(HeaderProblem { message: Some(msg), partial: b });
    if value.first().is_some_and(|&c| is_c_space(c)) {
        b.whitespace = true;
    }
    let len = value.len();
    let mut boundary = if len >= 2 && value[0] == b'"' && value[len - 1] == b'"' {
        b.quoted = true;
        value[1..len - 1].to_vec()
    } else {
        if value.first() == Some(&b'"') || (len >= 2 && value[len - 1] == b'"') {
            return fail("Invalid boundary in C-T (quote).", b);
        }
        value.to_vec()
    };
    if boundary.is_empty() {
        return Err(HeaderProblem { message: None, partial: b });
    }
    if count_boundary_params(&boundary) != 0 {
        return fail("Invalid boundary in C-T (content).", b);
    }
    if !characters_valid(&boundary) {
        // Tolerated: a parameter such as charset= after the boundary.
        if let Some(semicolon) = boundary.iter().position(|&c| c == b';') {
            boundary.truncate(semicolon);
        }
    }
    if !characters_valid(&boundary) {
        return fail("Invalid boundary in C-T (characters).", b);
    }
    if boundary.is_empty() {
        return fail("Invalid boundary in C-T (empty).", b);
    }
    b.value = boundary;
    Ok(b)
}

/// How many times `boundary` (any case) appears with an `=` somewhere after it.
fn count_boundary_params(s: &[u8]) -> usize {
    let lower = s.to_ascii_lowercase();
    let mut count = 0;
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"boundary") {
        from += at + 8;
        if lower[from..].contains(&b'=') {
            count += 1;
        }
    }
    count
}

/// RFC 2046 boundary characters (a space is allowed, but not last).
fn characters_valid(boundary: &[u8]) -> bool {
    boundary.iter().enumerate().all(|(i, &c)| {
        c.is_ascii_alphanumeric()
            || (c == b' ' && i + 1 < boundary.len())
            || b"'()+_,-./:=?".contains(&c)
    })
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(ct: &str) -> Boundary {
        parse(ct.as_bytes()).unwrap_or_else(|e| panic!("{ct}: {:?}", e.message))
    }

    fn err(ct: &str) -> Option<&'static str> {
        parse(ct.as_bytes()).err().and_then(|e| e.message)
    }

    #[test]
    fn plain_quoted_and_flags() {
        let b = ok("multipart/form-data; boundary=abc123");
        assert_eq!(b.value, b"abc123");
        assert!(!b.quoted && !b.whitespace && !b.missing_semicolon);
        let b = ok("multipart/form-data; boundary=\"a b\"");
        assert_eq!(b.value, b"a b");
        assert!(b.quoted);
        assert!(ok("multipart/form-data boundary=x").missing_semicolon);
        assert!(ok("multipart/form-data; boundary =x").whitespace);
        assert!(ok("multipart/form-data; boundary= x").whitespace);
        assert_eq!(ok("multipart/form-data; boundary=x; charset=utf-8").value, b"x");
    }

    #[test]
    fn rejected_headers() {
        assert_eq!(err("text/plain"), Some("Invalid MIME type."));
        assert_eq!(err("multipart/form-data"), Some("Boundary not found in C-T."));
        assert_eq!(
            err("multipart/form-data; BOUNDARY=x"),
            Some("Invalid boundary in C-T (case sensitivity).")
        );
        assert_eq!(
            err("multipart/form-data; boundary=a; boundary=b"),
            Some("Multiple boundary parameters in C-T.")
        );
        assert_eq!(
            err("multipart/form-data; boundary=\"x"),
            Some("Invalid boundary in C-T (quote).")
        );
        assert_eq!(
            err("multipart/form-data; boundary=a{b"),
            Some("Invalid boundary in C-T (characters).")
        );
        assert_eq!(
            err("multipart/form-data; x; boundary=a"),
            Some("Invalid boundary in C-T (malformed).")
        );
        assert_eq!(err("multipart/form-data; boundary=\"\""), None);
    }
}
