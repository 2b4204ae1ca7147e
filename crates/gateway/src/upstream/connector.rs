//! The connector of the upstream clients: TCP, then TLS when the upstream has `tls`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use thiserror::Error;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::tls::upstream::UpstreamTlsFailure;
use crate::tls::UpstreamTls;

/// Why a connection to an upstream target could not be opened.
#[derive(Debug, Error)]
pub enum ConnectError {
    /// The TCP connection failed or timed out.
    #[error("cannot connect to the upstream: {0}")]
    Tcp(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The TLS handshake failed or the upstream's identity is wrong.
    #[error(transparent)]
    Tls(#[from] UpstreamTlsFailure),
}

/// Opens connections to upstream targets, with TLS when configured.
#[derive(Debug, Clone)]
pub struct UpstreamConnector {
    http: HttpConnector,
    tls: Option<Arc<UpstreamTls>>,
    handshake_timeout: Duration,
}

impl UpstreamConnector {
    /// A connector with the given TCP connector, TLS settings and handshake time limit.
    pub fn new(http: HttpConnector, tls: Option<Arc<UpstreamTls>>, timeout: Duration) -> Self {
        Self { http, tls, handshake_timeout: timeout }
    }
}

type Connecting = Pin<Box<dyn Future<Output = Result<UpstreamStream, ConnectError>> + Send>>;

impl tower_service::Service<Uri> for UpstreamConnector {
    type Response = UpstreamStream;
    type Error = ConnectError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(|error| ConnectError::Tcp(error.into()))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        let tcp = self.http.call(target.clone());
        let tls = self.tls.clone();
        let timeout = self.handshake_timeout;
        Box::pin(async move {
            let tcp = tcp.await.map_err(|error| ConnectError::Tcp(error.into()))?;
            let Some(tls) = tls else { return Ok(UpstreamStream::Plain(tcp)) };

            let host = target.host().unwrap_or_default();
            let stream = tls.connect(host, tcp.into_inner(), timeout).await?;
            Ok(UpstreamStream::Tls(Box::new(TokioIo::new(stream))))
        })
    }
}

/// A connection to an upstream target, plain or TLS.
#[derive(Debug)]
pub enum UpstreamStream {
    /// Plain TCP.
    Plain(TokioIo<TcpStream>),
    /// TLS over TCP (boxed: the TLS state is large).
    Tls(Box<TokioIo<TlsStream<TcpStream>>>),
}

impl Connection for UpstreamStream {
    fn connected(&self) -> Connected {
        match self {
            Self::Plain(tcp) => tcp.connected(),
            Self::Tls(tls) => {
                let (tcp, session) = tls.inner().get_ref();
                let connected = tcp.connected();
                match session.alpn_protocol() {
                    Some(b"h2") => connected.negotiated_h2(),
                    _ => connected,
                }
            }
        }
    }
}

impl Read for UpstreamStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(io) => Pin::new(io).poll_read(cx, buf),
            Self::Tls(io) => Pin::new(io.as_mut()).poll_read(cx, buf),
        }
    }
}

impl Write for UpstreamStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(io) => Pin::new(io).poll_write(cx, buf),
            Self::Tls(io) => Pin::new(io.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(io) => Pin::new(io).poll_flush(cx),
            Self::Tls(io) => Pin::new(io.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Plain(io) => Pin::new(io).poll_shutdown(cx),
            Self::Tls(io) => Pin::new(io.as_mut()).poll_shutdown(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(io) => io.is_write_vectored(),
            Self::Tls(io) => io.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            Self::Tls(io) => Pin::new(io.as_mut()).poll_write_vectored(cx, bufs),
        }
    }
}

/// The TLS failure behind an upstream client error, found by walking its sources: a failed
/// handshake of this connector, or a TLS alert read after it (a TLS 1.3 upstream refuses a
/// missing client certificate only after the handshake).
pub fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<UpstreamTlsFailure> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(ConnectError::Tls(failure)) = error.downcast_ref::<ConnectError>() {
            return Some(failure.clone());
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if let Some(failure) = crate::tls::upstream::classify_io(io) {
                return Some(failure);
            }
        }
        current = error.source();
    }
    None
}
