//! Errors raised while compiling a validation config into a [`crate::RequestValidator`].

use std::path::PathBuf;

/// Why a validation config could not be compiled; each variant names where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ValidationConfigError {
    /// A schema file could not be read.
    #[error("cannot read schema file {path}: {source}")]
    SchemaFileRead {
        /// The file, as resolved against the config's directory.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// A schema file is not valid JSON or YAML.
    #[error("schema file {path} is not valid JSON or YAML: {message}")]
    SchemaFileParse {
        /// The file, as resolved against the config's directory.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },

    /// A schema is not a valid JSON Schema.
    #[error("invalid schema in {origin} at {pointer}: {message}")]
    InvalidSchema {
        /// Where the schema came from: a file, or the config key that holds it.
        origin: String,
        /// JSON pointer of the problem inside `origin` ("" is the schema's root).
        pointer: String,
        /// What is wrong, as the schema compiler says it.
        message: String,
    },

    /// The body section gives both `schema` and `schema_file`, or neither.
    #[error("validate.body needs exactly one of `schema` or `schema_file`")]
    BodySchemaSource,

    /// A content type in `body.content_types` cannot be parsed or is not a JSON media type.
    #[error("validate.body.content_types: {value:?} is not a JSON media type (*/json, */*+json)")]
    ContentType {
        /// The offending entry.
        value: String,
    },

    /// A header parameter name is not a valid HTTP header name.
    #[error("validate.headers: {name:?} is not a valid header name")]
    HeaderName {
        /// The offending name.
        name: String,
    },

    /// `max_depth` is above what schema validation can walk without deep recursion.
    #[error("validate.max_depth is {value}; it must be at most {max}")]
    DepthTooLarge {
        /// The configured depth.
        value: usize,
        /// The largest accepted depth.
        max: usize,
    },

    /// A limit is zero, which would deny every request.
    #[error("validate.{field} must be at least 1")]
    ZeroLimit {
        /// The config key.
        field: &'static str,
    },
}
