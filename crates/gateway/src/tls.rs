//! TLS: listeners' certificates and client certificate verification (mutual TLS), TLS and
//! mutual TLS to upstreams, and the rotation of all their files without a restart
//! (docs/mtls.md).

pub mod client_auth;
pub mod identity;
pub mod listener;
pub mod pem;
pub mod rotation;
pub mod upstream;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use listener::{load, TlsAcceptorConfig};
pub use upstream::UpstreamTls;

/// Why TLS settings or files cannot be used. `field` is the config key that named the file or
/// value, so config errors can point at it.
#[derive(Debug, Error)]
pub enum TlsError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The config key naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The file holds no usable certificate.
    #[error("cannot load certificates from {path}: {reason}")]
    Certificates {
        /// The config key naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The file holds no usable private key.
    #[error("cannot load the private key from {path}: {reason}")]
    Key {
        /// The config key naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong (never the key itself).
        reason: String,
    },
    /// The CA bundle could not be read or used.
    #[error("cannot use the CA bundle {path}: {reason}")]
    Ca {
        /// The config key naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The key cannot be used with the certificate (for example it belongs to another one).
    #[error("the private key {path} cannot be used with its certificate: {reason}")]
    KeyMismatch {
        /// The config key naming the key file.
        field: &'static str,
        /// The key file.
        path: PathBuf,
        /// What rustls reported.
        reason: String,
    },
    /// Only one of a certificate and its key is configured.
    #[error("`{missing}` is missing: a client certificate and its key are set together")]
    IncompletePair {
        /// The config key that is missing.
        missing: &'static str,
    },
    /// The upstream server name is neither a DNS name nor an IP address.
    #[error("`{name}` is not a DNS name or an IP address")]
    ServerName {
        /// The configured name.
        name: String,
    },
    /// The expected SPIFFE ID is malformed.
    #[error("`{id}` is not a SPIFFE ID: {reason}")]
    SpiffeId {
        /// The configured ID.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl TlsError {
    /// The config key (under the listener's or upstream's `tls`) the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Read { field, .. }
            | Self::Certificates { field, .. }
            | Self::Key { field, .. }
            | Self::Ca { field, .. }
            | Self::KeyMismatch { field, .. } => field,
            Self::IncompletePair { missing } => missing,
            Self::ServerName { .. } => "server_name",
            Self::SpiffeId { .. } => "expected_spiffe_id",
        }
    }

    /// The file the error is about, when it is about a file.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::Read { path, .. }
            | Self::Certificates { path, .. }
            | Self::Key { path, .. }
            | Self::Ca { path, .. }
            | Self::KeyMismatch { path, .. } => Some(path),
            Self::IncompletePair { .. } | Self::ServerName { .. } | Self::SpiffeId { .. } => None,
        }
    }
}

/// What one rotation check of a listener's or upstream's files did.
#[derive(Debug, Default)]
pub struct Refresh {
    /// Files whose new contents are now in use.
    pub applied: Vec<PathBuf>,
    /// Changed files that were refused; the material they would replace keeps serving.
    pub failed: Vec<TlsError>,
}

impl Refresh {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.failed.is_empty()
    }
}
