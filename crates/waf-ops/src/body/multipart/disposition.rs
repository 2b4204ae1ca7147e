//! The `Content-Disposition` part header, parsed as ModSecurity v3 parses it.

use crate::transform::is_c_space;

/// The `name` and `filename` parameters of one part.
#[derive(Debug, Default)]
pub(super) struct Disposition {
    /// The `name` parameter (empty when absent).
    pub(super) name: Vec<u8>,
    /// The `filename` parameter (empty when absent).
    pub(super) filename: Vec<u8>,
    /// Single quotes were used (MULTIPART_INVALID_QUOTING).
    pub(super) invalid_quoting: bool,
}

/// Result of parsing: the disposition, or ModSecurity's negative error code; both carry the
/// flags and names seen so far (they feed MULTIPART_NAME / MULTIPART_FILENAME).
pub(super) struct Parsed {
    /// What was parsed.
    pub(super) disposition: Disposition,
    /// Names and file names in the order met (including ones of a failing header).
    pub(super) seen_names: Vec<Vec<u8>>,
    /// File names in the order met.
    pub(super) seen_filenames: Vec<Vec<u8>>,
    /// `Err(code)` with ModSecurity's error code.
    pub(super) result: Result<(), i32>,
}

const CHARSET_SPECIAL: &[u8] = b"!#$%&+-^_`{}~";
const ATTR_SPECIAL: &[u8] = b"!#$&+-.^_`~";

/// Parses a Content-Disposition value.
pub(super) fn parse(value: &[u8]) -> Parsed {
    let mut parsed = Parsed {
        disposition: Disposition::default(),
        seen_names: Vec::new(),
        seen_filenames: Vec::new(),
        result: Ok(()),
    };
    parsed.result = parse_into(value, &mut parsed);
    parsed
}

fn parse_into(v: &[u8], out: &mut Parsed) -> Result<(), i32> {
    if !v.starts_with(b"form-data") {
        return Err(-1);
    }
    let mut p = skip_blank(v, 9);
    if p == v.len() {
        return Ok(());
    }
    if v[p] != b';' {
        return Err(-2);
    }
    p += 1;
    let mut filename_star: Vec<u8> = Vec::new();
    while p < v.len() {
        p = parameter(v, p, out, &mut filename_star)?;
    }
    if !filename_star.is_empty() && out.disposition.filename.is_empty() {
        return Err(-21);
    }
    Ok(())
}

/// One `name=value` parameter starting at `p`; returns the position after it.
fn parameter(
    v: &[u8],
    mut p: usize,
    out: &mut Parsed,
    filename_star: &mut Vec<u8>,
) -> Result<usize, i32> {
    p = skip_blank(v, p);
    if p == v.len() {
        return Err(-3);
    }
    let start = p;
    while p < v.len() && v[p] != b'=' && v[p] != b'\t' && v[p] != b' ' {
        p += 1;
    }
    if p == v.len() {
        return Err(-4);
    }
    let name = &v[start..p];
    p = skip_blank(v, p);
    if p == v.len() {
        return Err(-5);
    }
    if v[p] != b'=' {
        return Err(-13);
    }
    p = skip_blank(v, p + 1);
    if p == v.len() {
        return Err(-6);
    }
    let (value, quote, next) = if name == b"filename*" {
        extended_value(v, p)?
    } else if v[p] == b'"' || v[p] == b'\'' {
        quoted_value(v, p, out)?
    } else {
        let end = p + v[p..].iter().take_while(|&&c| is_token_char(c)).count();
        (v[p..end].to_vec(), 0, end)
    };
    p = next;
    store(name, value, quote, out, filename_star)?;
    separator(v, p, out)
}

/// After a parameter: blanks, then the end or a `;`.
fn separator(v: &[u8], p: usize, out: &mut Parsed) -> Result<usize, i32> {
    if p >= v.len() {
        return Ok(p);
    }
    let p = skip_blank(v, p);
    if p == v.len() {
        return Ok(p);
    }
    if v[p] != b';' {
        if p > 0 && (v[p - 1] == b'\'' || v[p - 1] == b'"') {
            out.disposition.invalid_quoting = true;
        }
        return Err(-12);
    }
    Ok(p + 1)
}

fn store(
    name: &[u8],
    value: Vec<u8>,
    quote: u8,
    out: &mut Parsed,
    filename_star: &mut Vec<u8>,
) -> Result<(), i32> {
    let d = &mut out.disposition;
    match name {
        b"name" => {
            check_quotes(&value, quote, d);
            out.seen_names.push(value.clone());
            if !d.name.is_empty() {
                return Err(-14);
            }
            d.name = value;
        }
        b"filename" => {
            check_quotes(&value, quote, d);
            out.seen_filenames.push(value.clone());
            if !d.filename.is_empty() {
                return Err(-15);
            }
            d.filename = value;
        }
        b"filename*" => {
            if !filename_star.is_empty() {
                return Err(-20);
            }
            *filename_star = value;
        }
        _ => return Err(-11),
    }
    Ok(())
}

/// ModSecurity's `validate_quotes`: a `'` inside a value not quoted with `"`.
fn check_quotes(value: &[u8], quote: u8, d: &mut Disposition) {
    if quote != b'"' && value.contains(&b'\'') {
        d.invalid_quoting = true;
    }
}

/// A quoted value at `p`; returns the unescaped value, the quote and the position after it.
fn quoted_value(v: &[u8], mut p: usize, out: &mut Parsed) -> Result<(Vec<u8>, u8, usize), i32> {
    let quote = v[p];
    if quote == b'\'' {
        out.disposition.invalid_quoting = true;
    }
    p += 1;
    if p == v.len() {
        return Err(-7);
    }
    let mut value = Vec::new();
    while p < v.len() {
        if v[p] == b'\\' {
            let Some(&next) = v.get(p + 1) else {
                return Err(-8);
            };
            if next == quote || next == b'\\' {
                p += 1;
            }
        } else if v[p] == quote {
            break;
        }
        value.push(v[p]);
        p += 1;
    }
    Ok((value, quote, p + 1))
}

/// RFC 5987 `filename*=charset'lang'value`.
fn extended_value(v: &[u8], mut p: usize) -> Result<(Vec<u8>, u8, usize), i32> {
    let charset_start = p;
    while p < v.len() && (v[p].is_ascii_alphanumeric() || CHARSET_SPECIAL.contains(&v[p])) {
        p += 1;
    }
    if v.get(p) != Some(&b'\'') || p == charset_start {
        return Err(-16);
    }
    p += 1;
    while p < v.len() && v[p] != b'\'' {
        p += 1;
    }
    if p == v.len() {
        return Err(-17);
    }
    p += 1;
    let start = p;
    while p < v.len() && v[p] != b';' {
        if v[p] == b'%' {
            let hex = |i: usize| v.get(i).is_some_and(u8::is_ascii_hexdigit);
            if !hex(p + 1) || !hex(p + 2) {
                return Err(-18);
            }
            p += 3;
        } else if v[p].is_ascii_alphanumeric() || ATTR_SPECIAL.contains(&v[p]) {
            p += 1;
        } else {
            return Err(-19);
        }
    }
    Ok((v[start..p].to_vec(), 0, p))
}

fn skip_blank(v: &[u8], mut p: usize) -> usize {
    while p < v.len() && (v[p] == b' ' || v[p] == b'\t') {
        p += 1;
    }
    p
}

/// RFC 2045 token characters.
fn is_token_char(c: u8) -> bool {
    c > 32 && c < 127 && !b"()<>@,;:\\\"/[]?=".contains(&c) && !is_c_space(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: &str) -> Disposition {
        let p = parse(v.as_bytes());
        assert_eq!(p.result, Ok(()), "{v}");
        p.disposition
    }

    fn code(v: &str) -> Option<i32> {
        parse(v.as_bytes()).result.err()
    }

    #[test]
    fn names_and_filenames() {
        let d = ok("form-data; name=\"field\"; filename=\"a.txt\"");
        assert_eq!((d.name.as_slice(), d.filename.as_slice()), (&b"field"[..], &b"a.txt"[..]));
        assert_eq!(ok("form-data; name=plain").name, b"plain");
        assert_eq!(ok("form-data; name=\"a\\\"b\"").name, b"a\"b");
        assert_eq!(ok("form-data").name, b"");
        let d = ok("form-data; name=f; filename*=UTF-8''a%20b.txt; filename=\"x\"");
        assert_eq!(d.filename, b"x");
    }

    #[test]
    fn quoting_flags() {
        assert!(ok("form-data; name='x'").invalid_quoting);
        assert!(ok("form-data; name=a'b").invalid_quoting);
        assert!(!ok("form-data; name=\"a'b\"").invalid_quoting);
    }

    #[test]
    fn error_codes() {
        assert_eq!(code("attachment; name=x"), Some(-1));
        assert_eq!(code("form-data name=x"), Some(-2));
        assert_eq!(code("form-data; name"), Some(-4));
        assert_eq!(code("form-data; name x"), Some(-13));
        assert_eq!(code("form-data; name=a; name=b"), Some(-14));
        assert_eq!(code("form-data; other=a"), Some(-11));
        assert_eq!(code("form-data; name=\"a\"x"), Some(-12));
        assert_eq!(code("form-data; name=a; filename*=UTF-8''x"), Some(-21));
    }
}
