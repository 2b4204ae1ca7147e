//! `t:cssDecode`: CSS 2 escapes as ModSecurity v3 decodes them.

use super::hex::{hex_digit, hex_pair};
use super::whitespace::is_space;

/// Decodes `\H..H` (1 to 6 hex digits, last byte kept, full-width mapped) and `\C`; drops a
/// backslash before a newline or at the end, and one whitespace after a hex escape.
pub(super) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'\\', input)?;
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut changed = false;
    while i < input.len() {
        if input[i] != b'\\' {
            out.push(input[i]);
            i += 1;
            continue;
        }
        i += 1;
        if i >= input.len() {
            changed = true;
            break;
        }
        let digits = input[i..].iter().take(6).take_while(|c| c.is_ascii_hexdigit()).count();
        if digits > 0 {
            out.push(hex_escape(&input[i..i + digits]));
            let mut used = digits;
            if input.get(i + digits).is_some_and(|&c| is_space(c)) {
                used += 1;
            }
            i += used;
            changed = true;
        } else if input[i] == b'\n' {
            i += 1;
            changed = true;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// The byte of a 1-6 digit hex escape: the last two digits, with ModSecurity's full-width
/// check for 4 digits, or 5-6 digits whose leading digits are zero.
fn hex_escape(d: &[u8]) -> u8 {
    let n = d.len();
    if n == 1 {
        return hex_digit(d[0]);
    }
    let low = hex_pair(d[n - 2], d[n - 1]);
    let full_check = match n {
        4 => true,
        5 => d[0] == b'0',
        6 => d[0] == b'0' && d[1] == b'0',
        _ => false,
    };
    let ff =
        full_check && d[n - 3].eq_ignore_ascii_case(&b'f') && d[n - 4].eq_ignore_ascii_case(&b'f');
    if ff && low > 0 && low < 0x5f {
        low + 0x20
    } else {
        low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &[u8]) -> Vec<u8> {
        decode(s).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn escapes() {
        assert_eq!(dec(b"\\3c script\\3E"), b"<script>");
        assert_eq!(dec(b"\\00003c"), b"<");
        assert_eq!(dec(b"\\ff1c\\0ff1c"), b"<<");
        assert_eq!(dec(b"\\a"), b"\x0a");
        assert_eq!(dec(b"j\\a vascript"), b"j\nvascript");
        assert_eq!(dec(b"\\s\\\ncript\\"), b"script");
        assert_eq!(decode(b"plain"), None);
    }
}
