//! URLENCODED body processor (also used by the engine for the query string).

use crate::transform::url_decode_counting;

/// Arguments parsed from an `application/x-www-form-urlencoded` body or a query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlEncoded {
    /// `(name, value)` pairs in order, both URL-decoded (`+` as space).
    pub args: Vec<(Vec<u8>, Vec<u8>)>,
    /// Whether any name or value held an invalid `%` escape (ModSecurity's
    /// `URLENCODED_ERROR`); the escape is kept as it was.
    pub invalid_encoding: bool,
}

/// Splits `body` on `separator` (SecArgumentSeparator, normally `&`), then each pair at its
/// first `=`, and URL-decodes both halves as ModSecurity v3 does: an empty pair between two
/// separators is an argument with an empty name, a trailing separator adds nothing, a pair
/// without `=` is a name with an empty value, and an invalid escape in a name or a value sets
/// `invalid_encoding` (libmodsecurity 3.0.9; later versions look at the value only).
pub fn parse_urlencoded(body: &[u8], separator: u8) -> UrlEncoded {
    let mut out = UrlEncoded::default();
    let body = body.strip_suffix(&[separator]).unwrap_or(body);
    if body.is_empty() {
        return out;
    }
    for pair in body.split(|&b| b == separator) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &b""[..]),
        };
        let name = url_decode_counting(name);
        let value = url_decode_counting(value);
        out.invalid_encoding |= name.1 || value.1;
        out.args.push((name.0, value.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(u: &UrlEncoded) -> Vec<(&[u8], &[u8])> {
        u.args.iter().map(|(n, v)| (n.as_slice(), v.as_slice())).collect()
    }

    #[test]
    fn splits_and_decodes() {
        let u = parse_urlencoded(b"a=1&b=x+y%21&&c&d=e=f&", b'&');
        let want: Vec<(&[u8], &[u8])> =
            vec![(b"a", b"1"), (b"b", b"x y!"), (b"", b""), (b"c", b""), (b"d", b"e=f")];
        assert_eq!(pairs(&u), want);
        assert!(parse_urlencoded(b"", b'&').args.is_empty());
        assert!(!u.invalid_encoding);
    }

    #[test]
    fn flags_invalid_escapes_and_keeps_them() {
        let u = parse_urlencoded(b"a=%zz&b%=1", b'&');
        assert_eq!(pairs(&u), vec![(&b"a"[..], &b"%zz"[..]), (b"b%", b"1")]);
        assert!(u.invalid_encoding);
        assert!(parse_urlencoded(b"b%=1", b'&').invalid_encoding);
    }

    #[test]
    fn custom_separator() {
        let u = parse_urlencoded(b"a=1;b=2&c", b';');
        assert_eq!(pairs(&u), vec![(&b"a"[..], &b"1"[..]), (b"b", b"2&c")]);
    }
}
