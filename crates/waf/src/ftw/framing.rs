//! HTTP/1.1 message framing for the socket runner and the albedo backend: where a head ends,
//! what a header says, and where a chunked body ends.

/// The byte index just past the blank line that ends the head, if the head is complete.
pub(super) fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// The first value of header `name` (case-insensitive) in a head, trimmed.
pub(super) fn header<'a>(head: &'a [u8], name: &str) -> Option<&'a [u8]> {
    head.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let colon = line.iter().position(|&b| b == b':')?;
        let key = String::from_utf8_lossy(&line[..colon]);
        key.trim().eq_ignore_ascii_case(name).then(|| line[colon + 1..].trim_ascii())
    })
}

/// Whether the head declares a chunked body.
pub(super) fn is_chunked(head: &[u8]) -> bool {
    header(head, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().trim_ascii_end().ends_with(b"chunked"))
}

/// The declared Content-Length, if any and valid.
pub(super) fn content_length(head: &[u8]) -> Option<usize> {
    let value = header(head, "content-length")?;
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

/// The length of a complete chunked body at the start of `buf` (chunks, the last chunk and
/// the trailers), or `None` while it is incomplete or malformed.
pub(super) fn chunked_len(buf: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        let line_end = find(&buf[at..], b"\r\n")? + at;
        let size_text = String::from_utf8_lossy(&buf[at..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
        let size = usize::from_str_radix(&size_text, 16).ok()?;
        at = line_end + 2;
        if size == 0 {
            return trailers_end(buf, at);
        }
        at = at.checked_add(size)?.checked_add(2)?;
        if at > buf.len() {
            return None;
        }
    }
}

/// Past the trailer section that starts at `at` (possibly empty), if complete.
fn trailers_end(buf: &[u8], at: usize) -> Option<usize> {
    let rest = buf.get(at..)?;
    if rest.starts_with(b"\r\n") {
        return Some(at + 2);
    }
    find(rest, b"\r\n\r\n").map(|p| at + p + 4)
}

/// The data of a complete chunked body.
pub(super) fn dechunk(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rel) = find(&buf[at..], b"\r\n") {
        let line_end = at + rel;
        let size_text = String::from_utf8_lossy(&buf[at..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
        let Ok(size) = usize::from_str_radix(&size_text, 16) else { break };
        at = line_end + 2;
        if size == 0 {
            break;
        }
        let end = at.saturating_add(size).min(buf.len());
        out.extend_from_slice(&buf[at..end]);
        at = end.saturating_add(2).min(buf.len());
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_heads_headers_and_chunk_ends() {
        let msg = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(head_end(msg), Some(msg.len()));
        assert_eq!(content_length(msg), Some(3));
        assert!(is_chunked(msg));
        assert_eq!(header(msg, "x-missing"), None);

        let body = b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\nNEXT";
        assert_eq!(chunked_len(body), Some(body.len() - 4));
        assert_eq!(dechunk(body), b"abcde");
        assert_eq!(chunked_len(b"3\r\nabc\r\n0\r\n"), None);
        assert_eq!(chunked_len(b"3\r\nab"), None);
        assert_eq!(chunked_len(b"zz\r\n"), None);
        let trailers = b"0\r\nX-T: 1\r\n\r\n";
        assert_eq!(chunked_len(trailers), Some(trailers.len()));
    }
}
