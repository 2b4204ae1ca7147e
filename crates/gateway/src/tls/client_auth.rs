//! Client certificate verification for mutual TLS, and the record of what a refused client
//! presented.
//!
//! rustls verifies the chain ([`WebPkiClientVerifier`]) and ends a failed handshake with the
//! alert that fits (unknown CA, expired certificate, certificate required). The wrapper
//! [`RecordingVerifier`] only notes the subject of a refused certificate in a task-local slot
//! set by [`record_handshake`], so the accept loop can name it in its `tls_handshake_failed`
//! event.

use std::future::Future;
use std::sync::{Arc, Mutex};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::UnixTime;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::CertificateDer;

use super::pem::PemFile;
use super::{identity, TlsError};
use crate::config::model::ClientAuthMode;

tokio::task_local! {
    /// Where the verifier notes the subject of a refused client certificate.
    static REFUSED_SUBJECT: Arc<Mutex<Option<String>>>;
}

/// Runs a TLS handshake future and returns its output with the subject of the client
/// certificate the verifier refused during it, if one was presented and refused.
pub async fn record_handshake<F: Future>(handshake: F) -> (F::Output, Option<String>) {
    let slot = Arc::new(Mutex::new(None));
    let output = REFUSED_SUBJECT.scope(slot.clone(), handshake).await;
    let subject = slot.lock().ok().and_then(|mut guard| guard.take());
    (output, subject)
}

/// Builds the client certificate verifier for a listener from its CA bundle.
pub fn verifier(
    client_ca: &PemFile,
    mode: ClientAuthMode,
) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
    let roots = client_ca.roots()?;
    let builder = WebPkiClientVerifier::builder(Arc::new(roots));
    let builder = match mode {
        ClientAuthMode::Required => builder,
        ClientAuthMode::Optional => builder.allow_unauthenticated(),
    };
    let inner = builder.build().map_err(|error| TlsError::Ca {
        field: "client_ca",
        path: client_ca.path().to_owned(),
        reason: error.to_string(),
    })?;
    Ok(Arc::new(RecordingVerifier { inner }))
}

/// A verifier that delegates every decision and notes the subject of refused certificates.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<dyn ClientCertVerifier>,
}

impl ClientCertVerifier for RecordingVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let result = self.inner.verify_client_cert(end_entity, intermediates, now);
        if result.is_err() {
            let subject = identity::subject(end_entity);
            // Outside `record_handshake` (never in the gateway) there is nowhere to note it.
            let _ = REFUSED_SUBJECT.try_with(|slot| {
                if let Ok(mut guard) = slot.lock() {
                    *guard = subject;
                }
            });
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
