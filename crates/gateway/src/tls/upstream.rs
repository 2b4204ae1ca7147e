//! TLS and mutual TLS to an upstream: the rustls client configuration (rebuilt when its files
//! change), the upstream certificate check with its optional SPIFFE ID, and the handshake.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::server::ParsedCertificate;
use rustls::RootCertStore;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use thiserror::Error;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::pem::{read_for_check, Fingerprint, PemFile};
use super::{identity, Refresh, TlsError};
use crate::config::model::{UpstreamProtocol, UpstreamTlsConfig};

/// Longest SPIFFE ID accepted in the config.
const MAX_SPIFFE_ID_LEN: usize = 2048;

/// An upstream's TLS: the client configuration new connections use, and the files behind it.
#[derive(Debug)]
pub struct UpstreamTls {
    files: UpstreamFiles,
    server_name: Option<ServerName<'static>>,
    expected_spiffe_id: Option<Arc<str>>,
    alpn: Vec<Vec<u8>>,
    config: ArcSwap<ClientConfig>,
    seen: Mutex<Seen>,
}

#[derive(Debug)]
struct UpstreamFiles {
    ca: PathBuf,
    client: Option<(PathBuf, PathBuf)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    ca: Fingerprint,
    client_certificate: Fingerprint,
    client_key: Fingerprint,
}

/// Why a TLS connection to an upstream target failed.
#[derive(Debug, Clone, Error)]
pub enum UpstreamTlsFailure {
    /// The handshake failed: an untrusted or expired certificate, a wrong name, a refused
    /// client certificate, a timeout.
    #[error("tls with the upstream failed: {reason}")]
    Handshake {
        /// What went wrong.
        reason: String,
    },
    /// The certificate chain verified but does not carry the expected SPIFFE ID.
    #[error(transparent)]
    Identity(#[from] IdentityMismatch),
}

/// The upstream's certificate carries another identity than the configured one.
#[derive(Debug, Clone, Error)]
#[error("the upstream presented {presented:?}, not the expected SPIFFE ID `{expected}`")]
pub struct IdentityMismatch {
    /// The configured `expected_spiffe_id`.
    pub expected: Arc<str>,
    /// The SPIFFE IDs in the upstream's certificate (none, or other ones).
    pub presented: Vec<String>,
}

impl UpstreamTls {
    /// Checks an upstream's `tls` settings and loads its files (relative to `base_dir`).
    pub fn load(
        settings: &UpstreamTlsConfig,
        protocol: UpstreamProtocol,
        base_dir: &Path,
    ) -> Result<Self, TlsError> {
        let server_name = settings.server_name.as_deref().map(parse_server_name).transpose()?;
        let expected_spiffe_id =
            settings.expected_spiffe_id.as_deref().map(check_spiffe_id).transpose()?;
        let client = match (&settings.client_certificate, &settings.client_key) {
            (Some(cert), Some(key)) => Some((base_dir.join(cert), base_dir.join(key))),
            (None, None) => None,
            (Some(_), None) => return Err(TlsError::IncompletePair { missing: "client_key" }),
            (None, Some(_)) => {
                return Err(TlsError::IncompletePair { missing: "client_certificate" })
            }
        };
        let files = UpstreamFiles { ca: base_dir.join(&settings.ca), client };
        let alpn = match protocol {
            UpstreamProtocol::Http1 => vec![b"http/1.1".to_vec()],
            UpstreamProtocol::Http2 => vec![b"h2".to_vec()],
        };

        let (config, seen) = build(&files, expected_spiffe_id.as_ref(), &alpn)?;
        Ok(Self {
            files,
            server_name,
            expected_spiffe_id,
            alpn,
            config: ArcSwap::from_pointee(config),
            seen: Mutex::new(seen),
        })
    }

    /// The SPIFFE ID the upstream must present, when configured.
    pub fn expected_spiffe_id(&self) -> Option<&str> {
        self.expected_spiffe_id.as_deref()
    }

    /// Re-reads the files; when any changed, builds a new client configuration and swaps it
    /// in (new connections use it, pooled ones keep theirs), or reports why not.
    pub fn refresh(&self) -> Refresh {
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut now = Seen {
            ca: read_for_check("ca", &self.files.ca).1,
            client_certificate: None,
            client_key: None,
        };
        if let Some((cert, key)) = &self.files.client {
            now.client_certificate = read_for_check("client_certificate", cert).1;
            now.client_key = read_for_check("client_key", key).1;
        }

        let mut refresh = Refresh::default();
        if now == *seen {
            return refresh;
        }
        match build(&self.files, self.expected_spiffe_id.as_ref(), &self.alpn) {
            Ok((config, built)) => {
                self.config.store(Arc::new(config));
                refresh.applied.push(self.files.ca.clone());
                if let Some((cert, key)) = &self.files.client {
                    refresh.applied.extend([cert.clone(), key.clone()]);
                }
                *seen = built;
            }
            Err(error) => {
                refresh.failed.push(error);
                *seen = now;
            }
        }
        refresh
    }

    /// Opens TLS over `tcp` to a target whose host is `host`, within `timeout`.
    pub async fn connect(
        &self,
        host: &str,
        tcp: TcpStream,
        timeout: Duration,
    ) -> Result<TlsStream<TcpStream>, UpstreamTlsFailure> {
        let name = match &self.server_name {
            Some(name) => name.clone(),
            None => parse_server_name(host.trim_start_matches('[').trim_end_matches(']'))
                .map_err(|error| UpstreamTlsFailure::Handshake { reason: error.to_string() })?,
        };
        let connector = TlsConnector::from(self.config.load_full());
        match tokio::time::timeout(timeout, connector.connect(name, tcp)).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(error)) => Err(classify_io(&error)
                .unwrap_or_else(|| UpstreamTlsFailure::Handshake { reason: error.to_string() })),
            Err(_) => Err(UpstreamTlsFailure::Handshake {
                reason: format!("no handshake within {} ms", timeout.as_millis()),
            }),
        }
    }
}

/// Reads every file and builds the client configuration, with the files' fingerprints.
fn build(
    files: &UpstreamFiles,
    expected_spiffe_id: Option<&Arc<str>>,
    alpn: &[Vec<u8>],
) -> Result<(ClientConfig, Seen), TlsError> {
    let ca = PemFile::read("ca", &files.ca)?;
    let roots = Arc::new(ca.roots()?);
    let builder = ClientConfig::builder();
    let algorithms = builder.crypto_provider().signature_verification_algorithms;
    let verifier =
        UpstreamVerifier { roots, algorithms, expected_spiffe_id: expected_spiffe_id.cloned() };
    // A custom verifier is rustls' "dangerous" API; this one still verifies the whole
    // chain with webpki and then the name or the SPIFFE ID.
    let builder = builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier));

    let mut seen = Seen { ca: Some(ca.fingerprint()), client_certificate: None, client_key: None };
    let mut config = match &files.client {
        None => builder.with_no_client_auth(),
        Some((cert_path, key_path)) => {
            let cert = PemFile::read("client_certificate", cert_path)?;
            let key = PemFile::read("client_key", key_path)?;
            seen.client_certificate = Some(cert.fingerprint());
            seen.client_key = Some(key.fingerprint());
            builder.with_client_auth_cert(cert.certificates()?, key.private_key()?).map_err(
                |error| TlsError::KeyMismatch {
                    field: "client_key",
                    path: key_path.clone(),
                    reason: error.to_string(),
                },
            )?
        }
    };
    config.alpn_protocols = alpn.to_vec();
    Ok((config, seen))
}

fn parse_server_name(name: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(name.to_owned())
        .map_err(|_| TlsError::ServerName { name: name.to_owned() })
}

fn check_spiffe_id(id: &str) -> Result<Arc<str>, TlsError> {
    let failure = |reason| TlsError::SpiffeId { id: id.to_owned(), reason };
    let Some(rest) = id.strip_prefix("spiffe://") else {
        return Err(failure("it must start with spiffe://"));
    };
    let trust_domain = rest.split('/').next().unwrap_or_default();
    if trust_domain.is_empty() {
        return Err(failure("the trust domain after spiffe:// is empty"));
    }
    if id.len() > MAX_SPIFFE_ID_LEN {
        return Err(failure("it is longer than 2048 bytes"));
    }
    Ok(id.into())
}

/// What a failed handshake's I/O error says, when it carries a rustls error.
pub fn classify_io(error: &std::io::Error) -> Option<UpstreamTlsFailure> {
    let tls = error.get_ref()?.downcast_ref::<rustls::Error>()?;
    if let rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) = tls {
        if let Some(mismatch) = inner.downcast_ref::<IdentityMismatch>() {
            return Some(UpstreamTlsFailure::Identity(mismatch.clone()));
        }
    }
    Some(UpstreamTlsFailure::Handshake { reason: tls.to_string() })
}

/// Verifies an upstream's chain against the configured CAs, then either its SPIFFE ID (when
/// one is expected) or the server name.
#[derive(Debug)]
struct UpstreamVerifier {
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
    expected_spiffe_id: Option<Arc<str>>,
}

impl UpstreamVerifier {
    fn check_identity(&self, end_entity: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        let Some(expected) = &self.expected_spiffe_id else { return Ok(()) };
        let presented = identity::spiffe_ids(end_entity);
        if presented.len() == 1 && presented[0] == **expected {
            return Ok(());
        }
        let mismatch = IdentityMismatch { expected: expected.clone(), presented };
        let other = OtherError(Arc::new(mismatch));
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(other)))
    }
}

impl ServerCertVerifier for UpstreamVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        match &self.expected_spiffe_id {
            Some(_) => self.check_identity(end_entity)?,
            None => verify_server_name(&cert, server_name)?,
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spiffe_ids_and_server_names_are_checked() {
        assert!(check_spiffe_id("spiffe://cluster.local/ns/a/sa/b").is_ok());
        for bad in ["https://cluster.local/x", "spiffe:///ns/a", "cluster.local/ns/a"] {
            let error = check_spiffe_id(bad).unwrap_err();
            assert_eq!(error.field(), "expected_spiffe_id", "{bad}");
        }
        assert!(parse_server_name("data.research.svc").is_ok());
        assert!(parse_server_name("127.0.0.1").is_ok());
        assert_eq!(parse_server_name("bad name!").unwrap_err().field(), "server_name");
    }
}
