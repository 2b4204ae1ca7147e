//! Whitespace and NUL handling: `compressWhitespace`, `removeWhitespace`, `removeNulls`,
//! `replaceNulls`, `trim`, `trimLeft`, `trimRight`.

/// C's `isspace` in the "C" locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Every run of whitespace becomes one space.
pub(super) fn compress(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut in_space = false;
    for &c in input {
        if is_space(c) {
            if !in_space {
                out.push(b' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    super::changed(input, out)
}

/// Drops whitespace and, as ModSecurity v3 does, the bytes 0xa0 and 0xc2 (the halves of a
/// UTF-8 non-breaking space).
pub(super) fn remove(input: &[u8]) -> Option<Vec<u8>> {
    remove_if(input, |c| is_space(c) || c == 0xa0 || c == 0xc2)
}

/// Drops NUL bytes.
pub(super) fn remove_nulls(input: &[u8]) -> Option<Vec<u8>> {
    remove_if(input, |c| c == 0)
}

/// Replaces NUL bytes with spaces.
pub(super) fn replace_nulls(input: &[u8]) -> Option<Vec<u8>> {
    input.contains(&0).then(|| input.iter().map(|&c| if c == 0 { b' ' } else { c }).collect())
}

/// Drops leading and/or trailing whitespace.
pub(super) fn trim(input: &[u8], left: bool, right: bool) -> Option<Vec<u8>> {
    let mut s = input;
    if right {
        while let [rest @ .., last] = s {
            if !is_space(*last) {
                break;
            }
            s = rest;
        }
    }
    if left {
        while let [first, rest @ ..] = s {
            if !is_space(*first) {
                break;
            }
            s = rest;
        }
    }
    (s.len() != input.len()).then(|| s.to_vec())
}

fn remove_if(input: &[u8], drop: impl Fn(u8) -> bool) -> Option<Vec<u8>> {
    input.iter().any(|&c| drop(c)).then(|| input.iter().copied().filter(|&c| !drop(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compresses_runs() {
        assert_eq!(compress(b"a \t\r\n b  c").as_deref(), Some(&b"a b c"[..]));
        assert_eq!(compress(b"a b"), None);
        assert_eq!(compress(b"\x0b\x0c").as_deref(), Some(&b" "[..]));
    }

    #[test]
    fn removes_whitespace_and_nbsp_bytes() {
        assert_eq!(remove(b" a\tb\xc2\xa0c ").as_deref(), Some(&b"abc"[..]));
        assert_eq!(remove(b"abc"), None);
    }

    #[test]
    fn nulls() {
        assert_eq!(remove_nulls(b"a\0b\0").as_deref(), Some(&b"ab"[..]));
        assert_eq!(replace_nulls(b"a\0b").as_deref(), Some(&b"a b"[..]));
        assert_eq!(replace_nulls(b"ab"), None);
    }

    #[test]
    fn trims() {
        assert_eq!(trim(b" \ta b\n", true, true).as_deref(), Some(&b"a b"[..]));
        assert_eq!(trim(b" a ", true, false).as_deref(), Some(&b"a "[..]));
        assert_eq!(trim(b" a ", false, true).as_deref(), Some(&b" a"[..]));
        assert_eq!(trim(b"   ", true, true).as_deref(), Some(&b""[..]));
        assert_eq!(trim(b"a", true, true), None);
    }
}
