//! What one call to an external authorizer can end in.

use std::time::Duration;

use http::{HeaderName, HeaderValue, StatusCode};
use thiserror::Error;

/// The answer of an external authorizer to one check.
#[derive(Debug)]
pub enum CheckOutcome {
    /// A 2xx answer: the request goes on to the DENY and ALLOW policies.
    Allowed {
        /// The answer's `headers_to_upstream_on_allow`, to set on the upstream request.
        upstream_headers: Vec<(HeaderName, HeaderValue)>,
    },
    /// Any 3xx or 4xx answer: the request is denied with that status.
    Denied {
        /// The authorizer's status, sent to the client.
        status: StatusCode,
        /// The answer's `headers_to_downstream_on_deny`, copied to the client.
        headers: Vec<(HeaderName, HeaderValue)>,
    },
    /// No usable answer: the provider's fail mode decides.
    Failed(CheckFailure),
}

impl CheckOutcome {
    /// The `outcome` label of `rampart_ext_authz_calls_total`: `allowed`, `denied`, `timeout`,
    /// `unreachable` or `error`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Allowed { .. } => "allowed",
            Self::Denied { .. } => "denied",
            Self::Failed(failure) => failure.label(),
        }
    }
}

/// Why an authorizer gave no usable answer. Messages are for logs; clients never see them.
#[derive(Debug, Error)]
pub enum CheckFailure {
    /// The answer's head did not arrive in time.
    #[error("the authorizer did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The connection could not be made.
    #[error("the authorizer cannot be reached")]
    Unreachable,
    /// The authorizer answered with a 5xx status.
    #[error("the authorizer answered {0}")]
    ServerError(StatusCode),
    /// The exchange failed after connecting (a reset, a malformed answer), or the request
    /// cannot be expressed as a check (a CONNECT).
    #[error("the exchange with the authorizer failed")]
    Protocol,
}

impl CheckFailure {
    /// The metric label: `timeout`, `unreachable` or `error`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Timeout(_) => "timeout",
            Self::Unreachable => "unreachable",
            Self::ServerError(_) | Self::Protocol => "error",
        }
    }

    /// The `reason` of the event: `provider_timeout`, `provider_unreachable` or
    /// `provider_error`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Timeout(_) => "provider_timeout",
            Self::Unreachable => "provider_unreachable",
            Self::ServerError(_) | Self::Protocol => "provider_error",
        }
    }
}
