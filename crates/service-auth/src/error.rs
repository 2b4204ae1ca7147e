//! Why a call to another service failed. Messages never contain the token or key material.

use std::time::Duration;

use rampart_auth::MintError;
use thiserror::Error;

/// A failed service call, named after where it failed.
#[derive(Debug, Error)]
pub enum ServiceCallError {
    /// The base URL given to [`crate::ServiceClient::new`] is unusable.
    #[error("base url `{url}`: {reason}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The path of a call is not an absolute path (with an optional query).
    #[error("path `{path}`: give an absolute path such as /orders/42")]
    Path {
        /// The path as given.
        path: String,
    },
    /// The audience is empty.
    #[error("audience must not be empty: name the service being called")]
    Audience,
    /// No token could be minted for the target (key, clock or argument problem).
    #[error("cannot mint a token for audience `{audience}`: {source}")]
    Token {
        /// The target service.
        audience: String,
        /// Why minting failed.
        source: MintError,
    },
    /// TLS could not be set up for an `https://` base URL.
    #[error("tls setup failed: {0}")]
    Tls(String),
    /// The request could not be sent or no response head arrived (connection refused, reset,
    /// TLS handshake refused ...).
    #[error("request to {uri} failed: {source}")]
    Request {
        /// The request's URI.
        uri: String,
        /// The client's error.
        source: hyper_util::client::legacy::Error,
    },
    /// No complete response within the client's timeout.
    #[error("request to {uri} timed out after {timeout:?}")]
    Timeout {
        /// The request's URI.
        uri: String,
        /// The timeout.
        timeout: Duration,
    },
    /// The response body is larger than the client accepts.
    #[error("response body from {uri} exceeds {limit} bytes")]
    BodyTooLarge {
        /// The request's URI.
        uri: String,
        /// The limit ([`crate::ServiceClient::with_max_body_bytes`]).
        limit: usize,
    },
    /// The connection failed while the response body was read.
    #[error("reading the response body from {uri} failed")]
    Body {
        /// The request's URI.
        uri: String,
    },
}
