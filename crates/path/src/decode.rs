//! Percent-encoding primitives shared by the normalizer and route template parameters.

use std::borrow::Cow;

/// True for the RFC 3986 unreserved characters, the only ones the normalizer decodes.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The value of one hexadecimal digit, if it is one.
const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes the escape `%XY` that starts at `at` in `bytes`, if it is a valid one.
pub(crate) fn escape_at(bytes: &[u8], at: usize) -> Option<u8> {
    let high = hex_value(*bytes.get(at + 1)?)?;
    let low = hex_value(*bytes.get(at + 2)?)?;
    Some(high << 4 | low)
}

/// Fully percent-decodes one path segment, for the value of a route template parameter.
///
/// Use this only on a segment of an already normalized path, and only to hand a value to an
/// application: never route or authorize on its output, since it decodes `%2F` into `/`.
/// Invalid escapes are kept as they are; bytes that do not form UTF-8 become U+FFFD, so an
/// overlong encoding such as `%C0%AE` never turns into `.`.
pub fn percent_decode_segment(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }

    let bytes = s.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match escape_at(bytes, i).filter(|_| b == b'%') {
            Some(value) => {
                decoded.push(value);
                i += 3;
            }
            None => {
                decoded.push(b);
                i += 1;
            }
        }
    }

    match String::from_utf8(decoded) {
        Ok(text) => Cow::Owned(text),
        Err(err) => Cow::Owned(String::from_utf8_lossy(err.as_bytes()).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_everything_valid() {
        assert_eq!(percent_decode_segment("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode_segment("caf%C3%A9"), "café");
    }

    #[test]
    fn keeps_invalid_escapes_and_borrows_plain_input() {
        assert_eq!(percent_decode_segment("100%"), "100%");
        assert_eq!(percent_decode_segment("%zz%4"), "%zz%4");
        assert!(matches!(percent_decode_segment("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn overlong_utf8_is_not_a_dot() {
        assert_eq!(percent_decode_segment("%C0%AE%C0%AE"), "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}");
    }
}
