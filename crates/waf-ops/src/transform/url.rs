//! `t:urlDecode`, `t:urlDecodeUni` and `t:urlEncode`.

use super::hex::hex_pair;

/// Result of a non-strict URL decode: the bytes and how many `%` escapes were invalid.
pub(crate) struct Decoded {
    /// The decoded bytes.
    pub(crate) bytes: Vec<u8>,
    /// Count of `%` not followed by two hex digits (ModSecurity's `invalid_count`).
    pub(crate) invalid: usize,
    /// Whether anything was decoded (`%XX` or `+`).
    pub(crate) changed: bool,
}

/// Decodes `%XX` and `+`; with `unicode`, also `%uXXXX` (low byte, with the full-width
/// ASCII range U+FF01..U+FF5E mapped down to ASCII as ModSecurity does).
pub(super) fn decode(input: &[u8], unicode: bool) -> Option<Vec<u8>> {
    memchr::memchr2(b'%', b'+', input)?;
    let d = decode_counting(input, unicode);
    d.changed.then_some(d.bytes)
}

/// The decoder behind [`decode`], also reporting invalid escapes (for URLENCODED_ERROR).
pub(crate) fn decode_counting(input: &[u8], unicode: bool) -> Decoded {
    let mut out = Vec::with_capacity(input.len());
    let (mut i, mut invalid, mut changed) = (0, 0, false);
    while i < input.len() {
        let c = input[i];
        if c == b'+' {
            out.push(b' ');
            changed = true;
            i += 1;
        } else if c != b'%' {
            out.push(c);
            i += 1;
        } else if unicode && matches!(input.get(i + 1), Some(b'u' | b'U')) {
            match percent_u(input, i) {
                Some(b) => {
                    out.push(b);
                    changed = true;
                    i += 6;
                }
                None => {
                    out.extend_from_slice(&input[i..i + 2]);
                    i += 2;
                }
            }
        } else if i + 2 < input.len()
            && input[i + 1].is_ascii_hexdigit()
            && input[i + 2].is_ascii_hexdigit()
        {
            out.push(hex_pair(input[i + 1], input[i + 2]));
            changed = true;
            i += 3;
        } else {
            out.push(c);
            invalid += 1;
            i += 1;
        }
    }
    Decoded { bytes: out, invalid, changed }
}

/// Decodes `%uHHHH` at `i` to its low byte (with the full-width mapping), if well formed.
fn percent_u(input: &[u8], i: usize) -> Option<u8> {
    let digits = input.get(i + 2..i + 6)?;
    if i + 5 >= input.len() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    Some(full_width_low_byte(digits))
}

/// The low byte of four hex digits, plus 0x20 for full-width ASCII (`FFxx`, xx in 01..5e),
/// ModSecurity's mapping shared by urlDecodeUni, jsDecode and cssDecode.
pub(crate) fn full_width_low_byte(digits: &[u8]) -> u8 {
    let low = hex_pair(digits[2], digits[3]);
    let full_width = digits[0].eq_ignore_ascii_case(&b'f') && digits[1].eq_ignore_ascii_case(&b'f');
    if full_width && low > 0 && low < 0x5f {
        low + 0x20
    } else {
        low
    }
}

/// Percent-encodes all but `*`, digits and ASCII letters; space becomes `+`.
pub(super) fn encode(input: &[u8]) -> Option<Vec<u8>> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(input.len() * 3);
    for &c in input {
        if c == b' ' {
            out.push(b'+');
        } else if c == b'*' || c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.extend_from_slice(&[
                b'%',
                DIGITS[usize::from(c >> 4)],
                DIGITS[usize::from(c & 15)],
            ]);
        }
    }
    super::changed(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &[u8], uni: bool) -> Vec<u8> {
        decode(s, uni).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn url_decode_basics_and_invalid() {
        assert_eq!(dec(b"a%20b+c%2", false), b"a b c%2");
        assert_eq!(dec(b"%zz%41", false), b"%zzA");
        assert_eq!(decode_counting(b"%zz%4", false).invalid, 2);
        assert_eq!(dec(b"%u0041", false), b"%u0041");
        assert_eq!(dec(b"%c0%af", false), b"\xc0\xaf");
    }

    #[test]
    fn url_decode_uni_percent_u() {
        assert_eq!(dec(b"%u0041%u003c", true), b"A<");
        // Full-width: U+FF1C (fullwidth '<') maps to '<'.
        assert_eq!(dec(b"%uff1cscript%uFF1E", true), b"<script>");
        // Only the low byte is kept outside the full-width range.
        assert_eq!(dec(b"%u1234", true), b"\x34");
        // Too short or invalid: `%u` is copied, the rest decoded normally.
        assert_eq!(dec(b"%u12", true), b"%u12");
        assert_eq!(dec(b"%u12x4%41", true), b"%u12x4A");
        assert_eq!(dec(b"%U0041", true), b"A");
    }

    #[test]
    fn url_encode() {
        assert_eq!(encode(b"a b/<").as_deref(), Some(&b"a+b%2f%3c"[..]));
        assert_eq!(encode(b"ab*1"), None);
    }
}
