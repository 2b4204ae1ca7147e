//! Builds the bytes go-ftw would send for a test input, and parses them as a server would.

use base64::Engine as _;

use super::model::Input;

/// A request as the server parsed it.
#[derive(Debug, Clone, Default)]
pub struct ParsedRequest {
    /// The method.
    pub method: String,
    /// The request target.
    pub uri: String,
    /// The protocol (`HTTP/1.1`).
    pub protocol: String,
    /// Headers in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body after de-chunking.
    pub body: Vec<u8>,
}

/// Why the simulated server refused the request (an HTTP-layer answer, no rule runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub &'static str);

/// The bytes go-ftw writes on the wire for `input`.
pub fn build(input: &Input) -> Vec<u8> {
    if let Some(encoded) = &input.encoded_request {
        let cleaned: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
        return base64::engine::general_purpose::STANDARD.decode(cleaned).unwrap_or_default();
    }
    if let Some(raw) = &input.raw_request {
        return raw.as_bytes().to_vec();
    }

    let method = input.method.clone().unwrap_or_else(|| "GET".into());
    let uri = input.uri.clone().unwrap_or_else(|| "/".into());
    let version = input.version.clone().unwrap_or_else(|| "HTTP/1.1".into());
    let mut headers = header_list(input);
    let mut data = body_data(input);
    let auto = input.autocomplete_headers.unwrap_or(true);

    if !data.is_empty() && auto {
        if !has(&headers, "content-type") {
            headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
        }
        data = encode_form(&headers, data);
    }
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("multipart/form-data;"))
    {
        data = lf_to_crlf(&data);
    }
    if auto {
        standard_headers(&mut headers, &method, data.len());
    }

    let mut out = format!("{method} {uri} {version}\r\n").into_bytes();
    for (k, v) in &headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&data);
    out
}

fn header_list(input: &Input) -> Vec<(String, String)> {
    let Some(map) = &input.headers else { return Vec::new() };
    map.iter().map(|(k, v)| (scalar(k), scalar(v))).collect()
}

fn scalar(v: &serde_yaml_ng::Value) -> String {
    match v {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Null => String::new(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

fn has(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

fn body_data(input: &Input) -> Vec<u8> {
    if let Some(data) = &input.data {
        return expand_template(data).into_bytes();
    }
    if let Some(encoded) = &input.encoded_data {
        let cleaned: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
        return base64::engine::general_purpose::STANDARD.decode(cleaned).unwrap_or_default();
    }
    Vec::new()
}

/// Expands the one template form the CRS corpus uses: `{{ "x" | repeat N }}`.
fn expand_template(data: &str) -> String {
    let Ok(re) = regex::Regex::new(r#"\{\{\s*"([^"]*)"\s*\|\s*repeat\s+(\d+)\s*\}\}"#) else {
        return data.to_string();
    };
    re.replace_all(data, |c: &regex::Captures<'_>| {
        let n: usize = c[2].parse().unwrap_or(0);
        c[1].repeat(n.min(10_000_000))
    })
    .into_owned()
}

/// go-ftw url-encodes form data that is not already encoded (keys and values separately).
fn encode_form(headers: &[(String, String)], data: Vec<u8>) -> Vec<u8> {
    let is_form = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type") && v == "application/x-www-form-urlencoded"
    });
    if !is_form {
        return data;
    }
    let Ok(text) = String::from_utf8(data.clone()) else { return data };
    match query_unescape(&text) {
        Some(unescaped) if unescaped == text => {}
        _ => return data,
    }
    let mut out = String::new();
    for token in text.split('&') {
        match token.split_once('=') {
            Some((k, v)) => {
                out.push_str(&query_escape(k));
                out.push('=');
                out.push_str(&query_escape(v));
            }
            None => out.push_str(&query_escape(token)),
        }
        out.push('&');
    }
    out.pop();
    out.into_bytes()
}

/// Go's url.QueryUnescape: None on a malformed escape.
fn query_unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Go's url.QueryEscape.
fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn lf_to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 16);
    for &b in data {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn standard_headers(headers: &mut Vec<(String, String)>, method: &str, len: usize) {
    if !has(headers, "connection") {
        headers.push(("Connection".into(), "close".into()));
    }
    if has(headers, "content-length") {
        return;
    }
    // go-ftw's method pattern is `^POST|PUT|PATCH|DELETE$`, unanchored in the middle.
    let with_body = method.starts_with("POST")
        || method.contains("PUT")
        || method.contains("PATCH")
        || method.ends_with("DELETE");
    if len > 0 || with_body {
        headers.push(("Content-Length".into(), len.to_string()));
    }
}

/// Parses request bytes the way a lenient HTTP/1.1 server does.
pub fn parse(bytes: &[u8]) -> Result<ParsedRequest, BadRequest> {
    let head_end = find(bytes, b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| find(bytes, b"\n\n").map(|p| (p, p + 2)))
        .unwrap_or((bytes.len(), bytes.len()));
    let head = &bytes[..head_end.0];
    let rest = &bytes[head_end.1..];
    let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));

    let line = lines.next().ok_or(BadRequest("empty request"))?;
    let line = String::from_utf8_lossy(line).into_owned();
    let parts: Vec<&str> = line.split(' ').filter(|p| !p.is_empty()).collect();
    let (method, uri, protocol) = match parts.as_slice() {
        [m, u, p] => (m.to_string(), u.to_string(), p.to_string()),
        [m, u] => (m.to_string(), u.to_string(), "HTTP/0.9".to_string()),
        _ => return Err(BadRequest("malformed request line")),
    };
    if line.starts_with(|c: char| c.is_whitespace()) {
        return Err(BadRequest("request line starts with whitespace"));
    }

    let mut req = ParsedRequest { method, uri, protocol, ..ParsedRequest::default() };
    for l in lines {
        if l.is_empty() {
            continue;
        }
        let Some(colon) = l.iter().position(|&b| b == b':') else {
            return Err(BadRequest("header line without a colon"));
        };
        let name = String::from_utf8_lossy(&l[..colon]).trim().to_string();
        let value = trim(&l[colon + 1..]).to_vec();
        req.headers.push((name, value));
    }
    req.body = body(&req.headers, rest)?;
    Ok(req)
}

fn body(headers: &[(String, Vec<u8>)], rest: &[u8]) -> Result<Vec<u8>, BadRequest> {
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().ends_with(b"chunked")
    });
    if chunked {
        return dechunk(rest);
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| String::from_utf8_lossy(v).trim().parse::<usize>());
    match length {
        Some(Ok(n)) => Ok(rest[..n.min(rest.len())].to_vec()),
        Some(Err(_)) => Err(BadRequest("invalid Content-Length")),
        None => Ok(Vec::new()),
    }
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, BadRequest> {
    let mut out = Vec::new();
    loop {
        let Some(end) = find(rest, b"\r\n") else { return Ok(out) };
        let size_text = String::from_utf8_lossy(&rest[..end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
        let size =
            usize::from_str_radix(&size_text, 16).map_err(|_| BadRequest("bad chunk size"))?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let take = size.min(rest.len());
        out.extend_from_slice(&rest[..take]);
        rest = rest.get(take + 2..).unwrap_or(&[]);
    }
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |p| p + 1);
    &s[start..end.max(start)]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_like_go_ftw() {
        let input =
            Input { method: Some("POST".into()), data: Some("a=b c&d".into()), ..Input::default() };
        let bytes = String::from_utf8(build(&input)).unwrap();
        assert!(bytes.starts_with("POST / HTTP/1.1\r\n"));
        assert!(bytes.contains("Content-Type: application/x-www-form-urlencoded\r\n"));
        assert!(bytes.contains("Content-Length: 7\r\n"));
        assert!(bytes.ends_with("\r\n\r\na=b+c&d"));
    }

    #[test]
    fn parses_chunked_bodies() {
        let raw: &[u8] = concat!(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "3\r\nHi \r\n3\r\nCRS\r\n0\r\n\r\n"
        )
        .as_bytes();
        let req = parse(raw).unwrap();
        assert_eq!(req.body, b"Hi CRS");
        assert_eq!(req.method, "POST");
    }

    #[test]
    fn expands_repeat_template() {
        assert_eq!(expand_template(r#"x{{ "1" | repeat 3 }}y"#), "x111y");
    }
}
