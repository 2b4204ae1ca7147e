//! `t:hexDecode`, `t:hexEncode` and `t:sqlHexDecode`.

/// ModSecurity's `xsingle2c`: the value of one hex digit; garbage in, garbage out, never a
/// panic (the arithmetic wraps as the C code's `unsigned char` does).
pub(crate) fn hex_digit(c: u8) -> u8 {
    if c >= b'A' {
        (c & 0xdf).wrapping_sub(b'A').wrapping_add(10)
    } else {
        c.wrapping_sub(b'0')
    }
}

/// ModSecurity's `x2c`: two hex digits to one byte.
pub(crate) fn hex_pair(hi: u8, lo: u8) -> u8 {
    hex_digit(hi).wrapping_mul(16).wrapping_add(hex_digit(lo))
}

/// Decodes pairs of characters as hex digits without validating them (as ModSecurity does);
/// a trailing odd character is dropped.
pub(super) fn decode(input: &[u8]) -> Vec<u8> {
    input.chunks_exact(2).map(|p| hex_pair(p[0], p[1])).collect()
}

/// Each byte as two lower-case hex digits.
pub(super) fn encode(input: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(input.len() * 2);
    for b in input {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0f)]);
    }
    out
}

/// Decodes SQL hex literals `0xHH..` in place; other bytes are kept.
pub(super) fn sql_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut changed = false;
    while i < input.len() {
        let literal = i + 3 < input.len()
            && input[i] == b'0'
            && input[i + 1].eq_ignore_ascii_case(&b'x')
            && input[i + 2].is_ascii_hexdigit()
            && input[i + 3].is_ascii_hexdigit();
        if !literal {
            out.push(input[i]);
            i += 1;
            continue;
        }
        i += 2;
        while i + 1 < input.len()
            && input[i].is_ascii_hexdigit()
            && input[i + 1].is_ascii_hexdigit()
        {
            out.push(hex_pair(input[i], input[i + 1]));
            i += 2;
        }
        changed = true;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(encode(b"\x00Az"), b"00417a");
        assert_eq!(decode(b"00417a"), b"\x00Az");
        assert_eq!(decode(b"414"), b"A");
    }

    #[test]
    fn sql_hex_literals() {
        assert_eq!(sql_decode(b"select 0x414243 x").as_deref(), Some(&b"select ABC x"[..]));
        assert_eq!(sql_decode(b"0x4"), None);
    }
}
