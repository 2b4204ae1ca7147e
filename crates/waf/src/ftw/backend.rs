//! The CRS "albedo" test backend on a real socket, for end-to-end runs: the answers of
//! [`super::albedo::respond`] served over HTTP/1.1 with keep-alive, one thread per connection.
//!
//! It is a test backend for loopback use: requests are read whole (at most [`MAX_REQUEST`]
//! bytes), and at most [`MAX_CONNECTIONS`] connections are served at once.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::{albedo, framing, http};

/// Largest request (head and body) the backend reads; larger ones get 413 and a close.
pub const MAX_REQUEST: usize = 16 * 1024 * 1024;

/// Most connections served at once; further ones are closed at once.
pub const MAX_CONNECTIONS: usize = 256;

/// Largest request head.
const MAX_HEAD: usize = 64 * 1024;

/// Binds `address` and serves albedo on a background thread; returns the bound address.
pub fn spawn(address: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(address)?;
    let bound = listener.local_addr()?;
    std::thread::spawn(move || serve(&listener));
    Ok(bound)
}

/// Serves albedo on `listener` until the process ends.
pub fn serve(listener: &TcpListener) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let active = active.clone();
        std::thread::spawn(move || {
            if let Err(error) = serve_connection(stream) {
                tracing::debug!(error = %error, "albedo connection ended");
            }
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Answers requests on one connection until the client closes it or asks for a close.
fn serve_connection(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let Some(length) = read_request(&mut stream, &mut buf)? else { return Ok(()) };
        let bytes: Vec<u8> = buf.drain(..length).collect();
        let Ok(request) = http::parse(&bytes) else {
            stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")?;
            return Ok(());
        };
        let close = request
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case(b"close"));
        let response = albedo::respond(&request);
        stream.write_all(&encode(&response, request.method == "HEAD", close))?;
        if close {
            return Ok(());
        }
    }
}

/// Reads until `buf` holds one whole request; returns its length, or `None` at a clean end.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<usize>> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(length) = request_length(buf)? {
            return Ok(Some(length));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The length of the complete request at the start of `buf`, if it is complete.
fn request_length(buf: &[u8]) -> std::io::Result<Option<usize>> {
    let too_large = || std::io::Error::other("request over the albedo backend's size limit");
    let Some(head) = framing::head_end(buf) else {
        return if buf.len() > MAX_HEAD { Err(too_large()) } else { Ok(None) };
    };
    let body = if framing::is_chunked(&buf[..head]) {
        framing::chunked_len(&buf[head..])
    } else {
        let declared = framing::content_length(&buf[..head]).unwrap_or(0);
        (buf.len() - head >= declared).then_some(declared)
    };
    match body {
        Some(length) => Ok(Some(head + length)),
        None if buf.len() > MAX_REQUEST => Err(too_large()),
        None => Ok(None),
    }
}

/// The bytes of a response; framing headers the reflected spec gave are replaced.
fn encode(response: &albedo::Response, head_only: bool, close: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} albedo\r\n", response.status).into_bytes();
    for (name, value) in &response.headers {
        let framing = ["content-length", "transfer-encoding", "connection"]
            .iter()
            .any(|f| name.eq_ignore_ascii_case(f));
        let unsafe_bytes = |b: &u8| *b == b'\r' || *b == b'\n';
        if framing || name.bytes().any(|b| unsafe_bytes(&b)) || value.iter().any(unsafe_bytes) {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n", response.body.len()).as_bytes());
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    out
}
