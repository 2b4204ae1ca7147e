//! Why an operator could not be compiled.

use std::path::PathBuf;

/// An operator that cannot be compiled; the engine reports it with the rule's file, line and id.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The operator name is not a SecLang operator.
    #[error("unknown operator '@{name}'")]
    Unknown {
        /// The name as written, without `@`.
        name: String,
    },
    /// The operator exists in SecLang but rampart does not implement it.
    #[error("operator '@{name}' is not supported by rampart")]
    Unsupported {
        /// The canonical operator name.
        name: &'static str,
    },
    /// The `@rx` pattern does not compile with the linear-time regex engine.
    #[error("regex '{pattern}' does not compile: {reason}")]
    InvalidRegex {
        /// The pattern (truncated to 200 bytes).
        pattern: String,
        /// The regex engine's explanation.
        reason: String,
    },
    /// The parameter is malformed for this operator.
    #[error("invalid parameter for '@{operator}': {reason}")]
    InvalidParameter {
        /// The canonical operator name.
        operator: &'static str,
        /// What is wrong, quoting the bad part.
        reason: String,
    },
    /// A data file named by `@pmFromFile` or `@ipMatchFromFile` cannot be read.
    #[error("cannot read data file '{}' for '@{operator}': {source}", path.display())]
    DataFile {
        /// The canonical operator name.
        operator: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Truncates text quoted in an error message to a readable length.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
