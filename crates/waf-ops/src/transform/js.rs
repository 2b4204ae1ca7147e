//! `t:jsDecode`: JavaScript escapes, as ModSecurity v3 decodes them.

use super::hex::hex_pair;
use super::url::full_width_low_byte;

/// Decodes `\uHHHH` (low byte, full-width mapped), `\xHH`, `\OOO` (one byte) and `\C`.
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
        if i + 1 >= input.len() {
            out.push(b'\\');
            break;
        }
        let (byte, used) = escape(&input[i + 1..]);
        out.push(byte);
        i += 1 + used;
        changed = true;
    }
    changed.then_some(out)
}

/// Decodes the escape after a backslash: the byte and how many bytes it used (at least 1).
fn escape(rest: &[u8]) -> (u8, usize) {
    if rest.len() >= 5 && rest[0] == b'u' && rest[1..5].iter().all(u8::is_ascii_hexdigit) {
        return (full_width_low_byte(&rest[1..5]), 5);
    }
    if rest.len() >= 3 && rest[0] == b'x' && rest[1..3].iter().all(u8::is_ascii_hexdigit) {
        return (hex_pair(rest[1], rest[2]), 3);
    }
    if is_octal(rest[0]) {
        return octal(rest);
    }
    let byte = match rest[0] {
        b'a' => 0x07,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        other => other,
    };
    (byte, 1)
}

pub(crate) fn is_octal(c: u8) -> bool {
    (b'0'..=b'7').contains(&c)
}

/// Up to three octal digits, two when three would exceed one byte.
pub(crate) fn octal(rest: &[u8]) -> (u8, usize) {
    let mut n = rest.iter().take(3).take_while(|&&c| is_octal(c)).count();
    if n == 3 && rest[0] > b'3' {
        n = 2;
    }
    let value = rest[..n].iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
    (value as u8, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &[u8]) -> Vec<u8> {
        decode(s).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn escapes() {
        assert_eq!(dec(b"\\x3cscript\\x3e"), b"<script>");
        assert_eq!(dec(b"\\u003c\\uff1c\\u1234"), b"<<\x34");
        assert_eq!(dec(b"\\74\\074\\474"), b"<<'4");
        assert_eq!(dec(b"\\n\\t\\'\\\\\\q"), b"\n\t'\\q");
        assert_eq!(dec(b"\\x4"), b"x4");
        assert_eq!(dec(b"\\u12"), b"u12");
        assert_eq!(dec(b"end\\"), b"end\\");
        assert_eq!(decode(b"plain"), None);
    }
}
