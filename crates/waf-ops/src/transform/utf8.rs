//! `t:utf8toUnicode`: multi-byte UTF-8 sequences to `%uHHHH`, as ModSecurity v3 does it.

use std::io::Write as _;

/// Encodes each well-formed 2-4 byte UTF-8 sequence as `%u` plus at least four lower-case hex
/// digits. ModSecurity's quirks are kept: an overlong or surrogate sequence is followed by its
/// lead byte again; a lead byte (0xc0..0xf7) without its continuation bytes is dropped; NUL
/// bytes are dropped (libmodsecurity 3.0.9); lone continuation bytes and 0xf8..0xff are
/// copied.
pub(super) fn to_unicode(input: &[u8]) -> Option<Vec<u8>> {
    if input.iter().all(|&c| c != 0 && c < 0x80) {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() + input.len() / 2);
    let mut i = 0;
    while i < input.len() {
        let c = input[i];
        let width = match c {
            0x00..=0x7f => {
                if c != 0 {
                    out.push(c);
                }
                i += 1;
                continue;
            }
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => {
                out.push(c);
                i += 1;
                continue;
            }
        };
        if width == 4 && c >= 0xf5 {
            out.push(c);
        }
        i += encode_sequence(&input[i..], width, &mut out);
    }
    super::changed(input, out)
}

/// Encodes one sequence of `width` bytes at the start of `seq`; returns the bytes consumed
/// (1 when the sequence is truncated or malformed, which emits nothing).
fn encode_sequence(seq: &[u8], width: usize, out: &mut Vec<u8>) -> usize {
    let Some(bytes) = seq.get(..width) else {
        return 1;
    };
    if bytes[1..].iter().any(|b| b & 0xc0 != 0x80) {
        return 1;
    }
    let lead_bits = u32::from(bytes[0]) & (0x7f >> width);
    let code = bytes[1..].iter().fold(lead_bits, |acc, b| (acc << 6) | u32::from(b & 0x3f));
    // Writing to a Vec cannot fail.
    let _ = write!(out, "%u{code:04x}");

    let minimum = match width {
        2 => 0x80,
        3 => 0x800,
        _ => 0x10000,
    };
    if (0xd800..=0xdfff).contains(&code) {
        out.push(bytes[0]);
    }
    if code < minimum {
        out.push(bytes[0]);
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &[u8]) -> Vec<u8> {
        to_unicode(s).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn encodes_sequences() {
        assert_eq!(enc("a\u{e9}".as_bytes()), b"a%u00e9");
        assert_eq!(enc("\u{ff1c}".as_bytes()), b"%uff1c");
        assert_eq!(enc("\u{1f600}".as_bytes()), b"%u1f600");
        assert_eq!(to_unicode(b"ascii"), None);
    }

    #[test]
    fn overlong_and_malformed() {
        // Overlong '/' (c0 af): encoded, then the lead byte again.
        assert_eq!(enc(b"\xc0\xaf"), b"%u002f\xc0");
        assert_eq!(enc(b"\xe0\x80\xaf"), b"%u002f\xe0");
        // Truncated or bad continuation: the lead byte is dropped.
        assert_eq!(enc(b"a\xc3"), b"a");
        assert_eq!(enc(b"\xc3A"), b"A");
        // Lone continuation byte copied; surrogate followed by its lead byte.
        assert_eq!(enc(b"\x80"), b"\x80");
        assert_eq!(enc(b"\xed\xa0\x80"), b"%ud800\xed");
        // NUL bytes dropped.
        assert_eq!(enc(b"a\0b\0"), b"ab");
    }
}
