//! Keys from a JWKS URL served by a real HTTP server on an ephemeral port: first load, key
//! rotation with one rate-limited refetch, and fail-closed behaviour while keys are missing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rampart_auth::{JwtAuthenticator, ProviderConfig, TokenError};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// A JWKS server whose document and status the test changes, counting requests.
#[derive(Clone)]
struct JwksServer {
    document: Arc<Mutex<(StatusCode, String)>>,
    requests: Arc<AtomicUsize>,
    url: String,
}

impl JwksServer {
    async fn start(document: &Value) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        let server = Self {
            document: Arc::new(Mutex::new((StatusCode::OK, document.to_string()))),
            requests: Arc::new(AtomicUsize::new(0)),
            url,
        };
        tokio::spawn(server.clone().accept_loop(listener));
        server
    }

    async fn accept_loop(self, listener: TcpListener) {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let this = self.clone();
            let service = service_fn(move |req| this.clone().answer(req));
            tokio::spawn(async move {
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let _ = conn.await;
            });
        }
    }

    async fn answer(
        self,
        _req: Request<hyper::body::Incoming>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let (status, body) = self.document.lock().unwrap().clone();
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        Ok(response)
    }

    fn serve(&self, status: StatusCode, document: &Value) {
        *self.document.lock().unwrap() = (status, document.to_string());
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn url_provider(url: &str, refetch_min_secs: u64) -> ProviderConfig {
    provider(json!({
        "jwks_url": url,
        "jwks_refresh_secs": 3600,
        "jwks_refetch_min_secs": refetch_min_secs,
        "algorithms": ["RS256", "ES256"],
    }))
}

async fn loaded(auth: &JwtAuthenticator) {
    tokio::time::timeout(Duration::from_secs(20), auth.wait_for_keys())
        .await
        .expect("the refresh task must load the keys");
}

#[tokio::test]
async fn rotation_triggers_one_rate_limited_refetch() {
    let server = JwksServer::start(&jwks(&[rsa()])).await;
    let dir = tempfile::tempdir().unwrap();
    let (auth, _clock) = authenticator(&[("idp", url_provider(&server.url, 30))], dir.path(), 100);
    loaded(&auth).await;
    assert_eq!(server.requests(), 1);
    auth.verify(&token_with(rsa(), &claims()), &["idp"]).await.unwrap();

    server.serve(StatusCode::OK, &jwks(&[rsa(), rsa2()]));
    let rotated = auth.verify(&token_with(rsa2(), &claims()), &["idp"]).await.unwrap();
    assert_eq!(rotated.key_id(), Some("rsa-2"));
    assert_eq!(server.requests(), 2, "an unknown kid causes exactly one refetch");

    let header = json!({"alg": "RS256", "kid": "rsa-3"});
    let unknown = sign_raw(&header, &claims(), &rsa2().encoding, jsonwebtoken::Algorithm::RS256);
    let err = auth.verify(&unknown, &["idp"]).await.unwrap_err();
    assert_eq!(err.reason(), "unknown_kid");
    assert_eq!(server.requests(), 2, "a second unknown kid within the window must not refetch");
}

#[tokio::test]
async fn keys_removed_by_rotation_stop_verifying_cached_tokens() {
    let server = JwksServer::start(&jwks(&[rsa()])).await;
    let dir = tempfile::tempdir().unwrap();
    let (auth, _clock) = authenticator(&[("idp", url_provider(&server.url, 0))], dir.path(), 100);
    loaded(&auth).await;
    let old = token_with(rsa(), &claims());
    auth.verify(&old, &["idp"]).await.unwrap();

    server.serve(StatusCode::OK, &jwks(&[ec256()]));
    auth.verify(&token_with(ec256(), &claims()), &["idp"]).await.unwrap();
    let err = auth.verify(&old, &["idp"]).await.unwrap_err();

    assert!(matches!(err, TokenError::UnknownKid { .. }), "{err:?}");
}

#[tokio::test]
async fn unreachable_jwks_fails_closed() {
    // Test servers listen on 127.0.0.1 only, so nothing can take over a freed 127.0.0.2 port.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.2:{port}/jwks");
    let (auth, _clock) = authenticator(&[("idp", url_provider(&url, 30))], dir.path(), 100);

    let err = auth.verify(&token_with(rsa(), &claims()), &["idp"]).await.unwrap_err();

    assert_eq!(err, TokenError::KeysUnavailable { provider: "idp".into() });
    assert_eq!(err.reason(), "keys_unavailable");
    assert_eq!(err.description(), "the token cannot be verified at this time");
    assert!(err.is_server_side());
}

#[tokio::test]
async fn tokens_are_denied_until_keys_arrive() {
    let server = JwksServer::start(&json!({"error": "warming up"})).await;
    server.serve(StatusCode::SERVICE_UNAVAILABLE, &json!({}));
    let dir = tempfile::tempdir().unwrap();
    let (auth, _clock) = authenticator(&[("idp", url_provider(&server.url, 0))], dir.path(), 100);
    let token = token_with(ec256(), &claims());

    let err = auth.verify(&token, &["idp"]).await.unwrap_err();
    assert_eq!(err.reason(), "keys_unavailable");

    server.serve(StatusCode::OK, &json!({"keys": "not a list"}));
    let err = auth.verify(&token, &["idp"]).await.unwrap_err();
    assert_eq!(err.reason(), "keys_unavailable");

    server.serve(StatusCode::OK, &jwks(&[ec256()]));
    let verified = auth.verify(&token, &["idp"]).await.unwrap();
    assert_eq!(verified.key_id(), Some("ec-256"));
}
