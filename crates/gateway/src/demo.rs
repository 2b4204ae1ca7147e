//! The demo API served by rampart itself for the quick start: it answers every request with a
//! JSON description of what it received, so the effect of the gateway is visible.

use std::collections::BTreeMap;
use std::convert::Infallible;

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::respond::{full_body, ResponseBody};

/// Largest body the demo API reads back.
const MAX_ECHO_BYTES: usize = 64 * 1024;

/// Serves the demo API on a bound socket until the task is dropped.
pub async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        tokio::spawn(async move {
            let service =
                service_fn(|request| async move { Ok::<_, Infallible>(answer(request).await) });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(request: Request<Incoming>) -> Response<ResponseBody> {
    let (head, body) = request.into_parts();
    let headers: BTreeMap<&str, &str> = head
        .headers
        .iter()
        .filter(|(name, _)| *name != http::header::AUTHORIZATION)
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let body = match http_body_util::Limited::new(body, MAX_ECHO_BYTES).collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(_) => String::from("(body too large or broken)"),
    };

    let echo = serde_json::json!({
        "service": "rampart demo api",
        "method": head.method.as_str(),
        "path": head.uri.path(),
        "query": head.uri.query(),
        "headers": headers,
        "body": body,
    });
    let mut bytes = serde_json::to_vec_pretty(&echo).unwrap_or_default();
    bytes.push(b'\n');
    let mut response = Response::new(full_body(bytes));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
