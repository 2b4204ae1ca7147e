//! Comment handling: `t:replaceComments`, `t:removeComments`, `t:removeCommentsChar`.

/// Each `/* ... */` (an unterminated one runs to the end) becomes one space.
pub(super) fn replace(input: &[u8]) -> Option<Vec<u8>> {
    memchr::memmem::find(input, b"/*")?;
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut in_comment = false;
    let mut changed = false;
    while i < input.len() {
        let pair = input.get(i..i + 2);
        if !in_comment && pair == Some(b"/*") {
            in_comment = true;
            changed = true;
            i += 2;
        } else if in_comment && pair == Some(b"*/") {
            in_comment = false;
            out.push(b' ');
            i += 2;
        } else {
            if !in_comment {
                out.push(input[i]);
            }
            i += 1;
        }
    }
    if in_comment {
        out.push(b' ');
    }
    changed.then_some(out)
}

/// Drops `/* */` and `<!-- -->` comments (an unterminated one leaves one space), and cuts the
/// input at `--` or `#`, as ModSecurity v3 does (including its quirk of keeping the NUL
/// terminator when a comment closes at the very end).
pub(super) fn remove(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    let mut in_comment = false;
    let mut changed = false;
    while i < input.len() {
        let rest = &input[i..];
        if in_comment {
            let close = if rest.starts_with(b"*/") {
                2
            } else if rest.starts_with(b"-->") {
                3
            } else {
                i += 1;
                continue;
            };
            in_comment = false;
            i += close;
            // ModSecurity copies the byte right after the terminator unconditionally, which
            // is the string's NUL terminator when the comment closes at the very end.
            out.push(input.get(i).copied().unwrap_or(0));
            i += 1;
        } else if rest.starts_with(b"/*") || rest.starts_with(b"<!--") {
            in_comment = true;
            changed = true;
            i += if rest[0] == b'/' { 2 } else { 4 };
        } else if rest.starts_with(b"--") || rest[0] == b'#' {
            return Some(out);
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    if in_comment {
        out.push(b' ');
    }
    changed.then_some(out)
}

/// Drops the comment markers `/*`, `*/`, `<!--`, `-->`, `--` and `#`, keeping the text.
pub(super) fn remove_chars(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let rest = &input[i..];
        let skip = if rest.starts_with(b"/*") || rest.starts_with(b"*/") {
            2
        } else if rest.starts_with(b"<!--") {
            4
        } else if rest.starts_with(b"-->") {
            3
        } else if rest.starts_with(b"--") {
            2
        } else {
            usize::from(rest[0] == b'#')
        };
        if skip == 0 {
            out.push(rest[0]);
            i += 1;
        } else {
            i += skip;
        }
    }
    super::changed(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn or_same(f: fn(&[u8]) -> Option<Vec<u8>>, s: &[u8]) -> Vec<u8> {
        f(s).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn replace_comments() {
        assert_eq!(or_same(replace, b"un/**/ion/*x*/sel"), b"un ion sel");
        assert_eq!(or_same(replace, b"a/* open"), b"a ");
        assert_eq!(or_same(replace, b"a */ b"), b"a */ b");
    }

    #[test]
    fn remove_comments() {
        assert_eq!(or_same(remove, b"un/**/ion"), b"union");
        assert_eq!(or_same(remove, b"a/*x*/"), b"a\0");
        assert_eq!(or_same(remove, b"a<!-- x -->b"), b"ab");
        assert_eq!(or_same(remove, b"1 or 1=1-- x"), b"1 or 1=1");
        assert_eq!(or_same(remove, b"1#x"), b"1");
        assert_eq!(or_same(remove, b"a/*open"), b"a ");
    }

    #[test]
    fn remove_comment_chars() {
        assert_eq!(or_same(remove_chars, b"/*a*/<!--b-->c--d#e"), b"abcde");
        assert_eq!(remove_chars(b"plain"), None);
    }
}
