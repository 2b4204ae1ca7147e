//! A listener's TLS material, swappable while the listener runs.
//!
//! The server certificate is served by [`RotatingCertificate`], a rustls
//! [`ResolvesServerCert`] whose key pair is swapped in place: the next handshake uses the new
//! one, established connections keep theirs. A new client CA bundle builds a new
//! [`ServerConfig`] (same certificate resolver, new verifier) that the accept loop reads once
//! per handshake; its session cache starts empty, so a session verified under the old CAs
//! cannot be resumed under the new ones.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

use super::pem::{read_for_check, Fingerprint, PemFile};
use super::{client_auth, Refresh, TlsError};
use crate::config::model::{ClientAuthMode, TlsConfig};

/// A listener's TLS: the rustls configuration new handshakes use, and the files behind it.
#[derive(Debug)]
pub struct TlsAcceptorConfig {
    server: ArcSwap<ServerConfig>,
    certificate: Arc<RotatingCertificate>,
    files: ListenerFiles,
    seen: Mutex<Seen>,
}

/// The files a listener's TLS is made of (absolute or relative to the working directory).
#[derive(Debug)]
struct ListenerFiles {
    cert: PathBuf,
    key: PathBuf,
    client_ca: Option<PathBuf>,
    client_auth: ClientAuthMode,
}

/// The fingerprints of the files as last read, applied or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    cert: Fingerprint,
    key: Fingerprint,
    client_ca: Fingerprint,
}

/// Loads a listener's certificate chain, key and client CA bundle (paths relative to the
/// config file's folder).
pub fn load(settings: &TlsConfig, base_dir: &Path) -> Result<TlsAcceptorConfig, TlsError> {
    let files = ListenerFiles {
        cert: base_dir.join(&settings.cert),
        key: base_dir.join(&settings.key),
        client_ca: settings.client_ca.as_ref().map(|ca| base_dir.join(ca)),
        client_auth: settings.client_auth,
    };
    let cert = PemFile::read("cert", &files.cert)?;
    let key = PemFile::read("key", &files.key)?;
    let client_ca = files.client_ca.as_deref().map(|ca| PemFile::read("client_ca", ca));
    let client_ca = client_ca.transpose()?;

    let certificate = Arc::new(RotatingCertificate::new(certified_key(&cert, &key)?));
    let server = server_config(certificate.clone(), client_ca.as_ref(), files.client_auth)?;
    let seen = Seen {
        cert: Some(cert.fingerprint()),
        key: Some(key.fingerprint()),
        client_ca: client_ca.as_ref().map(PemFile::fingerprint),
    };
    Ok(TlsAcceptorConfig {
        server: ArcSwap::from_pointee(server),
        certificate,
        files,
        seen: Mutex::new(seen),
    })
}

impl TlsAcceptorConfig {
    /// The rustls configuration for the next handshake.
    pub fn current(&self) -> Arc<ServerConfig> {
        self.server.load_full()
    }

    /// Re-reads the files and swaps in what changed and is valid; a file that fails stays
    /// refused (and reported once) until its contents change again.
    pub fn refresh(&self) -> Refresh {
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (cert, cert_fp) = read_for_check("cert", &self.files.cert);
        let (key, key_fp) = read_for_check("key", &self.files.key);
        let client_ca = self.files.client_ca.as_deref().map(|ca| read_for_check("client_ca", ca));
        let now =
            Seen { cert: cert_fp, key: key_fp, client_ca: client_ca.as_ref().and_then(|c| c.1) };

        let mut refresh = Refresh::default();
        if (now.cert, now.key) != (seen.cert, seen.key) {
            match cert.and_then(|cert| key.and_then(|key| certified_key(&cert, &key))) {
                Ok(pair) => {
                    self.certificate.swap(pair);
                    refresh.applied.extend([self.files.cert.clone(), self.files.key.clone()]);
                }
                Err(error) => refresh.failed.push(error),
            }
        }
        if let Some((client_ca, _)) = client_ca.filter(|_| now.client_ca != seen.client_ca) {
            let built = client_ca.and_then(|ca| {
                let config =
                    server_config(self.certificate.clone(), Some(&ca), self.files.client_auth)?;
                Ok((config, ca.path().to_owned()))
            });
            match built {
                Ok((config, path)) => {
                    self.server.store(Arc::new(config));
                    refresh.applied.push(path);
                }
                Err(error) => refresh.failed.push(error),
            }
        }
        *seen = now;
        refresh
    }
}

/// A chain and key that belong together, or why not.
pub fn certified_key(cert: &PemFile, key: &PemFile) -> Result<CertifiedKey, TlsError> {
    let chain = cert.certificates()?;
    let private_key = key.private_key()?;
    let provider = ServerConfig::builder().crypto_provider().clone();
    CertifiedKey::from_der(chain, private_key, &provider).map_err(|error| TlsError::KeyMismatch {
        field: "key",
        path: key.path().to_owned(),
        reason: error.to_string(),
    })
}

fn server_config(
    certificate: Arc<RotatingCertificate>,
    client_ca: Option<&PemFile>,
    mode: ClientAuthMode,
) -> Result<ServerConfig, TlsError> {
    let builder = ServerConfig::builder();
    let builder = match client_ca {
        Some(ca) => builder.with_client_cert_verifier(client_auth::verifier(ca, mode)?),
        None => builder.with_no_client_auth(),
    };
    let mut server = builder.with_cert_resolver(certificate);
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(server)
}

/// The server certificate and key, replaced whole on rotation; read lock-free per handshake.
#[derive(Debug)]
pub struct RotatingCertificate {
    current: ArcSwap<CertifiedKey>,
}

impl RotatingCertificate {
    /// Starts serving `pair`.
    pub fn new(pair: CertifiedKey) -> Self {
        Self { current: ArcSwap::from_pointee(pair) }
    }

    /// Serves `pair` from the next handshake on.
    pub fn swap(&self, pair: CertifiedKey) {
        self.current.store(Arc::new(pair));
    }
}

impl ResolvesServerCert for RotatingCertificate {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}
