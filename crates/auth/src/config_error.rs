//! Errors found while compiling provider configuration; each names the provider and field.

use std::path::PathBuf;

use thiserror::Error;

/// A provider configuration that cannot be compiled. Messages never contain secret values.
#[derive(Debug, Error)]
pub enum AuthConfigError {
    /// None of `jwks_file`, `jwks_url`, `hmac_secret_env` is set.
    #[error(
        "jwt provider `{provider}`: no key source; set exactly one of `jwks_file`, \
         `jwks_url` or `hmac_secret_env`"
    )]
    NoKeySource {
        /// The provider's name.
        provider: String,
    },
    /// More than one key source is set.
    #[error("jwt provider `{provider}`: {fields} are all set; set exactly one key source")]
    SeveralKeySources {
        /// The provider's name.
        provider: String,
        /// The fields that are set, quoted and comma separated.
        fields: String,
    },
    /// A field has a value that cannot work.
    #[error("jwt provider `{provider}`: field `{field}`: {reason}")]
    InvalidField {
        /// The provider's name.
        provider: String,
        /// The field's name.
        field: &'static str,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// The environment variable named by `hmac_secret_env` is not set or not UTF-8.
    #[error(
        "jwt provider `{provider}`: field `hmac_secret_env`: environment variable `{var}` \
         is not set"
    )]
    SecretEnvMissing {
        /// The provider's name.
        provider: String,
        /// The variable's name.
        var: String,
    },
    /// The HMAC secret is shorter than 32 bytes.
    #[error(
        "jwt provider `{provider}`: field `hmac_secret_env`: the secret in `{var}` has {len} \
         bytes; use at least 32 random bytes"
    )]
    SecretTooShort {
        /// The provider's name.
        provider: String,
        /// The variable's name.
        var: String,
        /// The secret's length (never its value).
        len: usize,
    },
    /// The JWKS file cannot be read.
    #[error(
        "jwt provider `{provider}`: field `jwks_file`: cannot read {}: {source}",
        path.display()
    )]
    JwksFileUnreadable {
        /// The provider's name.
        provider: String,
        /// The resolved path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The JWKS document is not usable.
    #[error("jwt provider `{provider}`: field `{field}`: invalid jwks: {reason}")]
    JwksInvalid {
        /// The provider's name.
        provider: String,
        /// `jwks_file` or `jwks_url`.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An algorithm in `algorithms` has no key that can serve it.
    #[error(
        "jwt provider `{provider}`: field `algorithms`: no key can verify {algorithm}; \
         {hint}"
    )]
    AlgorithmWithoutKey {
        /// The provider's name.
        provider: String,
        /// The algorithm's name.
        algorithm: &'static str,
        /// What to change.
        hint: &'static str,
    },
    /// A route names a provider that is not configured.
    #[error("jwt provider `{name}` is not configured (known: {known})")]
    UnknownProvider {
        /// The name asked for.
        name: String,
        /// The configured names, comma separated.
        known: String,
    },
}
