//! Fetching a JWKS document over HTTP with a timeout and a size cap.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use thiserror::Error;

use crate::keys::MAX_JWKS_BYTES;

/// Why a JWKS fetch failed. Messages name the URL's host, never credentials or key material.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The request could not be sent or the connection failed.
    #[error("jwks request failed: {0}")]
    Request(String),
    /// The server answered with a status other than 200.
    #[error("jwks server answered {0}")]
    Status(StatusCode),
    /// The body could not be read or exceeded the size cap.
    #[error("jwks body unreadable or larger than {MAX_JWKS_BYTES} bytes")]
    Body,
    /// The fetch did not finish within the timeout.
    #[error("jwks fetch timed out after {0:?}")]
    Timeout(Duration),
}

/// An HTTP client for one JWKS URL.
#[derive(Debug, Clone)]
pub(crate) struct JwksFetcher {
    uri: Uri,
    timeout: Duration,
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

impl JwksFetcher {
    /// A fetcher for an `http://` or `https://` `uri`, trusting `tls` roots for https.
    pub fn new(uri: Uri, timeout: Duration, tls: ClientConfig) -> Self {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(timeout));
        http.set_nodelay(true);
        http.enforce_http(false);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Self { uri, timeout, client }
    }

    /// Fetches the document's bytes.
    pub async fn fetch(&self) -> Result<Bytes, FetchError> {
        match tokio::time::timeout(self.timeout, self.fetch_inner()).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout(self.timeout)),
        }
    }

    async fn fetch_inner(&self) -> Result<Bytes, FetchError> {
        let request = Request::get(self.uri.clone())
            .header(header::ACCEPT, "application/jwk-set+json, application/json")
            .header(header::USER_AGENT, "rampart-jwks")
            .body(Empty::new())
            .map_err(|err| FetchError::Request(err.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|err| FetchError::Request(err.to_string()))?;
        if response.status() != StatusCode::OK {
            return Err(FetchError::Status(response.status()));
        }

        let body = Limited::new(response.into_body(), MAX_JWKS_BYTES);
        let collected = body.collect().await.map_err(|_| FetchError::Body)?;
        Ok(collected.to_bytes())
    }
}

/// TLS settings for JWKS fetches: the PEM bundle `ca_file` when given, else the system's
/// trusted roots. With `need_roots`, an empty trust store is an error.
pub(crate) fn tls_config(ca_file: Option<&Path>, need_roots: bool) -> Result<ClientConfig, String> {
    let roots = match ca_file {
        Some(path) => roots_from_file(path)?,
        None if need_roots => system_roots(),
        None => RootCertStore::empty(),
    };
    if need_roots && roots.is_empty() {
        return Err("no trusted CA certificates found; set `jwks_ca_file`".to_owned());
    }

    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(crypto)
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("tls setup failed: {err}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

fn roots_from_file(path: &Path) -> Result<RootCertStore, String> {
    let unreadable = |err: &dyn std::fmt::Display| format!("cannot read {}: {err}", path.display());
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|err| unreadable(&err))? {
        let cert = cert.map_err(|err| unreadable(&err))?;
        roots
            .add(cert)
            .map_err(|err| format!("bad CA certificate in {}: {err}", path.display()))?;
    }
    if roots.is_empty() {
        return Err(format!("{} holds no PEM certificate", path.display()));
    }
    Ok(roots)
}

fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(tls.roots_added = added, tls.roots_ignored = ignored, "system roots loaded");
    roots
}
