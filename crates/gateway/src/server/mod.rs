//! Listeners: accepting connections, TLS, HTTP/1.1 and HTTP/2, limits and graceful shutdown.

mod activity;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;

use rampart_events::{EventType, SecurityEvent};

use crate::config::model::ServerLimits;
use crate::handler::{ConnectionInfo, Gateway};
use crate::tls::client_auth::record_handshake;
use crate::tls::identity;
use activity::{Activity, Tracked};

/// One bound listener and what it needs to serve.
#[derive(Debug)]
pub struct Listener {
    /// The listener's name from the config.
    pub name: Arc<str>,
    /// The bound socket.
    pub socket: TcpListener,
    /// Whether it terminates TLS (with the snapshot's current certificate).
    pub tls: bool,
}

impl Listener {
    /// Binds a listener's address.
    pub async fn bind(name: &str, address: SocketAddr, tls: bool) -> std::io::Result<Self> {
        let socket = TcpListener::bind(address).await?;
        Ok(Self { name: name.into(), socket, tls })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }
}

/// Accepts and serves connections until `shutdown` turns true, then drains within the grace time.
pub async fn serve(
    gateway: Arc<Gateway>,
    listener: Listener,
    connections: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let accepted = tokio::select! {
            accepted = listener.socket.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(listener = %listener.name, error = %error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);

        let conn = Arc::new(ConnectionInfo {
            peer,
            listener: listener.name.clone(),
            tls: listener.tls,
            peer_verified: false,
            principal: None,
            local_port: stream.local_addr().ok().map(|local| local.port()),
            local_ip: stream.local_addr().ok().map(|local| local.ip()),
            sni: None,
        });
        let gateway = gateway.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            gateway.metrics.connections().inc();
            accept_connection(gateway.clone(), stream, conn, watcher).await;
            gateway.metrics.connections().dec();
            drop(permit);
        });
    }

    let Listener { name, socket, .. } = listener;
    drop(socket);
    let grace = gateway.snapshot.load().config.limits.shutdown_grace.get();
    tracing::info!(listener = %name, grace_ms = grace.as_millis() as u64, "listener draining");
    if tokio::time::timeout(grace, graceful.shutdown()).await.is_err() {
        tracing::warn!(listener = %name, "drain deadline passed; closing connections");
    }
}

async fn accept_connection(
    gateway: Arc<Gateway>,
    stream: TcpStream,
    conn: Arc<ConnectionInfo>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let limits = gateway.snapshot.load().config.limits.clone();
    if !conn.tls {
        serve_connection(gateway, stream, conn, &limits, watcher).await;
        return;
    }

    let Some(tls) = gateway.snapshot.load().tls.get(conn.listener.as_ref()).cloned() else {
        tracing::error!(listener = %conn.listener, "listener has no TLS settings");
        return;
    };
    let acceptor = TlsAcceptor::from(tls.current());
    let handshake = tokio::time::timeout(limits.header_read_timeout.get(), acceptor.accept(stream));
    match record_handshake(handshake).await {
        (Ok(Ok(stream)), _) => {
            let conn = Arc::new(with_peer_identity(&conn, stream.get_ref().1));
            serve_connection(gateway, stream, conn, &limits, watcher).await;
        }
        (Ok(Err(error)), subject) => handshake_failed(&gateway, &conn, &error, subject),
        (Err(_), _) => tracing::debug!(peer = %conn.peer, "tls handshake timed out"),
    }
}

/// The connection's facts once the handshake verified (or did not ask for) a client certificate.
fn with_peer_identity(conn: &ConnectionInfo, session: &rustls::ServerConnection) -> ConnectionInfo {
    let leaf = session.peer_certificates().and_then(|chain| chain.first());
    let mut conn = conn.clone();
    conn.peer_verified = leaf.is_some();
    conn.principal = leaf.and_then(identity::peer_principal).map(Arc::from);
    conn.sni = session.server_name().map(Arc::from);
    conn
}

/// Logs a failed handshake and records a `tls_handshake_failed` event.
fn handshake_failed(
    gateway: &Gateway,
    conn: &ConnectionInfo,
    error: &std::io::Error,
    subject: Option<String>,
) {
    tracing::info!(
        peer = %conn.peer,
        listener = %conn.listener,
        tls.subject = subject.as_deref().unwrap_or(""),
        error = %error,
        "tls handshake failed"
    );
    let mut event = SecurityEvent::new(EventType::TlsHandshakeFailed)
        .with_source_ip(conn.peer.ip())
        .with_detail("peer", conn.peer.to_string())
        .with_detail("listener", conn.listener.as_ref())
        .with_detail("reason", error.to_string());
    if let Some(subject) = subject {
        event.insert_detail("subject", subject);
    }
    gateway.events.emit(event);
}

async fn serve_connection<I>(
    gateway: Arc<Gateway>,
    stream: I,
    conn: Arc<ConnectionInfo>,
    limits: &ServerLimits,
    watcher: hyper_util::server::graceful::Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let io = TokioIo::new(Tracked::new(stream, activity.clone()));

    let service_activity = activity.clone();
    let service = service_fn(move |request| {
        let in_flight = service_activity.request();
        let gateway = gateway.clone();
        let conn = conn.clone();
        async move {
            let response = gateway.handle(conn, request).await;
            drop(in_flight);
            response
        }
    });

    let builder = http_builder(limits);
    let connection = builder.serve_connection_with_upgrades(io, service);
    let connection = watcher.watch(connection.into_owned());
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(error = %error, "connection ended with an error");
            }
        }
        _ = activity.idle_for(limits.idle_timeout.get()) => {
            tracing::debug!("idle connection closed");
        }
    }
}

fn http_builder(limits: &ServerLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout.get())
        .max_buf_size(limits.max_header_bytes.max(8192))
        .max_headers(limits.max_headers)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256)
        .keep_alive_interval(Some(Duration::from_secs(30)));
    builder
}
