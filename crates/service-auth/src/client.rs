//! [`ServiceClient`]: calls one target service through the gateway with a service token.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rampart_auth::ServiceTokenMinter;
use rustls::{ClientConfig, RootCertStore};

use crate::error::ServiceCallError;
use crate::response::ServiceResponse;
use crate::target::BaseUrl;

/// Lifetime of the tokens a client mints unless [`ServiceClient::with_token_ttl`] says
/// otherwise: 5 minutes (renewed after 4).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(300);
/// Time a whole call (connect, request, response and body) may take: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response body a client reads: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 << 20;

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// An HTTP client for one target service behind the gateway. Every call carries
/// `Authorization: Bearer` with a token for the target's audience from the shared minter, which
/// caches it and renews it before it expires. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct ServiceClient {
    minter: Arc<ServiceTokenMinter>,
    base: BaseUrl,
    audience: String,
    ttl: Duration,
    timeout: Duration,
    max_body: usize,
    http: HttpClient,
}

impl ServiceClient {
    /// A client calling service `audience` through the gateway at `base_url` (`http://` or
    /// `https://`, with an optional path prefix). `https://` trusts the system's roots; use
    /// [`ServiceClient::with_tls`] for a private CA or a client certificate.
    pub fn new(
        minter: Arc<ServiceTokenMinter>,
        base_url: &str,
        audience: &str,
    ) -> Result<Self, ServiceCallError> {
        if audience.is_empty() {
            return Err(ServiceCallError::Audience);
        }
        let base = BaseUrl::parse(base_url)?;
        let tls = default_tls(base.is_https())?;

        Ok(Self {
            minter,
            base,
            audience: audience.to_owned(),
            ttl: DEFAULT_TOKEN_TTL,
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY_BYTES,
            http: http_client(tls),
        })
    }

    /// Uses this TLS configuration for `https://` (trusted CAs, a client certificate for a
    /// gateway listener with `client_auth: required`).
    pub fn with_tls(mut self, tls: ClientConfig) -> Self {
        self.http = http_client(tls);
        self
    }

    /// Sets the lifetime of minted tokens (at least 1 s; default 5 minutes).
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the time a whole call may take (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest response body read (default 16 MiB).
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// The audience (target service) of this client's tokens.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<ServiceResponse, ServiceCallError> {
        self.send(Method::GET, path, HeaderMap::new(), Bytes::new()).await
    }

    /// `POST path` with a JSON body (`Content-Type: application/json`).
    pub async fn post(
        &self,
        path: &str,
        body: impl Into<Bytes>,
    ) -> Result<ServiceResponse, ServiceCallError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.send(Method::POST, path, headers, body.into()).await
    }

    /// Any method, with extra headers (an `Authorization` among them is replaced by the token).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<ServiceResponse, ServiceCallError> {
        let uri = self.base.join(path)?;
        let request = self.request(method, uri.clone(), headers, body)?;

        let call = self.exchange(request, &uri);
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => {
                Err(ServiceCallError::Timeout { uri: uri.to_string(), timeout: self.timeout })
            }
        }
    }

    fn request(
        &self,
        method: Method,
        uri: Uri,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Request<Full<Bytes>>, ServiceCallError> {
        let token = self.minter.token_for(&self.audience, self.ttl).map_err(|source| {
            ServiceCallError::Token { audience: self.audience.clone(), source }
        })?;
        let bearer = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
            ServiceCallError::Token {
                audience: self.audience.clone(),
                source: rampart_auth::MintError::Invalid {
                    field: "token",
                    reason: "is not a valid header value",
                },
            }
        })?;
        headers.insert(AUTHORIZATION, bearer);

        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }

    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
        uri: &Uri,
    ) -> Result<ServiceResponse, ServiceCallError> {
        let response = self
            .http
            .request(request)
            .await
            .map_err(|source| ServiceCallError::Request { uri: uri.to_string(), source })?;

        let (head, body) = response.into_parts();
        let body = match Limited::new(body, self.max_body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
                let limit = self.max_body;
                return Err(ServiceCallError::BodyTooLarge { uri: uri.to_string(), limit });
            }
            Err(_) => return Err(ServiceCallError::Body { uri: uri.to_string() }),
        };
        Ok(ServiceResponse { status: head.status, headers: head.headers, body })
    }
}

fn http_client(tls: ClientConfig) -> HttpClient {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let connector = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new()).build(connector)
}

/// The system's trusted roots for `https://`; an empty store for plain `http://`.
fn default_tls(https: bool) -> Result<ClientConfig, ServiceCallError> {
    let mut roots = RootCertStore::empty();
    if https {
        let found = rustls_native_certs::load_native_certs();
        let (_added, _ignored) = roots.add_parsable_certificates(found.certs);
        if roots.is_empty() {
            return Err(ServiceCallError::Tls(
                "no trusted CA certificates found on this system; use with_tls".to_owned(),
            ));
        }
    }

    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(crypto)
        .with_safe_default_protocol_versions()
        .map_err(|error| ServiceCallError::Tls(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
