//! A real TLS upstream for tests: answers with the identity of the client certificate it
//! verified, and counts the requests it served.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rampart_gateway::tls::identity::peer_principal;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::{Ca, Leaf};

/// A running TLS upstream.
pub struct TlsUpstream {
    pub addr: SocketAddr,
    /// Requests answered.
    pub served: Arc<AtomicUsize>,
}

impl TlsUpstream {
    /// Serves `leaf` over TLS (ALPN h2 and http/1.1); requires a client certificate from
    /// `client_ca` when given.
    pub async fn start(leaf: &Leaf, client_ca: Option<&Ca>) -> Self {
        let builder = rustls::ServerConfig::builder();
        let builder = match client_ca {
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                roots.add(ca.der.clone()).unwrap();
                let verifier =
                    rustls::server::WebPkiClientVerifier::builder(Arc::new(roots)).build().unwrap();
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let mut config =
            builder.with_single_cert(leaf.chain.clone(), leaf.key.clone_key()).unwrap();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let served = Arc::new(AtomicUsize::new(0));
        let counter = served.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let (acceptor, counter) = (acceptor.clone(), counter.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(tcp).await else { return };
                    let client = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .and_then(peer_principal);
                    let service = service_fn(move |request| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let answer = answer(&request, client.as_deref());
                        async move { Ok::<_, Infallible>(answer) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, served }
    }

    /// Requests answered so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

fn answer(request: &Request<Incoming>, client: Option<&str>) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "client": client,
        "version": format!("{:?}", request.version()),
        "path": request.uri().path(),
    });
    Response::new(Full::new(Bytes::from(serde_json::to_vec(&body).unwrap())))
}
