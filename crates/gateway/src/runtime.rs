//! Starting and stopping the gateway: binding sockets, spawning tasks, handling signals.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rampart_events::EventSink;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::admin::{self, Readiness};
use crate::config::{self, ConfigError};
use crate::handler::Gateway;
use crate::metrics::Metrics;
use crate::server::{self, Listener};
use crate::{demo, reload};

/// Why the gateway could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The config file is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A socket could not be bound.
    #[error("cannot listen on {address} ({what}): {source}")]
    Bind {
        /// What the socket is for.
        what: String,
        /// The address.
        address: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The event sink could not be opened.
    #[error("cannot open the event sink: {0}")]
    Events(String),
}

/// How to start the gateway.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// The config file.
    pub config: PathBuf,
    /// Use this sink instead of the one in the config (tests read events from memory).
    pub events: Option<EventSink>,
    /// How often the config file and the API keys file are checked for changes; `None`
    /// disables watching.
    pub watch_interval: Option<Duration>,
}

impl StartOptions {
    /// Options for a config file, watched every second, events as configured.
    pub fn new(config: impl Into<PathBuf>) -> Self {
        Self { config: config.into(), events: None, watch_interval: Some(Duration::from_secs(1)) }
    }
}

/// A started gateway: its bound addresses and the handle to stop it.
#[derive(Debug)]
pub struct RunningGateway {
    /// Bound listener addresses by name, in config order.
    pub listeners: Vec<(String, SocketAddr)>,
    /// The admin listener's bound address.
    pub admin: SocketAddr,
    /// The demo API's bound address, when configured.
    pub demo: Option<SocketAddr>,
    /// Shared state (snapshot, metrics, events).
    pub gateway: Arc<Gateway>,
    config: PathBuf,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
    writer: Option<tokio::task::JoinHandle<()>>,
}

impl RunningGateway {
    /// The bound address of a listener by name.
    pub fn listener(&self, name: &str) -> Option<SocketAddr> {
        self.listeners.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
    }

    /// Reloads the config file now.
    pub fn reload(&self) -> Result<(), ConfigError> {
        reload::reload(&self.gateway, &self.config)
    }

    /// Checks the TLS files of the running config now and swaps in what changed (as the
    /// rotation watcher and SIGHUP do); returns how many changed files were refused.
    pub fn refresh_tls(&self) -> usize {
        crate::tls::rotation::refresh_all(&self.gateway)
    }

    /// Stops accepting, drains connections within the grace time, and flushes events.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        while self.tasks.join_next().await.is_some() {}
        let _ = self.gateway.events.flush().await;
        if let Some(writer) = self.writer.take() {
            writer.abort();
        }
    }
}

/// Loads the config, binds every socket and starts serving.
pub async fn start(options: StartOptions) -> Result<RunningGateway, StartError> {
    let metrics = Arc::new(Metrics::new());
    let loaded = reload::fingerprint(&options.config);
    let parsed = config::load(&options.config)?;
    let snapshot = config::compile(parsed, &options.config, &metrics)?;

    let (events, writer) = match options.events.clone() {
        Some(sink) => (sink, None),
        None => {
            let config = &snapshot.config.events;
            let (sink, writer) = EventSink::spawn(config)
                .await
                .map_err(|error| StartError::Events(error.to_string()))?;
            (sink, Some(writer))
        }
    };

    let config = snapshot.config.clone();
    if let Some(limits) = &snapshot.limits {
        let events = events.clone();
        crate::pipeline::limit::install_store_hook(limits, metrics.clone(), events);
    }
    let gateway = Arc::new(Gateway::new(snapshot, metrics, events));
    let readiness = Arc::new(Readiness::default());
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();

    let admin_socket = bind("admin", config.admin.address).await?;
    let admin = local(&admin_socket, "admin")?;
    tasks.spawn(admin::serve(
        gateway.clone(),
        readiness.clone(),
        admin_socket,
        shutdown_rx.clone(),
    ));

    let demo = match &config.demo {
        Some(demo_config) => {
            let socket = bind("demo api", demo_config.address).await?;
            let address = local(&socket, "demo api")?;
            let mut stop = shutdown_rx.clone();
            tasks.spawn(async move {
                tokio::select! { _ = demo::serve(socket) => {}, _ = stop.changed() => {} }
            });
            Some(address)
        }
        None => None,
    };

    let connections = Arc::new(Semaphore::new(config.limits.max_connections.max(1)));
    let mut listeners = Vec::new();
    for listener_config in &config.listeners {
        let listener = Listener::bind(
            &listener_config.name,
            listener_config.address,
            listener_config.tls.is_some(),
        )
        .await
        .map_err(|source| StartError::Bind {
            what: format!("listener {}", listener_config.name),
            address: listener_config.address,
            source,
        })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind {
            what: format!("listener {}", listener_config.name),
            address: listener_config.address,
            source,
        })?;
        listeners.push((listener_config.name.clone(), address));
        tasks.spawn(server::serve(
            gateway.clone(),
            listener,
            connections.clone(),
            shutdown_rx.clone(),
        ));
    }

    if let Some(interval) = options.watch_interval {
        let watcher = reload::watch_file(
            gateway.clone(),
            options.config.clone(),
            loaded,
            interval,
            shutdown_rx.clone(),
        );
        tasks.spawn(watcher);
        let rotation = crate::tls::rotation::watch(gateway.clone(), interval, shutdown_rx.clone());
        tasks.spawn(rotation);
    }

    if let Some(interval) = options.watch_interval {
        let keys =
            crate::pipeline::limit::watch_keys(gateway.clone(), interval, shutdown_rx.clone());
        tasks.spawn(keys);
    }
    readiness.set(true);
    for (name, address) in &listeners {
        tracing::info!(listener = %name, address = %address, "listening");
    }
    tracing::info!(address = %admin, "admin listening");

    Ok(RunningGateway {
        listeners,
        admin,
        demo,
        gateway,
        config: options.config,
        shutdown,
        tasks,
        writer,
    })
}

async fn bind(what: &str, address: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(address).await.map_err(|source| StartError::Bind {
        what: what.to_owned(),
        address,
        source,
    })
}

fn local(socket: &TcpListener, what: &str) -> Result<SocketAddr, StartError> {
    socket.local_addr().map_err(|source| StartError::Bind {
        what: what.to_owned(),
        address: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })
}

/// Runs the gateway until SIGTERM or SIGINT; SIGHUP reloads the config and reopens the event
/// file, SIGUSR1 reopens the event file only.
pub async fn run(options: StartOptions) -> Result<(), StartError> {
    use tokio::signal::unix::{signal, SignalKind};

    let running = start(options).await?;
    let signal_error = |error: std::io::Error| {
        StartError::Events(format!("cannot install signal handlers: {error}"))
    };
    let mut term = signal(SignalKind::terminate()).map_err(signal_error)?;
    let mut int = signal(SignalKind::interrupt()).map_err(signal_error)?;
    let mut hup = signal(SignalKind::hangup()).map_err(signal_error)?;
    let mut usr1 = signal(SignalKind::user_defined1()).map_err(signal_error)?;

    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => {
                let _ = running.reload();
                running.refresh_tls();
                reopen_events(&running).await;
            }
            _ = usr1.recv() => reopen_events(&running).await,
        }
    }

    tracing::info!("shutting down: draining connections");
    running.shutdown().await;
    Ok(())
}

async fn reopen_events(running: &RunningGateway) {
    if let Err(error) = running.gateway.events.reopen().await {
        tracing::error!(error = %error, "cannot reopen the event file");
    }
}
