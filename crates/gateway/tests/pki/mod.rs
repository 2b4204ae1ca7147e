//! Certificates made at test time for mutual TLS tests, and a client that presents them.
#![allow(dead_code)]

pub mod tls_upstream;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A certificate authority that issues server and client certificates.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub der: CertificateDer<'static>,
    pub pem: String,
}

/// A leaf certificate and its key.
pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub cert_pem: String,
    pub key_pem: String,
}

/// How a client leaf is named and when it is valid.
pub enum Validity {
    Now,
    Expired,
    NotYetValid,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        let (der, pem) = (cert.der().clone(), cert.pem());
        Self { issuer: Issuer::new(params, key), der, pem }
    }

    /// The server certificate for `localhost`.
    pub fn server(&self) -> Leaf {
        self.leaf(CertificateParams::new(vec!["localhost".to_owned()]).unwrap())
    }

    /// The server certificate for `localhost` with a chosen serial number.
    pub fn server_with_serial(&self, serial: u64) -> Leaf {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.serial_number = Some(rcgen::SerialNumber::from(serial));
        self.leaf(params)
    }

    /// A server certificate with DNS or IP SANs `names` and, when given, a SPIFFE URI SAN.
    pub fn named_server(&self, names: &[&str], spiffe: Option<&str>) -> Leaf {
        let names = names.iter().map(|name| name.to_string()).collect::<Vec<_>>();
        let mut params = CertificateParams::new(names).unwrap();
        if let Some(uri) = spiffe {
            params.subject_alt_names.push(SanType::URI(uri.try_into().unwrap()));
        }
        self.leaf(params)
    }

    /// A client with a SPIFFE ID `spiffe://cluster.local/ns/NS/sa/SA`.
    pub fn spiffe_client(&self, ns: &str, sa: &str, validity: Validity) -> Leaf {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, format!("{sa}.{ns}"));
        let uri = format!("spiffe://cluster.local/ns/{ns}/sa/{sa}");
        params.subject_alt_names.push(SanType::URI(uri.try_into().unwrap()));
        match validity {
            Validity::Now => {}
            Validity::Expired => {
                params.not_before = rcgen::date_time_ymd(2020, 1, 1);
                params.not_after = rcgen::date_time_ymd(2021, 1, 1);
            }
            Validity::NotYetValid => {
                params.not_before = rcgen::date_time_ymd(2090, 1, 1);
                params.not_after = rcgen::date_time_ymd(2091, 1, 1);
            }
        }
        self.leaf(params)
    }

    fn leaf(&self, params: CertificateParams) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let key_der = PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        Leaf {
            chain: vec![cert.der().clone()],
            key: key_der,
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// Writes `server.pem`, `server-key.pem` and `client-ca.pem` into `dir`.
pub fn write_server_files(dir: &Path, ca: &Ca, client_ca: &Ca) {
    let server = ca.server();
    std::fs::write(dir.join("server.pem"), &server.cert_pem).unwrap();
    std::fs::write(dir.join("server-key.pem"), &server.key_pem).unwrap();
    std::fs::write(dir.join("client-ca.pem"), &client_ca.pem).unwrap();
}

/// The serial number of a DER certificate, as bytes.
pub fn serial_of(der: &CertificateDer<'_>) -> Vec<u8> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der.as_ref()).unwrap();
    cert.tbs_certificate.raw_serial().to_vec()
}

/// Opens a TLS connection that trusts `ca`, presenting `client` when given.
pub async fn connect(
    addr: SocketAddr,
    ca: &Ca,
    client: Option<&Leaf>,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der.clone()).unwrap();
    let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
    let config = match client {
        Some(leaf) => {
            builder.with_client_auth_cert(leaf.chain.clone(), leaf.key.clone_key()).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await
}

/// Sends one HTTP/1.1 request over mutual TLS; the status, or the I/O error that ended it.
pub async fn request(
    addr: SocketAddr,
    ca: &Ca,
    client: Option<&Leaf>,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, String), std::io::Error> {
    let mut stream = connect(addr, ca, client).await?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nconnection: close\r\n");
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        head.push_str("host: localhost\r\n");
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("content-length: 0\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {text:?}")))?;
    Ok((status, text))
}
