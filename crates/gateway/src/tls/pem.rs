//! PEM files read whole, with a fingerprint of their contents so rotation notices changes, and
//! parsed into certificates, keys and CA stores.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::TlsError;

/// Largest PEM file read; a large public CA bundle is about 250 KiB.
const MAX_PEM_BYTES: u64 = 4 * 1024 * 1024;

/// The fingerprint of a file's contents; `None` when it cannot be read.
pub type Fingerprint = Option<u64>;

/// The contents of one PEM file and the config key that named it.
#[derive(Debug)]
pub struct PemFile {
    field: &'static str,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl PemFile {
    /// Reads `path` (named by config key `field`), refusing files over 4 MiB.
    pub fn read(field: &'static str, path: &Path) -> Result<Self, TlsError> {
        let failure = |reason: String| TlsError::Read { field, path: path.to_owned(), reason };
        let file = std::fs::File::open(path).map_err(|error| failure(error.to_string()))?;

        let mut bytes = Vec::new();
        file.take(MAX_PEM_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| failure(error.to_string()))?;
        if bytes.len() as u64 > MAX_PEM_BYTES {
            return Err(failure(format!("larger than {MAX_PEM_BYTES} bytes")));
        }
        Ok(Self { field, path: path.to_owned(), bytes })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A hash of the contents, compared between checks to notice a replaced file.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.bytes.hash(&mut hasher);
        hasher.finish()
    }

    /// Every `CERTIFICATE` block, in order; at least one.
    pub fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, TlsError> {
        let failure = |reason: String| TlsError::Certificates {
            field: self.field,
            path: self.path.clone(),
            reason,
        };
        let certs = CertificateDer::pem_slice_iter(&self.bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| failure(error.to_string()))?;
        if certs.is_empty() {
            return Err(failure("no PEM CERTIFICATE block found".to_owned()));
        }
        Ok(certs)
    }

    /// The first private key block (PKCS#8, PKCS#1 or SEC1).
    pub fn private_key(&self) -> Result<PrivateKeyDer<'static>, TlsError> {
        PrivateKeyDer::from_pem_slice(&self.bytes).map_err(|error| TlsError::Key {
            field: self.field,
            path: self.path.clone(),
            reason: error.to_string(),
        })
    }

    /// The certificates as trust anchors.
    pub fn roots(&self) -> Result<RootCertStore, TlsError> {
        let failure =
            |reason: String| TlsError::Ca { field: self.field, path: self.path.clone(), reason };
        let certs = CertificateDer::pem_slice_iter(&self.bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| failure(error.to_string()))?;
        if certs.is_empty() {
            return Err(failure("no PEM CERTIFICATE block found".to_owned()));
        }

        let mut roots = RootCertStore::empty();
        for cert in certs {
            roots
                .add(cert)
                .map_err(|error| failure(format!("a CA certificate is unusable: {error}")))?;
        }
        Ok(roots)
    }
}

/// Reads a file for a rotation check: its contents (or why not) and their fingerprint.
pub fn read_for_check(
    field: &'static str,
    path: &Path,
) -> (Result<PemFile, TlsError>, Fingerprint) {
    let file = PemFile::read(field, path);
    let fingerprint = file.as_ref().ok().map(PemFile::fingerprint);
    (file, fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_follow_contents_and_garbage_is_refused_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pem");
        std::fs::write(&path, "not pem").unwrap();
        let first = PemFile::read("cert", &path).unwrap();
        let error = first.certificates().unwrap_err();
        assert_eq!(error.field(), "cert");
        assert_eq!(error.file(), Some(path.as_path()));
        assert!(error.to_string().contains("no PEM CERTIFICATE block"), "{error}");

        std::fs::write(&path, "not pem either").unwrap();
        let second = PemFile::read("cert", &path).unwrap();
        assert_ne!(first.fingerprint(), second.fingerprint());

        let (missing, fingerprint) = read_for_check("key", &dir.path().join("gone.pem"));
        assert!(matches!(missing, Err(TlsError::Read { field: "key", .. })));
        assert_eq!(fingerprint, None);
    }
}
