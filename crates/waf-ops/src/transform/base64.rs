//! `t:base64Decode` (strict, as mbedTLS), `t:base64DecodeExt` (forgiving) and `t:base64Encode`.

/// The 6-bit value of a base64 character, or `None`.
fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Strict decoding as ModSecurity v3 does it through mbedTLS: input stops at the first NUL;
/// any invalid character, a space inside a line, data after `=` or more than two `=` give an
/// empty result. Line breaks are skipped; a trailing incomplete group is dropped.
pub(super) fn decode(input: &[u8]) -> Vec<u8> {
    let end = input.iter().position(|&c| c == 0).unwrap_or(input.len());
    let Some(sextets) = strict_sextets(&input[..end]) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(sextets.len() / 4 * 3);
    for quad in sextets.chunks_exact(4) {
        let pads = quad.iter().filter(|s| s.is_none()).count();
        let bits = quad.iter().fold(0u32, |acc, s| (acc << 6) | u32::from(s.unwrap_or(0)));
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pads.min(3)]);
    }
    out
}

/// Validates like mbedTLS and returns the sextets in order (`None` for `=`).
fn strict_sextets(input: &[u8]) -> Option<Vec<Option<u8>>> {
    let mut out = Vec::with_capacity(input.len());
    let mut pads = 0;
    let mut i = 0;
    while i < input.len() {
        let spaces_start = i;
        while i < input.len() && input[i] == b' ' {
            i += 1;
        }
        if i == input.len() {
            break;
        }
        let c = input[i];
        i += 1;
        if c == b'\n' || (c == b'\r' && input.get(i) == Some(&b'\n')) {
            continue;
        }
        if i - 1 != spaces_start {
            return None;
        }
        if c == b'=' {
            pads += 1;
            if pads > 2 {
                return None;
            }
            out.push(None);
            continue;
        }
        if pads != 0 {
            return None;
        }
        out.push(Some(sextet(c)?));
    }
    Some(out)
}

/// Forgiving decoding (ModSecurity's `decode_forgiven`): invalid characters are skipped;
/// a `=` right after the first character of a group (and not followed by `=`) gives an empty
/// result.
pub(super) fn decode_ext(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 1);
    let mut count = 0usize;
    let mut acc = 0u32;
    for (pos, &c) in input.iter().enumerate() {
        if c == b'=' {
            if input.get(pos + 1) != Some(&b'=') && count % 4 == 1 {
                return Vec::new();
            }
            continue;
        }
        let Some(v) = sextet(c) else { continue };
        acc = (acc << 6) | u32::from(v);
        count += 1;
        match count % 4 {
            2 => out.push((acc >> 4) as u8),
            3 => out.push((acc >> 2) as u8),
            0 => {
                out.push(acc as u8);
                acc = 0;
            }
            _ => {}
        }
    }
    out
}

/// Standard base64 with `=` padding.
pub(super) fn encode(input: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 0x3f) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding() {
        assert_eq!(decode(b"dmFsdWUy"), b"value2");
        assert_eq!(decode(b"dmFsdWUyCg=="), b"value2\n");
        assert_eq!(decode(b"dmFs\r\ndWUy"), b"value2");
        assert_eq!(decode(b"dmFs dWUy"), b"");
        assert_eq!(decode(b"dmF!dWUy"), b"");
        assert_eq!(decode(b"YQ==YQ=="), b"");
        assert_eq!(decode(b"dmFsd"), b"val");
        assert_eq!(decode(b"dmFs\0!!!"), b"val");
    }

    #[test]
    fn forgiving_decoding() {
        assert_eq!(decode_ext(b"dmF!sdW.Uy"), b"value2");
        assert_eq!(decode_ext(b"dmFsdWUyCg=="), b"value2\n");
        assert_eq!(decode_ext(b"d=mFs"), b"");
        assert_eq!(decode_ext(b"dmFsd"), b"val");
    }

    #[test]
    fn encoding() {
        assert_eq!(encode(b"value2\n"), b"dmFsdWUyCg==");
        assert_eq!(encode(b"ab"), b"YWI=");
        assert_eq!(encode(b""), b"");
    }
}
