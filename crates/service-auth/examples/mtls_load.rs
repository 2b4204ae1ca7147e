//! A load generator for mutual TLS (bench/mtls/run.sh): every connection presents a client
//! certificate, and the same code drives rampart and nginx.
//!
//! ```text
//! mtls_load MODE ADDR --ca CA.pem --cert CLIENT.pem --key CLIENT-KEY.pem
//!           [--connections 32] [--duration 10] [--warmup 2] [--threads 2] [--tls 1.3|1.2]
//!           [--kx x25519|default] [--server-name localhost] [--path /]
//! ```
//!
//! MODE `handshake`: each task opens a new TCP + TLS connection (full handshake: session
//! resumption is disabled), sends one `GET` with `Connection: close`, reads the whole response
//! and closes; the rate is new handshakes per second. MODE `keepalive`: each task keeps one
//! connection and sends requests on it back to back; the rate is requests per second.
//! Requests before the warm-up ends are not counted. Prints one line:
//! `RESULT mode=... rate=... p50_us=... p99_us=... ok=... errors=... non2xx=... tls=... kx=...`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

struct Options {
    mode: String,
    addr: SocketAddr,
    ca: String,
    cert: String,
    key: String,
    connections: usize,
    duration: Duration,
    warmup: Duration,
    threads: usize,
    tls: String,
    kx: String,
    server_name: String,
    path: String,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_owned())
    };
    let secs =
        |name: &str, default: &str| Duration::from_secs_f64(flag(name, default).parse().unwrap());
    Options {
        mode: args.first().cloned().expect("MODE: handshake or keepalive"),
        addr: args.get(1).expect("ADDR").parse().expect("ADDR as ip:port"),
        ca: flag("--ca", ""),
        cert: flag("--cert", ""),
        key: flag("--key", ""),
        connections: flag("--connections", "32").parse().unwrap(),
        duration: secs("--duration", "10"),
        warmup: secs("--warmup", "2"),
        threads: flag("--threads", "2").parse().unwrap(),
        tls: flag("--tls", "1.3"),
        kx: flag("--kx", "x25519"),
        server_name: flag("--server-name", "localhost"),
        path: flag("--path", "/"),
    }
}

fn tls_config(options: &Options) -> ClientConfig {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    if options.kx == "x25519" {
        // X25519 is preferred for the key exchange; P-256 must still be offered, because in
        // TLS 1.2 OpenSSL (nginx) only uses an ECDSA certificate whose curve is among the
        // client's groups, and answers handshake_failure otherwise.
        provider.kx_groups = vec![
            rustls::crypto::aws_lc_rs::kx_group::X25519,
            rustls::crypto::aws_lc_rs::kx_group::SECP256R1,
        ];
    }
    let versions: &[&rustls::SupportedProtocolVersion] = match options.tls.as_str() {
        "1.2" => &[&rustls::version::TLS12],
        _ => &[&rustls::version::TLS13],
    };

    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&options.ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(&options.cert).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(&options.key).unwrap();

    let mut config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .unwrap();
    config.resumption = rustls::client::Resumption::disabled();
    config
}

#[derive(Default)]
struct Totals {
    ok: AtomicU64,
    errors: AtomicU64,
    non2xx: AtomicU64,
    latencies_us: Mutex<Vec<u32>>,
    negotiated: Mutex<Option<String>>,
}

struct Run {
    options: Options,
    connector: TlsConnector,
    name: ServerName<'static>,
    counted_from: Instant,
    until: Instant,
    totals: Totals,
}

impl Run {
    async fn connect(&self) -> Result<SendRequest<Empty<Bytes>>, String> {
        let tcp = TcpStream::connect(self.options.addr).await.map_err(|e| e.to_string())?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let tls =
            self.connector.connect(self.name.clone(), tcp).await.map_err(|e| e.to_string())?;
        self.note_negotiated(&tls);

        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(sender)
    }

    fn note_negotiated(&self, tls: &tokio_rustls::client::TlsStream<TcpStream>) {
        let mut negotiated = self.totals.negotiated.lock().unwrap();
        if negotiated.is_none() {
            let (_, conn) = tls.get_ref();
            let version = conn.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default();
            let kx = conn.negotiated_key_exchange_group().map(|g| format!("{:?}", g.name()));
            let suite = conn.negotiated_cipher_suite().map(|s| format!("{:?}", s.suite()));
            *negotiated = Some(format!(
                "tls={version} kx={} suite={}",
                kx.unwrap_or_default(),
                suite.unwrap_or_default()
            ));
        }
    }

    async fn request(
        &self,
        sender: &mut SendRequest<Empty<Bytes>>,
        close: bool,
    ) -> Result<(), String> {
        let mut request = http::Request::get(self.options.path.as_str())
            .header(http::header::HOST, &self.options.server_name);
        if close {
            request = request.header(http::header::CONNECTION, "close");
        }
        let request = request.body(Empty::new()).unwrap();

        sender.ready().await.map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status();
        response.into_body().collect().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            self.totals.non2xx.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Records one finished unit of work that started at `started`.
    fn record(&self, started: Instant, result: Result<(), String>, latencies: &mut Vec<u32>) {
        if started < self.counted_from || Instant::now() > self.until {
            return;
        }
        match result {
            Ok(()) => {
                self.totals.ok.fetch_add(1, Ordering::Relaxed);
                latencies.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            Err(error) => {
                if self.totals.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("first error: {error}");
                }
            }
        }
    }

    async fn handshake_loop(self: Arc<Self>) {
        let mut latencies = Vec::new();
        while Instant::now() < self.until {
            let started = Instant::now();
            let result = match self.connect().await {
                Ok(mut sender) => self.request(&mut sender, true).await,
                Err(error) => Err(error),
            };
            self.record(started, result, &mut latencies);
        }
        self.totals.latencies_us.lock().unwrap().extend(latencies);
    }

    async fn keepalive_loop(self: Arc<Self>) {
        let mut latencies = Vec::new();
        let mut sender = None;
        while Instant::now() < self.until {
            let started = Instant::now();
            let result = match &mut sender {
                Some(open) => self.request(open, false).await,
                None => match self.connect().await {
                    Ok(open) => {
                        sender = Some(open);
                        continue;
                    }
                    Err(error) => Err(error),
                },
            };
            if result.is_err() {
                sender = None;
            }
            self.record(started, result, &mut latencies);
        }
        self.totals.latencies_us.lock().unwrap().extend(latencies);
    }
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.threads)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(options));
}

async fn run(options: Options) {
    let connector = TlsConnector::from(Arc::new(tls_config(&options)));
    let name = ServerName::try_from(options.server_name.clone()).unwrap();
    let start = Instant::now();
    let counted_from = start + options.warmup;
    let until = counted_from + options.duration;
    let run =
        Arc::new(Run { options, connector, name, counted_from, until, totals: Totals::default() });

    let mut tasks = Vec::new();
    for _ in 0..run.options.connections {
        let run = run.clone();
        tasks.push(match run.options.mode.as_str() {
            "handshake" => tokio::spawn(run.handshake_loop()),
            "keepalive" => tokio::spawn(run.keepalive_loop()),
            other => panic!("unknown mode {other}: use handshake or keepalive"),
        });
    }
    for task in tasks {
        task.await.unwrap();
    }

    let totals = &run.totals;
    let mut latencies = std::mem::take(&mut *totals.latencies_us.lock().unwrap());
    latencies.sort_unstable();
    let ok = totals.ok.load(Ordering::Relaxed);
    let rate = ok as f64 / run.options.duration.as_secs_f64();
    println!(
        "RESULT mode={} rate={rate:.1} p50_us={} p99_us={} ok={ok} errors={} non2xx={} {}",
        run.options.mode,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        totals.errors.load(Ordering::Relaxed),
        totals.non2xx.load(Ordering::Relaxed),
        totals.negotiated.lock().unwrap().clone().unwrap_or_else(|| "tls=none kx=none".into()),
    );
}
