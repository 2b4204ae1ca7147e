//! Decoding of the predefined XML entities and character references; anything else is kept.

/// Decodes `&lt; &gt; &amp; &apos; &quot;`, `&#N;` and `&#xH;`; other references stay as
/// written (no DTD entity is ever expanded).
pub(super) fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'&' {
            if let Some((decoded, used)) = reference(&raw[i + 1..]) {
                let mut buf = [0u8; 4];
                out.extend_from_slice(decoded.encode_utf8(&mut buf).as_bytes());
                i += 1 + used;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// The character for the reference after `&` and the bytes it used (through `;`).
fn reference(rest: &[u8]) -> Option<(char, usize)> {
    let end = rest.iter().take(12).position(|&b| b == b';')?;
    let name = &rest[..end];
    let ch = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        [b'#', b'x', hex @ ..] => char::from_u32(number(hex, 16)?)?,
        [b'#', dec @ ..] => char::from_u32(number(dec, 10)?)?,
        _ => return None,
    };
    Some((ch, end + 1))
}

fn number(digits: &[u8], radix: u32) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_and_numeric() {
        assert_eq!(unescape(b"a&lt;b&#62;&#x3C;&amp;&quot;&apos;"), b"a<b><&\"'");
        assert_eq!(unescape(b"&#x1F600;"), "\u{1f600}".as_bytes());
        assert_eq!(unescape(b"&foo; & &#xZZ; &#;"), b"&foo; & &#xZZ; &#;");
    }
}
