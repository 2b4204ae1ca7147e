//! The identity of a verified client certificate, named as Istio names peers.

use rustls_pki_types::CertificateDer;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The SPIFFE URI scheme prefix stripped from peer identities.
const SPIFFE_PREFIX: &str = "spiffe://";

/// Longest identity kept; longer names are not identities rampart can match on.
const MAX_IDENTITY_LEN: usize = 512;

/// The principal of a client certificate: a SPIFFE URI SAN `spiffe://TD/ns/NS/sa/SA` as
/// `TD/ns/NS/sa/SA` (as Istio does), else the first DNS SAN, else the subject common name.
///
/// `None` when the certificate cannot be parsed or names nothing usable.
pub fn peer_principal(cert: &CertificateDer<'_>) -> Option<String> {
    let (_, parsed) = X509Certificate::from_der(cert.as_ref()).ok()?;
    let names = parsed
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| san.value.general_names.clone())
        .unwrap_or_default();

    let spiffe = names.iter().find_map(|name| match name {
        GeneralName::URI(uri) => uri.strip_prefix(SPIFFE_PREFIX),
        _ => None,
    });
    let dns = names.iter().find_map(|name| match name {
        GeneralName::DNSName(dns) => Some(*dns),
        _ => None,
    });
    let common_name = parsed.subject().iter_common_name().find_map(|cn| cn.as_str().ok());

    spiffe
        .or(dns)
        .or(common_name)
        .filter(|name| !name.is_empty() && name.len() <= MAX_IDENTITY_LEN)
        .map(str::to_owned)
}

/// Most SPIFFE IDs read from one certificate (an SVID has exactly one).
const MAX_SPIFFE_IDS: usize = 4;

/// The `spiffe://` URI SANs of a certificate, in order (at most four, each at most 2048
/// bytes); empty when it cannot be parsed.
pub fn spiffe_ids(cert: &CertificateDer<'_>) -> Vec<String> {
    let Ok((_, parsed)) = X509Certificate::from_der(cert.as_ref()) else {
        return Vec::new();
    };
    let Ok(Some(san)) = parsed.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::URI(uri) if uri.starts_with(SPIFFE_PREFIX) && uri.len() <= 2048 => {
                Some((*uri).to_owned())
            }
            _ => None,
        })
        .take(MAX_SPIFFE_IDS)
        .collect()
}

/// The subject distinguished name of a certificate (for events about refused certificates).
pub fn subject(cert: &CertificateDer<'_>) -> Option<String> {
    let (_, parsed) = X509Certificate::from_der(cert.as_ref()).ok()?;
    let mut text = parsed.subject().to_string();
    if text.len() > MAX_IDENTITY_LEN {
        let mut end = MAX_IDENTITY_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(params: rcgen::CertificateParams) -> CertificateDer<'static> {
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().clone()
    }

    #[test]
    fn prefers_spiffe_then_dns_then_common_name() {
        let mut params = rcgen::CertificateParams::new(vec!["svc.example".to_owned()]).unwrap();
        let uri = "spiffe://cluster.local/ns/research/sa/frontend".try_into().unwrap();
        params.subject_alt_names.push(rcgen::SanType::URI(uri));
        let der = cert(params);
        let principal = peer_principal(&der);
        assert_eq!(principal.as_deref(), Some("cluster.local/ns/research/sa/frontend"));
        assert_eq!(spiffe_ids(&der), ["spiffe://cluster.local/ns/research/sa/frontend"]);

        let params = rcgen::CertificateParams::new(vec!["svc.example".to_owned()]).unwrap();
        assert_eq!(peer_principal(&cert(params)).as_deref(), Some("svc.example"));

        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "legacy-client");
        let der = cert(params);
        assert_eq!(peer_principal(&der).as_deref(), Some("legacy-client"));
        assert_eq!(subject(&der).as_deref(), Some("CN=legacy-client"));
    }

    #[test]
    fn garbage_has_no_identity() {
        let der = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        assert_eq!(peer_principal(&der), None);
        assert_eq!(subject(&der), None);
        assert!(spiffe_ids(&der).is_empty());
    }
}
