//! Suppressions: `rampart.io/ignore` annotations and a config file of exceptions.
//!
//! Every suppression needs a reason; one without is not honoured and produces a note.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::checks;
use crate::manifest::Resource;

/// Annotation listing check ids to ignore on a resource, comma separated.
pub const IGNORE_ANNOTATION: &str = "rampart.io/ignore";

/// Annotation giving the reason for [`IGNORE_ANNOTATION`]; required.
pub const REASON_ANNOTATION: &str = "rampart.io/ignore-reason";

/// Largest suppression file read, in bytes.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The suppression file (`--config FILE`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionConfig {
    /// Exceptions; empty by default.
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
}

/// One exception: a check, optionally narrowed to resources, with a reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Check id to suppress (required).
    pub check: String,
    /// Only resources of this kind (default: any).
    #[serde(default)]
    pub kind: Option<String>,
    /// Only resources in this namespace (default: any).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Only resources with this name (default: any).
    #[serde(default)]
    pub name: Option<String>,
    /// Why this is acceptable (required, non-empty).
    pub reason: String,
}

/// A suppression file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read suppression file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is too large.
    #[error("suppression file {path} is larger than {MAX_CONFIG_BYTES} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The YAML does not match the format.
    #[error("invalid suppression file {path}: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Parser message with line and column.
        detail: String,
    },
    /// An entry names a check that does not exist.
    #[error("suppression file {path}: entry {index} names unknown check \"{check}\"")]
    UnknownCheck {
        /// The file.
        path: PathBuf,
        /// 1-based entry number.
        index: usize,
        /// The id given.
        check: String,
    },
    /// An entry has an empty reason.
    #[error("suppression file {path}: entry {index} ({check}) needs a non-empty reason")]
    MissingReason {
        /// The file.
        path: PathBuf,
        /// 1-based entry number.
        index: usize,
        /// The check id.
        check: String,
    },
}

impl SuppressionConfig {
    /// Reads and validates a suppression file.
    pub fn load(path: &Path) -> Result<SuppressionConfig, ConfigError> {
        let read = |source| ConfigError::Read { path: path.to_path_buf(), source };
        let size = std::fs::metadata(path).map_err(read)?.len();
        if size > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge { path: path.to_path_buf() });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Self::parse(&text, path)
    }

    /// Parses and validates suppression YAML; `path` is used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<SuppressionConfig, ConfigError> {
        let config: SuppressionConfig = serde_yaml_ng::from_str(text).map_err(|e| {
            ConfigError::Invalid { path: path.to_path_buf(), detail: e.to_string() }
        })?;
        for (i, s) in config.suppressions.iter().enumerate() {
            let (index, check, path) = (i + 1, s.check.clone(), path.to_path_buf());
            if checks::by_id(&s.check).is_none() {
                return Err(ConfigError::UnknownCheck { path, index, check });
            }
            if s.reason.trim().is_empty() {
                return Err(ConfigError::MissingReason { path, index, check });
            }
        }
        Ok(config)
    }

    /// Whether an entry suppresses `check` on `resource`.
    pub fn suppresses(&self, check: &str, resource: &Resource) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        self.suppressions.iter().any(|s| {
            s.check == check
                && eq(&s.kind, &resource.kind)
                && eq(&s.namespace, resource.effective_namespace())
                && eq(&s.name, &resource.name)
        })
    }
}

/// The check ids a resource's annotation suppresses; `Err` with a note when the
/// annotation is present but not honoured.
pub fn annotated(resource: &Resource) -> Result<Vec<&str>, String> {
    let Some(list) = resource.annotation(IGNORE_ANNOTATION) else { return Ok(Vec::new()) };
    let reason = resource.annotation(REASON_ANNOTATION).unwrap_or("").trim();
    if reason.is_empty() {
        return Err(format!(
            "{} ignores checks without a reason; add the {REASON_ANNOTATION} annotation",
            resource.display_name()
        ));
    }
    let ids: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    match ids.iter().find(|id| checks::by_id(id).is_none()) {
        Some(unknown) => {
            Err(format!("{} ignores unknown check \"{unknown}\"", resource.display_name()))
        }
        None => Ok(ids),
    }
}
