//! Errors of path and host normalization; each means the request is malformed (400).

use thiserror::Error;

/// Why a request path was rejected. Every variant means status 400; positions are byte offsets
/// into the raw path so that the path itself need not be logged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PathError {
    /// The path is empty.
    #[error("empty request path")]
    Empty,
    /// The path is the asterisk form `*`, which rampart does not route.
    #[error("asterisk-form request target `*` is not accepted")]
    AsteriskForm,
    /// The path does not start with `/`.
    #[error("request path must start with `/`")]
    NotAbsolute,
    /// The path contains `#`, which must never reach a server.
    #[error("request path contains a fragment `#` at byte {position}")]
    Fragment {
        /// Byte offset of the `#`.
        position: usize,
    },
    /// The path contains a literal control character, space or NUL.
    #[error("request path contains a control character or space at byte {position}")]
    ControlCharacter {
        /// Byte offset of the character.
        position: usize,
    },
    /// The path contains a byte outside ASCII; it must be percent-encoded.
    #[error("request path contains a non-ASCII byte at byte {position}; percent-encode it")]
    NonAscii {
        /// Byte offset of the first byte of the character.
        position: usize,
    },
    /// The path contains a literal backslash.
    #[error("request path contains a backslash at byte {position}")]
    Backslash {
        /// Byte offset of the backslash.
        position: usize,
    },
    /// A `%` is not followed by two hexadecimal digits.
    #[error("invalid percent-encoding at byte {position} of the request path")]
    InvalidPercentEncoding {
        /// Byte offset of the `%`.
        position: usize,
    },
    /// The path contains an encoded slash `%2F`.
    #[error("request path contains an encoded slash `%2F` at byte {position}")]
    EncodedSlash {
        /// Byte offset of the `%`.
        position: usize,
    },
    /// The path contains an encoded backslash `%5C`.
    #[error("request path contains an encoded backslash `%5C` at byte {position}")]
    EncodedBackslash {
        /// Byte offset of the `%`.
        position: usize,
    },
    /// The path contains an encoded control character or NUL such as `%00`.
    #[error("request path contains an encoded control character at byte {position}")]
    EncodedControlCharacter {
        /// Byte offset of the `%`.
        position: usize,
    },
    /// The path contains a `;` path parameter and parameters are rejected.
    #[error("request path contains a `;` path parameter at byte {position}")]
    PathParameter {
        /// Byte offset of the `;`.
        position: usize,
    },
}

impl PathError {
    /// The HTTP status this error maps to: always 400.
    pub const fn status_code(&self) -> u16 {
        400
    }
}

/// Why a host (a `Host` header or an authority) was rejected. Every variant means status 400.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostError {
    /// The host is empty.
    #[error("empty host")]
    Empty,
    /// The host carries user information (`user@host`).
    #[error("host must not contain user information (`@`)")]
    UserInfo,
    /// The port is not a number from 1 to 65535.
    #[error("invalid port in host")]
    InvalidPort,
    /// An IPv6 literal is not closed or does not parse.
    #[error("invalid IPv6 literal in host")]
    InvalidIpv6,
    /// The name contains a character outside letters, digits, `-`, `_` and `.`.
    #[error("host contains an invalid character at byte {position}")]
    InvalidCharacter {
        /// Byte offset of the character.
        position: usize,
    },
    /// The name has an empty label (`a..b`, or a leading dot).
    #[error("host has an empty label")]
    EmptyLabel,
    /// A label is longer than 63 bytes.
    #[error("host has a label longer than 63 bytes")]
    LabelTooLong,
    /// The name is longer than 253 bytes.
    #[error("host name is longer than 253 bytes")]
    TooLong,
}

impl HostError {
    /// The HTTP status this error maps to: always 400.
    pub const fn status_code(&self) -> u16 {
        400
    }
}
