//! Why a bearer token was denied: one variant per condition.

use thiserror::Error;

/// A token that was denied, with the condition that denied it.
///
/// `Display` is meant for logs and events (it may name claims and header fields, never the
/// token or a key); [`TokenError::description`] is the only text safe to send to a client.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// The token is longer than the provider's `max_token_bytes`.
    #[error("token of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Size of the token in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The token is not three dot-separated segments.
    #[error("token is not three dot-separated segments")]
    Malformed,
    /// A segment is not valid unpadded base64url.
    #[error("token {segment} is not valid base64url")]
    BadEncoding {
        /// `header`, `payload` or `signature`.
        segment: &'static str,
    },
    /// The header or the payload is not a JSON object.
    #[error("token {segment} is not a JSON object")]
    BadJson {
        /// `header` or `payload`.
        segment: &'static str,
    },
    /// The header says `alg: none` (an unsigned token).
    #[error("token is unsigned (alg none)")]
    AlgNone,
    /// The `alg` header is missing or names an algorithm rampart does not implement.
    #[error("token algorithm is missing or unsupported")]
    AlgUnsupported,
    /// The algorithm is valid but not in the provider's `algorithms` list.
    #[error("token algorithm {alg} is not allowed by provider {provider}")]
    AlgNotAllowed {
        /// The token's algorithm.
        alg: &'static str,
        /// The provider that refused it.
        provider: String,
    },
    /// The header has a `crit` member; rampart understands no critical extension.
    #[error("token header has crit extensions, none of which are understood")]
    CritHeader,
    /// The selected key belongs to another algorithm family (the RS256/HS256 confusion).
    #[error("token algorithm {alg} does not match the family of key {kid}")]
    KeyAlgMismatch {
        /// The token's algorithm.
        alg: &'static str,
        /// The key id, or `-` when the key has none.
        kid: String,
    },
    /// No key of the provider has the token's `kid` (also after a refetch when allowed).
    #[error("no key with kid {kid} for provider {provider}")]
    UnknownKid {
        /// The requested key id (truncated to 64 characters).
        kid: String,
        /// The provider searched.
        provider: String,
    },
    /// The token has no `kid` and the provider has several candidate keys.
    #[error("token has no kid and provider {provider} has several keys")]
    KidRequired {
        /// The provider searched.
        provider: String,
    },
    /// The provider has no keys yet (JWKS URL not fetched successfully): fail closed.
    #[error("provider {provider} has no keys yet (jwks not fetched)")]
    KeysUnavailable {
        /// The provider without keys.
        provider: String,
    },
    /// The signature does not verify with the selected key.
    #[error("token signature does not verify")]
    BadSignature,
    /// `iss` is missing or matches none of the accepted providers.
    #[error("token issuer is missing or not accepted here")]
    WrongIssuer,
    /// `aud` is missing or names none of the provider's audiences.
    #[error("token audience is missing or not accepted by provider {provider}")]
    WrongAudience {
        /// The provider that checked it.
        provider: String,
    },
    /// `exp` (plus leeway) is in the past.
    #[error("token expired at {exp} (now {now}, leeway {leeway}s)")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The verifier's clock.
        now: i64,
        /// The provider's leeway.
        leeway: u64,
    },
    /// `nbf` (minus leeway) is in the future.
    #[error("token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `iat` (minus leeway) is in the future.
    #[error("token issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// A required claim (`exp` or one of `required_claims`) is absent or null.
    #[error("token lacks required claim {claim}")]
    MissingClaim {
        /// The claim's name.
        claim: String,
    },
    /// A registered claim has the wrong JSON type (for example a string `exp`).
    #[error("token claim {claim} has the wrong type")]
    BadClaim {
        /// The claim's name.
        claim: &'static str,
    },
    /// The route names a provider the authenticator does not know (a wiring bug, not the
    /// client's fault).
    #[error("jwt provider {name} is not configured")]
    UnknownProvider {
        /// The provider name asked for.
        name: String,
    },
}

impl TokenError {
    /// A short stable label for metrics and events, such as `expired` or `bad_signature`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Malformed => "malformed",
            Self::BadEncoding { .. } => "bad_encoding",
            Self::BadJson { .. } => "bad_json",
            Self::AlgNone => "alg_none",
            Self::AlgUnsupported => "alg_unsupported",
            Self::AlgNotAllowed { .. } => "alg_not_allowed",
            Self::CritHeader => "crit_header",
            Self::KeyAlgMismatch { .. } => "key_alg_mismatch",
            Self::UnknownKid { .. } => "unknown_kid",
            Self::KidRequired { .. } => "kid_required",
            Self::KeysUnavailable { .. } => "keys_unavailable",
            Self::BadSignature => "bad_signature",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience { .. } => "wrong_audience",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::IssuedInFuture { .. } => "issued_in_future",
            Self::MissingClaim { .. } => "missing_claim",
            Self::BadClaim { .. } => "bad_claim",
            Self::UnknownProvider { .. } => "unknown_provider",
        }
    }

    /// A client-safe RFC 6750 `error_description`: no internals, no token contents.
    pub fn description(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "the token is too large",
            Self::Malformed | Self::BadEncoding { .. } | Self::BadJson { .. } => {
                "the token is malformed"
            }
            Self::AlgNone | Self::AlgUnsupported | Self::AlgNotAllowed { .. } => {
                "the token algorithm is not accepted"
            }
            Self::CritHeader => "the token has unsupported critical header parameters",
            Self::KeyAlgMismatch { .. } | Self::BadSignature => "the token signature is invalid",
            Self::UnknownKid { .. } | Self::KidRequired { .. } => {
                "the token signing key is unknown"
            }
            Self::KeysUnavailable { .. } | Self::UnknownProvider { .. } => {
                "the token cannot be verified at this time"
            }
            Self::WrongIssuer => "the token issuer is not accepted",
            Self::WrongAudience { .. } => "the token audience is not accepted",
            Self::Expired { .. } => "the token has expired",
            Self::NotYetValid { .. } => "the token is not yet valid",
            Self::IssuedInFuture { .. } => "the token was issued in the future",
            Self::MissingClaim { .. } => "the token lacks a required claim",
            Self::BadClaim { .. } => "the token has an invalid claim",
        }
    }

    /// The RFC 6750 `error` code: always `invalid_token` (a denied token, not a bad request).
    pub fn error_code(&self) -> &'static str {
        "invalid_token"
    }

    /// Whether the fault is on rampart's side (keys unavailable, wiring) rather than the
    /// client's; such denials deserve an operator's attention.
    pub fn is_server_side(&self) -> bool {
        matches!(self, Self::KeysUnavailable { .. } | Self::UnknownProvider { .. })
    }
}
