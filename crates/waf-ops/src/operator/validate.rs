//! Validation operators: `@validateByteRange`, `@validateUrlEncoding`,
//! `@validateUtf8Encoding`. Each matches when the input is NOT valid.

use super::OperatorError;

/// The allowed bytes of `@validateByteRange`.
#[derive(Debug, Clone)]
pub(super) struct ByteRange {
    allowed: [bool; 256],
}

impl ByteRange {
    /// Parses `N` and `N-M` items separated by commas (values 0..=255).
    pub(super) fn parse(param: &str) -> Result<ByteRange, OperatorError> {
        let mut allowed = [false; 256];
        for item in param.split(',') {
            let (start, end) = parse_range(item.trim())?;
            for b in start..=end {
                allowed[usize::from(b)] = true;
            }
        }
        Ok(ByteRange { allowed })
    }

    /// Whether any byte of `input` is outside the allowed ranges.
    pub(super) fn has_invalid(&self, input: &[u8]) -> bool {
        input.iter().any(|&b| !self.allowed[usize::from(b)])
    }
}

fn parse_range(item: &str) -> Result<(u8, u8), OperatorError> {
    let value = |s: &str| {
        s.trim().parse::<u8>().map_err(|_| OperatorError::InvalidParameter {
            operator: "validateByteRange",
            reason: format!("'{s}' is not a byte value (0-255)"),
        })
    };
    let (start, end) = match item.split_once('-') {
        Some((a, b)) => (value(a)?, value(b)?),
        None => {
            let v = value(item)?;
            (v, v)
        }
    };
    if start > end {
        return Err(OperatorError::InvalidParameter {
            operator: "validateByteRange",
            reason: format!("range '{item}' starts after it ends"),
        });
    }
    Ok((start, end))
}

/// `@validateUrlEncoding`: a `%` not followed by two hex digits (an empty input is valid).
pub(super) fn url_encoding_invalid(input: &[u8]) -> bool {
    let mut i = 0;
    while i < input.len() {
        if input[i] != b'%' {
            i += 1;
            continue;
        }
        let valid = i + 2 < input.len()
            && input[i + 1].is_ascii_hexdigit()
            && input[i + 2].is_ascii_hexdigit();
        if !valid {
            return true;
        }
        i += 3;
    }
    false
}

/// `@validateUtf8Encoding`: truncated or malformed sequences, overlong forms, surrogates and
/// code points above U+10FFFF are invalid.
pub(super) fn utf8_invalid(input: &[u8]) -> bool {
    let mut i = 0;
    while i < input.len() {
        match sequence_len(&input[i..]) {
            Some(n) => i += n,
            None => return true,
        }
    }
    false
}

/// The length of the valid UTF-8 sequence at the start of `s`, or `None`.
fn sequence_len(s: &[u8]) -> Option<usize> {
    let c = s[0];
    let (width, lead_bits, minimum) = match c {
        0x00..=0x7f => return Some(1),
        0xc0..=0xdf => (2, u32::from(c & 0x1f), 0x80),
        0xe0..=0xef => (3, u32::from(c & 0x0f), 0x800),
        0xf0..=0xf4 => (4, u32::from(c & 0x07), 0x10000),
        _ => return None,
    };
    let tail = s.get(1..width)?;
    if tail.iter().any(|b| b & 0xc0 != 0x80) {
        return None;
    }
    let code = tail.iter().fold(lead_bits, |acc, b| (acc << 6) | u32::from(b & 0x3f));
    let surrogate = (0xd800..=0xdfff).contains(&code);
    (!surrogate && code >= minimum).then_some(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges() {
        let r = ByteRange::parse("1-255").unwrap();
        assert!(r.has_invalid(b"a\0b"));
        assert!(!r.has_invalid(b"abc\xff"));
        let r = ByteRange::parse("32-126, 9,10").unwrap();
        assert!(!r.has_invalid(b"a b\t\n"));
        assert!(r.has_invalid(b"\x7f"));
        let err = ByteRange::parse("1-256").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid parameter for '@validateByteRange': '256' is not a byte value (0-255)"
        );
        assert!(ByteRange::parse("9-1").is_err());
    }

    #[test]
    fn url_encoding() {
        assert!(!url_encoding_invalid(b"a%20b%7E"));
        assert!(url_encoding_invalid(b"a%2"));
        assert!(url_encoding_invalid(b"%zz"));
        assert!(url_encoding_invalid(b"%"));
        assert!(!url_encoding_invalid(b""));
    }

    #[test]
    fn utf8_encoding() {
        assert!(!utf8_invalid("héllo €😀".as_bytes()));
        assert!(utf8_invalid(b"\xc0\xaf"));
        assert!(utf8_invalid(b"\xe0\x80\xaf"));
        assert!(utf8_invalid(b"\xed\xa0\x80"));
        assert!(utf8_invalid(b"\xf5\x80\x80\x80"));
        assert!(utf8_invalid(b"abc\xc3"));
        assert!(utf8_invalid(b"\x80"));
    }
}
