//! Loading the YAML config: strict parsing with the path of every error, then compilation into
//! an immutable [`Snapshot`] that the hot path reads without parsing anything.

pub mod compile;
pub mod duration;
pub mod model;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use compile::{compile, compile_reusing, CompiledRoute, Snapshot};
pub use model::Config;

/// Why a config file cannot be used. Every variant names the file.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read the config file: {source}")]
    Read {
        /// The config file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid YAML or does not have the expected shape.
    #[error("{file}:{line}: at `{path}`: {message}")]
    Parse {
        /// The config file.
        file: PathBuf,
        /// Line in the file (1-based, 0 when unknown).
        line: usize,
        /// Where in the document, such as `routes[2].auth.jwt.providers[0]`.
        path: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The document parsed but is inconsistent or refers to unusable things.
    #[error("{file}: at `{path}`: {message}")]
    Invalid {
        /// The config file.
        file: PathBuf,
        /// Where in the document.
        path: String,
        /// What was wrong and what was expected.
        message: String,
    },
}

/// The largest config file accepted, so a mistaken path cannot exhaust memory.
const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// Reads and parses a config file, with unknown fields refused.
pub fn load(file: &Path) -> Result<Config, ConfigError> {
    let read_error = |source| ConfigError::Read { file: file.to_owned(), source };
    let size = std::fs::metadata(file).map_err(read_error)?.len();
    if size > MAX_CONFIG_BYTES {
        return Err(ConfigError::Parse {
            file: file.to_owned(),
            line: 0,
            path: ".".into(),
            message: format!("the file is {size} bytes; the limit is {MAX_CONFIG_BYTES}"),
        });
    }
    let text = std::fs::read_to_string(file).map_err(read_error)?;
    parse(&text, file)
}

/// Parses config text; `file` is only used in error messages.
pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let line = inner.location().map_or(0, |location| location.line());
        ConfigError::Parse { file: file.to_owned(), line, path, message: clean_message(&inner) }
    })
}

/// The YAML library prefixes its own path and appends "at line N column M"; both are reported
/// apart, so they are cut from the message.
fn clean_message(error: &serde_yaml_ng::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" at line ") {
        Some(index) => &text[..index],
        None => text.as_str(),
    };
    match text.split_once(": ") {
        Some((prefix, rest)) if !prefix.contains(' ') => rest.to_owned(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> String {
        parse(text, Path::new("gw.yaml")).unwrap_err().to_string()
    }

    const MINIMAL: &str = "
listeners: [{name: main, address: '127.0.0.1:8080'}]
upstreams: {api: {targets: ['127.0.0.1:9000']}}
routes: [{name: all, match: {path: '/*'}, upstream: api}]
";

    #[test]
    fn minimal_config_parses_with_defaults() {
        let config = parse(MINIMAL, Path::new("gw.yaml")).unwrap();
        assert_eq!(config.admin.address.to_string(), "127.0.0.1:9901");
        assert_eq!(config.limits.max_headers, 100);
    }

    #[test]
    fn unknown_fields_are_errors_with_their_path() {
        let text = MINIMAL.replace("upstream: api}", "upstream: api, timeot: 5s}");
        let message = parse_error(&text);
        assert!(
            message.starts_with("gw.yaml:4: at `routes[0].timeot`: unknown field `timeot`"),
            "{message}"
        );
    }

    #[test]
    fn wrong_types_name_the_nested_path() {
        let text = MINIMAL.replace("upstream: api}", "upstream: api, timeout: 10}");
        let message = parse_error(&text);
        assert!(message.contains("at `routes[0].timeout`"), "{message}");
        assert!(message.contains("invalid duration `10`: the unit must be"), "{message}");
    }
}
