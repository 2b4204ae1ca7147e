//! `t:htmlEntityDecode`: ModSecurity v3's entity decoder, as in libmodsecurity 3.0.9 (the
//! version CRS's reference setup runs).
//!
//! Decimal (`&#DDD`) and hex (`&#xHH`) entities take every digit that follows (so leading
//! zeros cannot hide a character) and decode to the low byte of the value, saturating like
//! C's `strtol`; named entities are limited to `quot`, `amp`, `lt`, `gt` and `nbsp`, matched
//! case-insensitively against the whole alphanumeric run; the `;` is optional. Anything else
//! is copied as it is. (libmodsecurity 3.0.13 later capped the digits at 3 and 2 and matched
//! names by prefix; that lets `&#0000060;` through undecoded, so rampart keeps 3.0.9's rule.)

/// Decodes HTML entities; `None` when the output equals the input.
pub(super) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'&', input)?;
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'&' && i + 1 < input.len() {
            match entity(input, i + 1) {
                Step::Decoded(byte, next) => {
                    out.push(byte);
                    i = skip_semicolon(input, next);
                    continue;
                }
                Step::Copy(n) => {
                    out.extend_from_slice(&input[i..i + n]);
                    i += n;
                    continue;
                }
            }
        }
        out.push(input[i]);
        i += 1;
    }
    super::changed(input, out)
}

/// What to do at an `&`.
enum Step {
    /// Emit the byte; the entity's digits or name end before the index.
    Decoded(u8, usize),
    /// Copy this many bytes (from the `&`) unchanged.
    Copy(usize),
}

/// Parses the entity whose body starts at `j` (just after `&`).
fn entity(input: &[u8], j: usize) -> Step {
    if input[j] != b'#' {
        return named(input, j);
    }
    if j + 1 >= input.len() {
        return Step::Copy(2);
    }
    if matches!(input[j + 1], b'x' | b'X') {
        if j + 2 >= input.len() {
            return Step::Copy(3);
        }
        return numeric(input, j + 2, 16, 3);
    }
    numeric(input, j + 1, 10, 2)
}

/// All digits in `radix` from `start`, as the low byte of C's `strtol` (which saturates at
/// `LONG_MAX`, whose low byte is 0xff).
fn numeric(input: &[u8], start: usize, radix: u32, copy: usize) -> Step {
    let digits = input[start..]
        .iter()
        .take_while(|c| if radix == 16 { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
        .count();
    if digits == 0 {
        return Step::Copy(copy);
    }
    let value = input[start..start + digits]
        .iter()
        .filter_map(|&c| char::from(c).to_digit(radix))
        .try_fold(0i64, |acc, d| acc.checked_mul(i64::from(radix))?.checked_add(i64::from(d)));
    Step::Decoded(value.map_or(0xff, |v| v as u8), start + digits)
}

/// A named entity: the alphanumeric run from `j`, decoded when it starts with a known name.
fn named(input: &[u8], j: usize) -> Step {
    let len = input[j..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if len == 0 {
        return Step::Copy(1);
    }
    let name = &input[j..j + len];
    let is = |p: &[u8]| name.eq_ignore_ascii_case(p);
    let byte = if is(b"quot") {
        b'"'
    } else if is(b"amp") {
        b'&'
    } else if is(b"lt") {
        b'<'
    } else if is(b"gt") {
        b'>'
    } else if is(b"nbsp") {
        0xa0
    } else {
        return Step::Copy(len + 1);
    };
    Step::Decoded(byte, j + len)
}

fn skip_semicolon(input: &[u8], at: usize) -> usize {
    if input.get(at) == Some(&b';') {
        at + 1
    } else {
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &[u8]) -> Vec<u8> {
        decode(s).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn named_entities() {
        assert_eq!(dec(b"&lt;script&gt;"), b"<script>");
        assert_eq!(dec(b"&QUOT&amp;"), b"\"&");
        assert_eq!(dec(b"&nbsp;"), b"\xa0");
        assert_eq!(dec(b"&copy;x"), b"&copy;x");
        // Names match the whole alphanumeric run.
        assert_eq!(dec(b"&ltfoo;bar"), b"&ltfoo;bar");
    }

    #[test]
    fn numeric_entities() {
        assert_eq!(dec(b"&#60;&#x3c;&#X3C"), b"<<<");
        // Leading zeros do not hide a character (CRS 944150 test 23 relies on it).
        assert_eq!(dec(b"&#00000000000000000000000000000000000123;jndi"), b"{jndi");
        assert_eq!(dec(b"&#x00000024;"), b"$");
        assert_eq!(dec(b"&#x3c3c"), b"\x3c");
        assert_eq!(dec(b"&#;&#x;&#"), b"&#;&#x;&#");
        assert_eq!(dec(b"&#999"), [999u32 as u8]);
        assert_eq!(dec(b"&#99999999999999999999999"), [0xff]);
    }

    #[test]
    fn trailing_ampersand_kept() {
        assert_eq!(decode(b"a&"), None);
        assert_eq!(decode(b"a & b"), None);
    }
}
