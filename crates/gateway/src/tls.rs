//! TLS termination settings: certificates and keys loaded from PEM files into rustls, and
//! client certificate verification for mutual TLS (docs/mtls.md).

pub mod client_auth;
pub mod identity;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;

use crate::config::model::TlsConfig;

/// A ready rustls server configuration for one listener.
#[derive(Debug)]
pub struct TlsAcceptorConfig {
    /// The rustls configuration, with ALPN `h2` and `http/1.1`.
    pub server: Arc<ServerConfig>,
}

/// Why TLS settings cannot be used.
#[derive(Debug, Error)]
pub enum TlsError {
    /// The certificate file could not be read or holds no certificate.
    #[error("cannot load certificates from {path}: {reason}")]
    Certificates {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The key file could not be read or holds no private key.
    #[error("cannot load the private key from {path}: {reason}")]
    Key {
        /// The file.
        path: PathBuf,
        /// What went wrong (never the key itself).
        reason: String,
    },
    /// The client CA bundle could not be read or used.
    #[error("cannot use the client CA bundle {path}: {reason}")]
    ClientCa {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the pair (for example a key that does not match the certificate).
    #[error("the certificate and key cannot be used together: {0}")]
    Rejected(String),
}

/// Loads a listener's certificate chain and key (paths relative to the config file's folder).
pub fn load(settings: &TlsConfig, base_dir: &Path) -> Result<TlsAcceptorConfig, TlsError> {
    let cert_path = base_dir.join(&settings.cert);
    let key_path = base_dir.join(&settings.key);

    let certs = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|error| TlsError::Certificates {
            path: cert_path.clone(),
            reason: error.to_string(),
        })?;
    if certs.is_empty() {
        let reason = "no PEM CERTIFICATE block found".to_owned();
        return Err(TlsError::Certificates { path: cert_path, reason });
    }
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|error| TlsError::Key { path: key_path.clone(), reason: error.to_string() })?;

    let builder = ServerConfig::builder();
    let builder = match &settings.client_ca {
        Some(ca) => builder.with_client_cert_verifier(client_auth::verifier(
            &base_dir.join(ca),
            settings.client_auth,
        )?),
        None => builder.with_no_client_auth(),
    };
    let mut server = builder
        .with_single_cert(certs, key)
        .map_err(|error| TlsError::Rejected(error.to_string()))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptorConfig { server: Arc::new(server) })
}
