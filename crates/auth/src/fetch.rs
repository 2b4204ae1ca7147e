//! Fetching a JWKS document over HTTP with a timeout and a size cap.

use std::time::Duration;

use bytes::Bytes;
use http::{header, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
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
    client: Client<HttpConnector, Empty<Bytes>>,
}

impl JwksFetcher {
    /// A fetcher for `uri` (must be `http://`).
    pub fn new(uri: Uri, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        connector.set_nodelay(true);
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
