//! A JWKS URL over https: trusted through `jwks_ca_file` (a test CA made with rcgen), and
//! refused (fail closed) when the server's certificate is not trusted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Starts an https server for `localhost` and returns its URL and the CA's PEM.
async fn https_jwks_server(document: String) -> (String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();

    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![server_cert.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}/jwks", listener.local_addr().unwrap().port());
    tokio::spawn(serve(listener, acceptor, Bytes::from(document)));
    (url, ca_cert.pem())
}

async fn serve(listener: TcpListener, acceptor: TlsAcceptor, document: Bytes) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { return };
        let acceptor = acceptor.clone();
        let document = document.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else { return };
            let service = service_fn(move |_req: Request<hyper::body::Incoming>| {
                let body = Full::new(document.clone());
                async move { Ok::<_, Infallible>(Response::new(body)) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service);
            let _ = conn.await;
        });
    }
}

#[tokio::test]
async fn https_jwks_is_trusted_through_the_configured_ca() {
    let (url, ca_pem) = https_jwks_server(jwks(&[ec256()]).to_string()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca_pem).unwrap();
    let config = provider(json!({
        "jwks_url": url,
        "jwks_ca_file": "ca.pem",
        "algorithms": ["ES256"],
    }));
    let (auth, _clock) = authenticator(&[("idp", config)], dir.path(), 10);
    tokio::time::timeout(Duration::from_secs(20), auth.wait_for_keys()).await.unwrap();

    let verified = auth.verify(&token_with(ec256(), &claims()), &["idp"]).await.unwrap();

    assert_eq!(verified.key_id(), Some("ec-256"));
}

#[tokio::test]
async fn an_untrusted_https_jwks_server_is_not_used() {
    let (url, _ca_pem) = https_jwks_server(jwks(&[ec256()]).to_string()).await;
    let (_other_url, other_ca) = https_jwks_server("{}".to_owned()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other-ca.pem"), other_ca).unwrap();
    let config = provider(json!({
        "jwks_url": url,
        "jwks_ca_file": "other-ca.pem",
        "jwks_refetch_min_secs": 0,
        "algorithms": ["ES256"],
    }));
    let (auth, _clock) = authenticator(&[("idp", config)], dir.path(), 10);

    let err = auth.verify(&token_with(ec256(), &claims()), &["idp"]).await.unwrap_err();

    assert_eq!(err.reason(), "keys_unavailable");
}
