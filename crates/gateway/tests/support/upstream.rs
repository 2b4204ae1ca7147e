//! A real HTTP upstream for tests: echoes what it receives, and has a few special paths.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex, Notify};

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// Shared controls of a running upstream.
#[derive(Default)]
pub struct Controls {
    /// `/stream` sends its second chunk only after this is notified.
    pub release_stream: Notify,
    /// Requests seen, as `method path`.
    pub seen: Mutex<Vec<String>>,
}

/// A running upstream.
pub struct TestUpstream {
    pub addr: SocketAddr,
    pub controls: Arc<Controls>,
    pub name: &'static str,
}

impl TestUpstream {
    /// Starts an upstream answering HTTP/1.1 and h2c.
    pub async fn start(name: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let controls = Arc::new(Controls::default());
        let shared = controls.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let controls = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let controls = controls.clone();
                        async move { Ok::<_, Infallible>(answer(name, controls, req).await) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, controls, name }
    }
}

/// A socket address nothing listens on.
pub async fn dead_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

async fn answer(
    name: &'static str,
    controls: Arc<Controls>,
    mut req: Request<Incoming>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    controls.seen.lock().await.push(format!("{} {}", req.method(), req.uri()));

    if path == "/slow" {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    if path == "/stream" {
        return stream_response(controls);
    }
    if path == "/ws" {
        return upgrade_echo(&mut req);
    }
    if let Some(code) = path.strip_prefix("/status/") {
        let status = StatusCode::from_u16(code.parse().unwrap()).unwrap();
        let mut response = Response::new(full("status"));
        *response.status_mut() = status;
        return response;
    }
    echo(name, req).await
}

async fn echo(name: &'static str, req: Request<Incoming>) -> Response<Body> {
    let (head, body) = req.into_parts();
    let mut headers = serde_json::Map::new();
    for (key, value) in &head.headers {
        let entry = headers.entry(key.as_str()).or_insert_with(|| serde_json::json!([]));
        entry.as_array_mut().unwrap().push(value.to_str().unwrap_or("<binary>").into());
    }
    let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let echo = serde_json::json!({
        "upstream": name,
        "method": head.method.as_str(),
        "uri": head.uri.to_string(),
        "version": format!("{:?}", head.version),
        "headers": headers,
        "body_len": bytes.len(),
        "body_sha": format!("{:x}", fnv(&bytes)),
    });
    let mut response = Response::new(full(serde_json::to_vec(&echo).unwrap()));
    response.headers_mut().insert("content-type", "application/json".parse().unwrap());
    response.headers_mut().insert("connection", "x-upstream-hop".parse().unwrap());
    response.headers_mut().insert("x-upstream-hop", "secret".parse().unwrap());
    response
}

/// A cheap fingerprint of body bytes, so tests can compare what was sent with what arrived.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

fn stream_response(controls: Arc<Controls>) -> Response<Body> {
    let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(2);
    tokio::spawn(async move {
        let _ = tx.send(Ok(Frame::data(Bytes::from_static(b"first;")))).await;
        controls.release_stream.notified().await;
        let _ = tx.send(Ok(Frame::data(Bytes::from_static(b"second")))).await;
    });
    let stream = tokio_stream_from(rx);
    Response::new(StreamBody::new(stream).boxed())
}

fn tokio_stream_from(
    mut rx: mpsc::Receiver<Result<Frame<Bytes>, Infallible>>,
) -> impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

fn upgrade_echo(req: &mut Request<Incoming>) -> Response<Body> {
    let on_upgrade = hyper::upgrade::on(req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else { return };
        let mut io = TokioIo::new(upgraded);
        let mut buf = [0u8; 1024];
        loop {
            let Ok(n) = io.read(&mut buf).await else { return };
            if n == 0 || io.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    });
    let mut response = Response::new(full(""));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    response.headers_mut().insert("connection", "upgrade".parse().unwrap());
    response.headers_mut().insert("upgrade", "websocket".parse().unwrap());
    response
}
