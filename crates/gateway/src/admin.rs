//! The admin listener: health, readiness, Prometheus metrics, the running config and the
//! API-key endpoints.

mod keys;

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::handler::Gateway;
use crate::respond::{full_body, ResponseBody};

/// Whether the gateway is ready: config loaded and listeners bound.
#[derive(Debug, Default)]
pub struct Readiness(AtomicBool);

impl Readiness {
    /// Marks the gateway ready (or not).
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Release);
    }

    /// Whether the gateway is ready.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Serves the admin endpoints until shutdown.
pub async fn serve(
    gateway: Arc<Gateway>,
    readiness: Arc<Readiness>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else { continue };
        let gateway = gateway.clone();
        let readiness = readiness.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let (gateway, readiness) = (gateway.clone(), readiness.clone());
                async move {
                    let path = request.uri().path();
                    let response = match keys::parse(path) {
                        Some((id, action)) => {
                            keys::answer(&gateway, request.method(), id, action).await
                        }
                        None => answer(&gateway, &readiness, &request),
                    };
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn answer(
    gateway: &Gateway,
    readiness: &Readiness,
    request: &Request<Incoming>,
) -> Response<ResponseBody> {
    if request.method() != Method::GET {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET is served here\n");
    }
    match request.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/readyz" if readiness.get() => text(StatusCode::OK, "ready\n"),
        "/readyz" => text(StatusCode::SERVICE_UNAVAILABLE, "not ready\n"),
        "/metrics" => {
            let body = gateway.metrics.render(gateway.events.dropped());
            let mut response = text(StatusCode::OK, body);
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        "/config" => running_config(gateway),
        _ => text(StatusCode::NOT_FOUND, "not found; try /healthz, /readyz, /metrics, /config\n"),
    }
}

/// The running config as JSON. Secrets never live in the config (only the names of the
/// environment variables that hold them), so nothing needs masking beyond what Serialize emits.
fn running_config(gateway: &Gateway) -> Response<ResponseBody> {
    let snapshot = gateway.snapshot.load();
    let body = serde_json::json!({
        "source": snapshot.source.display().to_string(),
        "config": &snapshot.config,
    });
    let mut text_body = serde_json::to_string_pretty(&body).unwrap_or_default();
    text_body.push('\n');
    let mut response = text(StatusCode::OK, text_body);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn text(status: StatusCode, body: impl Into<bytes::Bytes>) -> Response<ResponseBody> {
    let mut response = Response::new(full_body(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}
