//! `t:escapeSeqDecode`: ANSI C escape sequences.

use super::hex::hex_pair;
use super::js::is_octal;

/// Decodes `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` and `\O..` (1-3 octal digits); an
/// unknown escape loses its backslash; a trailing backslash is kept.
pub(super) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'\\', input)?;
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut changed = false;
    while i < input.len() {
        if input[i] != b'\\' || i + 1 >= input.len() {
            out.push(input[i]);
            i += 1;
            continue;
        }
        let (byte, used) = escape(&input[i + 1..]);
        out.push(byte);
        i += 1 + used;
        changed = true;
    }
    changed.then_some(out)
}

/// The byte for the escape after a backslash, and how many bytes it used.
fn escape(rest: &[u8]) -> (u8, usize) {
    let simple = match rest[0] {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' | b'?' | b'\'' | b'"' => Some(rest[0]),
        _ => None,
    };
    if let Some(b) = simple {
        return (b, 1);
    }
    if matches!(rest[0], b'x' | b'X') {
        if rest.len() >= 3 && rest[1..3].iter().all(u8::is_ascii_hexdigit) {
            return (hex_pair(rest[1], rest[2]), 3);
        }
        return (rest[0], 1);
    }
    if is_octal(rest[0]) {
        let n = rest.iter().take(3).take_while(|&&c| is_octal(c)).count();
        let value = rest[..n].iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
        return (value as u8, n);
    }
    (rest[0], 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &[u8]) -> Vec<u8> {
        decode(s).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn c_escapes() {
        assert_eq!(dec(b"\\x41\\101\\n\\\"\\q"), b"AA\n\"q");
        assert_eq!(dec(b"\\xZZ"), b"xZZ");
        assert_eq!(dec(b"\\0"), b"\0");
        assert_eq!(dec(b"\\777"), [0o777u32 as u8]);
        assert_eq!(dec(b"tail\\"), b"tail\\");
        assert_eq!(decode(b"none"), None);
    }
}
