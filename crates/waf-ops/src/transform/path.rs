//! `t:normalizePath` and `t:normalizePathWin`: resolve `.`, `..` and repeated slashes.

/// Normalises a path: collapses `//`, drops `.` segments, resolves `..` against the previous
/// segment (never above the root of an absolute path; kept at the start of a relative one),
/// and keeps a trailing slash only if the input had one. With `windows`, `\` counts as `/`
/// and is rewritten to it.
pub(super) fn normalize(input: &[u8], windows: bool) -> Option<Vec<u8>> {
    let plain = memchr::memchr(b'.', input).is_none()
        && memchr::memmem::find(input, b"//").is_none()
        && (!windows || memchr::memchr(b'\\', input).is_none());
    if input.is_empty() || plain {
        return None;
    }
    let is_sep = |c: &u8| *c == b'/' || (windows && *c == b'\\');
    let absolute = is_sep(&input[0]);
    let trailing = input.last().is_some_and(is_sep);

    let mut segments: Vec<&[u8]> = Vec::new();
    for seg in input.split(is_sep) {
        match seg {
            b"" | b"." => {}
            b".." => match segments.last() {
                Some(prev) if *prev != b".." => {
                    segments.pop();
                }
                _ if !absolute => segments.push(seg),
                _ => {}
            },
            _ => segments.push(seg),
        }
    }

    let mut out = Vec::with_capacity(input.len());
    if absolute {
        out.push(b'/');
    }
    for (k, seg) in segments.iter().enumerate() {
        if k > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(seg);
    }
    if trailing && !segments.is_empty() {
        out.push(b'/');
    }
    super::changed(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &[u8], win: bool) -> Vec<u8> {
        normalize(s, win).unwrap_or_else(|| s.to_vec())
    }

    #[test]
    fn resolves_segments() {
        assert_eq!(norm(b"/a/b/../c/./d//e", false), b"/a/c/d/e");
        assert_eq!(norm(b"/../../etc/passwd", false), b"/etc/passwd");
        assert_eq!(norm(b"../../etc/passwd", false), b"../../etc/passwd");
        assert_eq!(norm(b"a/../../b", false), b"../b");
        assert_eq!(norm(b"/a/b/", false), b"/a/b/");
        assert_eq!(norm(b"/a/b/..", false), b"/a");
        assert_eq!(norm(b"./a", false), b"a");
        assert_eq!(norm(b"/", false), b"/");
        assert_eq!(normalize(b"/a/b", false), None);
    }

    #[test]
    fn windows_separators() {
        assert_eq!(norm(b"C:\\a\\..\\windows\\\\win.ini", true), b"C:/windows/win.ini");
        assert_eq!(norm(b"\\..\\boot.ini", true), b"/boot.ini");
        assert_eq!(norm(b"a\\b", false), b"a\\b");
    }
}
