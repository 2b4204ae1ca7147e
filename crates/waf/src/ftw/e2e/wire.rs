//! One exchange over a real TCP socket: the bytes go-ftw would send, with the run's request id
//! added, and the response read back as far as it came.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::super::framing;

/// Largest response body kept (the replies of a whole run are kept until they are judged);
/// the rest is not read.
const MAX_BODY: usize = 256 * 1024;

/// Largest response head read.
const MAX_HEAD: usize = 64 * 1024;

/// What came back for one request.
#[derive(Debug, Clone, Default)]
pub(super) struct Reply {
    /// The final status, or `None` when no response head arrived.
    pub status: Option<u16>,
    /// The `X-Request-Id` the gateway answered with, if any.
    pub request_id: Option<String>,
    /// The body, as far as it was read.
    pub body: Vec<u8>,
    /// Why no response arrived (connect, write or read failure).
    pub error: Option<String>,
}

/// `bytes` with `X-Request-Id: id` added after the request line, ending it like that line.
/// Bytes without a line ending are returned unchanged (the request cannot carry an id).
pub(super) fn with_request_id(bytes: &[u8], id: &str) -> Vec<u8> {
    let Some(newline) = bytes.iter().position(|&b| b == b'\n') else {
        return bytes.to_vec();
    };
    let ending: &[u8] = if newline > 0 && bytes[newline - 1] == b'\r' { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(bytes.len() + id.len() + 16);
    out.extend_from_slice(&bytes[..=newline]);
    out.extend_from_slice(format!("X-Request-Id: {id}").as_bytes());
    out.extend_from_slice(ending);
    out.extend_from_slice(&bytes[newline + 1..]);
    out
}

/// The method of a request: its first token.
pub(super) fn method_of(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Sends `bytes` on a new connection and reads the response (waiting at most `timeout` for
/// each read).
pub(super) fn exchange(address: SocketAddr, bytes: &[u8], timeout: Duration) -> Reply {
    let mut stream = match TcpStream::connect_timeout(&address, timeout) {
        Ok(stream) => stream,
        Err(error) => return failed(format!("cannot connect: {error}")),
    };
    if let Err(error) = configure(&stream, timeout) {
        return failed(format!("cannot set up the socket: {error}"));
    }
    // A server may answer and close before it read everything (a 413, say): read anyway.
    let write_error = stream.write_all(bytes).err();
    let head_only = method_of(bytes) == b"HEAD";
    let mut reply = read_response(&mut stream, head_only);
    if reply.status.is_none() {
        if let Some(error) = write_error {
            reply.error = Some(format!("cannot send the request: {error}"));
        }
    }
    reply
}

fn configure(stream: &TcpStream, timeout: Duration) -> std::io::Result<()> {
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_nodelay(true)
}

fn failed(error: String) -> Reply {
    Reply { error: Some(error), ..Reply::default() }
}

/// Reads the final response (skipping 1xx answers); keeps what arrived before an error.
fn read_response(stream: &mut TcpStream, head_only: bool) -> Reply {
    let mut buf = Vec::new();
    let mut reply = Reply::default();
    let head = loop {
        match framing::head_end(&buf) {
            Some(end) if informational(&buf) => {
                buf.drain(..end);
            }
            Some(end) => break end,
            None if buf.len() > MAX_HEAD => return failed("the response head is too large".into()),
            None => {
                if let Err(error) = fill(stream, &mut buf) {
                    reply.error = Some(error);
                    return reply;
                }
            }
        }
    };

    let head_bytes = buf[..head].to_vec();
    reply.status = status_of(&head_bytes);
    reply.request_id = framing::header(&head_bytes, "x-request-id")
        .map(|v| String::from_utf8_lossy(v).into_owned());
    let no_body = head_only || matches!(reply.status, Some(204 | 304));
    if !no_body {
        reply.body = read_body(stream, &head_bytes, buf.split_off(head));
    }
    reply
}

/// Reads more bytes; an error text on failure or on end of stream.
fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut chunk = [0u8; 16 * 1024];
    match stream.read(&mut chunk) {
        Ok(0) => Err("the connection closed without a response".into()),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
        Err(error) if is_timeout(&error) => Err("no response before the timeout".into()),
        Err(error) => Err(format!("reading the response failed: {error}")),
    }
}

fn is_timeout(error: &std::io::Error) -> bool {
    matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
}

fn informational(buf: &[u8]) -> bool {
    status_of(buf).is_some_and(|s| (100..200).contains(&s))
}

fn status_of(head: &[u8]) -> Option<u16> {
    let line = head.split(|&b| b == b'\n').next()?;
    let text = String::from_utf8_lossy(line);
    let mut parts = text.split_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

/// The body by Content-Length, chunked encoding or end of stream, at most [`MAX_BODY`].
fn read_body(stream: &mut TcpStream, head: &[u8], mut buf: Vec<u8>) -> Vec<u8> {
    let chunked = framing::is_chunked(head);
    let declared = framing::content_length(head);
    loop {
        if chunked && framing::chunked_len(&buf).is_some() {
            return framing::dechunk(&buf);
        }
        if let Some(length) = declared.filter(|_| !chunked) {
            if buf.len() >= length {
                buf.truncate(length);
                return buf;
            }
        }
        if buf.len() >= MAX_BODY || fill(stream, &mut buf).is_err() {
            buf.truncate(MAX_BODY);
            return if chunked { framing::dechunk(&buf) } else { buf };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_the_request_id_after_the_request_line() {
        let crlf = with_request_id(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "ftw-1-0");
        assert_eq!(crlf, b"GET / HTTP/1.1\r\nX-Request-Id: ftw-1-0\r\nHost: a\r\n\r\n");
        let lf = with_request_id(b"GET / HTTP/1.0\nHost: a\n\n", "x");
        assert_eq!(lf, b"GET / HTTP/1.0\nX-Request-Id: x\nHost: a\n\n");
        assert_eq!(with_request_id(b"GET /", "x"), b"GET /");
        assert_eq!(method_of(b"HEAD / HTTP/1.1\r\n"), b"HEAD");
        assert_eq!(status_of(b"HTTP/1.1 100 Continue\r\n\r\n"), Some(100));
        assert_eq!(status_of(b"garbage"), None);
    }
}
