//! Why a request body could not be parsed (the engine sets `REQBODY_ERROR` and
//! `REQBODY_ERROR_MSG` from it).

/// A body that the processor rejects; the message becomes `REQBODY_ERROR_MSG`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The JSON text is malformed.
    #[error("JSON parsing error: {reason} at byte {offset}")]
    Json {
        /// What is wrong.
        reason: String,
        /// Byte offset of the problem in the body.
        offset: usize,
    },
    /// The JSON nesting is deeper than the configured limit.
    #[error("JSON parsing error: nesting deeper than {limit} levels at byte {offset}")]
    JsonDepth {
        /// The configured depth limit.
        limit: usize,
        /// Byte offset where the limit was crossed.
        offset: usize,
    },
    /// More arguments than the configured limit.
    #[error("too many arguments: the limit is {limit}")]
    TooManyArguments {
        /// The configured argument limit.
        limit: usize,
    },
    /// The XML document is malformed.
    #[error("XML parsing error: {reason}")]
    Xml {
        /// What is wrong, with the position when known.
        reason: String,
    },
    /// The XML nesting or node count is above the configured limit.
    #[error("XML parsing error: document exceeds the limit of {limit} {what}")]
    XmlLimit {
        /// Which limit (`levels`, `nodes`).
        what: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// The multipart body is malformed.
    #[error("Multipart parsing error: {reason}")]
    Multipart {
        /// What is wrong.
        reason: String,
    },
}
