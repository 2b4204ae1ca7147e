//! Turning a [`ProviderConfig`] into a [`Provider`], checking every field at load.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http::Uri;

use crate::algorithm::JwtAlgorithm;
use crate::claims::ClaimPolicy;
use crate::config::ProviderConfig;
use crate::config_error::AuthConfigError;
use crate::fetch::{tls_config, JwksFetcher};
use crate::keys::KeySet;
use crate::provider::{KeySource, Provider};
use crate::remote::{RemoteJwks, RemoteTiming};

/// Shortest HMAC secret accepted, in bytes.
pub(crate) const MIN_HMAC_SECRET_BYTES: usize = 32;
const MAX_LEEWAY_SECS: u64 = 3600;
const MIN_TOKEN_BYTES: usize = 256;
const MAX_TOKEN_BYTES: usize = 1024 * 1024;
const MIN_REFRESH_SECS: u64 = 10;

/// Compiles one provider; a JWKS URL provider starts without keys.
pub(crate) fn compile_provider(
    name: &str,
    config: &ProviderConfig,
    base_dir: &Path,
) -> Result<Provider, AuthConfigError> {
    check_fields(name, config)?;
    let keys = key_source(name, config, base_dir)?;
    if let KeySource::Static(set) = &keys {
        check_algorithms_served(name, &config.algorithms, set)?;
    }

    let policy = ClaimPolicy {
        provider: name.to_owned(),
        issuer: config.issuer.clone(),
        audiences: config.audiences.clone(),
        leeway: config.leeway_secs,
        required: config.required_claims.clone(),
    };
    Ok(Provider {
        name: Arc::from(name),
        policy,
        algorithms: config.algorithms.clone(),
        max_token_bytes: config.max_token_bytes,
        keys,
    })
}

fn check_fields(name: &str, config: &ProviderConfig) -> Result<(), AuthConfigError> {
    let invalid = |field, reason: &str| AuthConfigError::InvalidField {
        provider: name.to_owned(),
        field,
        reason: reason.to_owned(),
    };
    if config.issuer.is_empty() {
        return Err(invalid("issuer", "must not be empty"));
    }
    if config.audiences.is_empty() || config.audiences.iter().any(String::is_empty) {
        return Err(invalid("audiences", "list at least one non-empty audience"));
    }
    if config.algorithms.is_empty() {
        return Err(invalid("algorithms", "list at least one algorithm"));
    }
    if config.leeway_secs > MAX_LEEWAY_SECS {
        return Err(invalid("leeway_secs", "must be at most 3600"));
    }
    if !(MIN_TOKEN_BYTES..=MAX_TOKEN_BYTES).contains(&config.max_token_bytes) {
        return Err(invalid("max_token_bytes", "must be between 256 and 1048576"));
    }
    if config.required_claims.iter().any(String::is_empty) {
        return Err(invalid("required_claims", "claim names must not be empty"));
    }
    Ok(())
}

fn key_source(
    name: &str,
    config: &ProviderConfig,
    base_dir: &Path,
) -> Result<KeySource, AuthConfigError> {
    check_single_source(name, config)?;
    if let Some(var) = &config.hmac_secret_env {
        return hmac_source(name, config, var);
    }
    reject_hmac_algorithms(name, &config.algorithms)?;
    if let Some(path) = &config.jwks_file {
        return jwks_file_source(name, &resolve(base_dir, path));
    }
    if let Some(url) = &config.jwks_url {
        return jwks_url_source(name, config, url, base_dir);
    }
    Err(AuthConfigError::NoKeySource { provider: name.to_owned() })
}

/// At most one key source, and `jwks_ca_file` only next to `jwks_url`.
fn check_single_source(name: &str, config: &ProviderConfig) -> Result<(), AuthConfigError> {
    let set: Vec<&str> = [
        config.jwks_file.as_ref().map(|_| "`jwks_file`"),
        config.jwks_url.as_ref().map(|_| "`jwks_url`"),
        config.hmac_secret_env.as_ref().map(|_| "`hmac_secret_env`"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if set.len() > 1 {
        let fields = set.join(", ");
        return Err(AuthConfigError::SeveralKeySources { provider: name.to_owned(), fields });
    }
    if config.jwks_ca_file.is_some() && config.jwks_url.is_none() {
        return Err(AuthConfigError::InvalidField {
            provider: name.to_owned(),
            field: "jwks_ca_file",
            reason: "only applies to an https `jwks_url`".to_owned(),
        });
    }
    Ok(())
}

fn hmac_source(
    name: &str,
    config: &ProviderConfig,
    var: &str,
) -> Result<KeySource, AuthConfigError> {
    if let Some(alg) = config.algorithms.iter().find(|alg| !alg.is_hmac()) {
        return Err(AuthConfigError::AlgorithmWithoutKey {
            provider: name.to_owned(),
            algorithm: alg.name(),
            hint: "`hmac_secret_env` serves only HS256/HS384/HS512",
        });
    }
    let secret = std::env::var(var).map_err(|_| AuthConfigError::SecretEnvMissing {
        provider: name.to_owned(),
        var: var.to_owned(),
    })?;
    if secret.len() < MIN_HMAC_SECRET_BYTES {
        return Err(AuthConfigError::SecretTooShort {
            provider: name.to_owned(),
            var: var.to_owned(),
            len: secret.len(),
        });
    }

    let keys = KeySet::hmac(secret.as_bytes()).map_err(|reason| AuthConfigError::InvalidField {
        provider: name.to_owned(),
        field: "hmac_secret_env",
        reason,
    })?;
    Ok(KeySource::Static(Arc::new(keys)))
}

/// HS algorithms need a shared secret; a JWKS source never serves them, so a public key can
/// never be misused as an HMAC secret.
fn reject_hmac_algorithms(name: &str, algorithms: &[JwtAlgorithm]) -> Result<(), AuthConfigError> {
    match algorithms.iter().find(|alg| alg.is_hmac()) {
        Some(alg) => Err(AuthConfigError::AlgorithmWithoutKey {
            provider: name.to_owned(),
            algorithm: alg.name(),
            hint: "HS algorithms need `hmac_secret_env`; JWKS keys serve RS/PS/ES/EdDSA only",
        }),
        None => Ok(()),
    }
}

fn jwks_file_source(name: &str, path: &Path) -> Result<KeySource, AuthConfigError> {
    let bytes = std::fs::read(path).map_err(|source| AuthConfigError::JwksFileUnreadable {
        provider: name.to_owned(),
        path: path.to_path_buf(),
        source,
    })?;
    let keys = KeySet::from_jwks(&bytes).map_err(|reason| AuthConfigError::JwksInvalid {
        provider: name.to_owned(),
        field: "jwks_file",
        reason,
    })?;
    Ok(KeySource::Static(Arc::new(keys)))
}

fn jwks_url_source(
    name: &str,
    config: &ProviderConfig,
    url: &str,
    base_dir: &Path,
) -> Result<KeySource, AuthConfigError> {
    let uri = parse_jwks_url(name, url)?;
    let tls = jwks_tls(name, config, &uri, base_dir)?;
    if config.jwks_refresh_secs < MIN_REFRESH_SECS {
        return Err(AuthConfigError::InvalidField {
            provider: name.to_owned(),
            field: "jwks_refresh_secs",
            reason: "must be at least 10".to_owned(),
        });
    }
    if config.jwks_fetch_timeout_secs == 0 {
        return Err(AuthConfigError::InvalidField {
            provider: name.to_owned(),
            field: "jwks_fetch_timeout_secs",
            reason: "must be at least 1".to_owned(),
        });
    }

    let timeout = Duration::from_secs(config.jwks_fetch_timeout_secs);
    let fetcher = JwksFetcher::new(uri, timeout, tls);
    let timing = RemoteTiming {
        refresh: Duration::from_secs(config.jwks_refresh_secs),
        refetch_min: Duration::from_secs(config.jwks_refetch_min_secs),
    };
    Ok(KeySource::Remote(Arc::new(RemoteJwks::new(Arc::from(name), fetcher, timing))))
}

fn parse_jwks_url(name: &str, url: &str) -> Result<Uri, AuthConfigError> {
    let invalid = |reason: &str| AuthConfigError::InvalidField {
        provider: name.to_owned(),
        field: "jwks_url",
        reason: reason.to_owned(),
    };
    let uri: Uri = url.parse().map_err(|_| invalid("not a valid URL"))?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err(invalid("must start with https:// or http://"));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if uri.authority().is_some_and(|auth| auth.as_str().contains('@')) {
        return Err(invalid("must not contain credentials"));
    }
    Ok(uri)
}

fn jwks_tls(
    name: &str,
    config: &ProviderConfig,
    uri: &Uri,
    base_dir: &Path,
) -> Result<rustls::ClientConfig, AuthConfigError> {
    let https = uri.scheme_str() == Some("https");
    let field = if config.jwks_ca_file.is_some() { "jwks_ca_file" } else { "jwks_url" };
    let invalid =
        |reason: String| AuthConfigError::InvalidField { provider: name.to_owned(), field, reason };
    if config.jwks_ca_file.is_some() && !https {
        return Err(invalid("only applies to an https `jwks_url`".to_owned()));
    }
    let ca_file = config.jwks_ca_file.as_deref().map(|path| resolve(base_dir, path));
    tls_config(ca_file.as_deref(), https).map_err(invalid)
}

fn check_algorithms_served(
    name: &str,
    algorithms: &[JwtAlgorithm],
    keys: &KeySet,
) -> Result<(), AuthConfigError> {
    match algorithms.iter().find(|alg| !keys.can_serve(**alg)) {
        Some(alg) => Err(AuthConfigError::AlgorithmWithoutKey {
            provider: name.to_owned(),
            algorithm: alg.name(),
            hint: "add a key of that type to the JWKS or remove the algorithm",
        }),
        None => Ok(()),
    }
}

fn resolve(base_dir: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    base_dir.join(path)
}
