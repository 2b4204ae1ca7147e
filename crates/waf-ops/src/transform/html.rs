//! `t:htmlEntityDecode`: ModSecurity v3's entity decoder.
//!
//! Decimal (`&#DDD`, at most 3 digits) and hex (`&#xHH`, at most 2 digits) entities decode to
//! one byte; named entities are limited to `quot`, `amp`, `lt`, `gt` and `nbsp` (matched as a
//! case-insensitive prefix of the alphanumeric run, which is consumed whole); the `;` is
//! optional. Anything else is copied as it is.

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
        return numeric(input, j + 2, 2, 16, 3);
    }
    numeric(input, j + 1, 3, 10, 2)
}

/// Up to `max` digits in `radix` from `start`, as one (wrapping) byte.
fn numeric(input: &[u8], start: usize, max: usize, radix: u32, copy: usize) -> Step {
    let digits = input[start..]
        .iter()
        .take(max)
        .take_while(|c| if radix == 16 { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
        .count();
    if digits == 0 {
        return Step::Copy(copy);
    }
    let value = input[start..start + digits]
        .iter()
        .filter_map(|&c| char::from(c).to_digit(radix))
        .fold(0u32, |acc, d| acc * radix + d);
    Step::Decoded(value as u8, start + digits)
}

/// A named entity: the alphanumeric run from `j`, decoded when it starts with a known name.
fn named(input: &[u8], j: usize) -> Step {
    let len = input[j..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if len == 0 {
        return Step::Copy(1);
    }
    let name = &input[j..j + len];
    let starts = |p: &[u8]| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p);
    let byte = if starts(b"quot") {
        b'"'
    } else if starts(b"amp") {
        b'&'
    } else if starts(b"lt") {
        b'<'
    } else if starts(b"gt") {
        b'>'
    } else if starts(b"nbsp") {
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
        // The alphanumeric run is consumed whole once a known prefix matches.
        assert_eq!(dec(b"&ltfoo;bar"), b"<bar");
    }

    #[test]
    fn numeric_entities() {
        assert_eq!(dec(b"&#60;&#x3c;&#X3C"), b"<<<");
        assert_eq!(dec(b"&#0000060;"), b"\x000060;");
        assert_eq!(dec(b"&#x3c3c"), b"<3c");
        assert_eq!(dec(b"&#;&#x;&#"), b"&#;&#x;&#");
        assert_eq!(dec(b"&#999"), [999u32 as u8]);
    }

    #[test]
    fn trailing_ampersand_kept() {
        assert_eq!(decode(b"a&"), None);
        assert_eq!(decode(b"a & b"), None);
    }
}
