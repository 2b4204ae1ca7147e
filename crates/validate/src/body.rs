//! The body rule: accepted media types, the JSON Schema, and how a body is checked.

use std::path::Path;

use jsonschema::Validator;
use serde_json::Value;

use crate::config::BodyConfig;
use crate::error::ValidationConfigError;
use crate::json_reader::{read_json, JsonLimits};
use crate::media::{is_json, MediaType, MediaTypes};
use crate::rejection::{DetailList, Location};
use crate::schema::{self, SchemaSource};

/// A compiled body rule.
pub(crate) struct BodyRule {
    /// The schema for JSON bodies; `None` when only the media type is checked.
    pub(crate) validator: Option<Validator>,
    /// Accepted media types; others get 415.
    pub(crate) media: MediaTypes,
    /// Whether an empty body is denied.
    pub(crate) required: bool,
}

impl BodyRule {
    /// True when some accepted media type is read as JSON.
    pub(crate) fn validates_json(&self) -> bool {
        self.media.0.iter().any(|m| m.json)
    }

    /// Reads `body` as JSON under `limits` and validates it, adding details on failure.
    pub(crate) fn check(&self, body: &[u8], limits: &JsonLimits, details: &mut DetailList) {
        if body.is_empty() {
            if self.required {
                details.push(Location::Body, "", "request body is required".to_owned());
            }
            return;
        }

        let value = match read_json(body, limits) {
            Ok(value) => value,
            Err(e) => return details.push(Location::Body, e.pointer(), e.to_string()),
        };
        if let Some(validator) = &self.validator {
            schema::check(validator, &value, Location::Body, "", details);
        }
    }
}

/// Compiles a configured body rule, reading `schema_file` relative to `base_dir`.
pub(crate) fn load_body_schema(
    config: &BodyConfig,
    base_dir: &Path,
) -> Result<BodyRule, ValidationConfigError> {
    let media = content_types(&config.content_types)?;
    let validator = match (&config.schema, &config.schema_file) {
        (Some(inline), None) => {
            let origin = "validate.body.schema";
            schema::compile(&SchemaSource { value: inline, origin, base_pointer: "" })?
        }
        (None, Some(file)) => {
            let path = base_dir.join(file);
            let value = read_schema_file(&path)?;
            let origin = path.display().to_string();
            schema::compile(&SchemaSource { value: &value, origin: &origin, base_pointer: "" })?
        }
        _ => return Err(ValidationConfigError::BodySchemaSource),
    };
    Ok(BodyRule { validator: Some(validator), media, required: config.required })
}

fn content_types(types: &[String]) -> Result<MediaTypes, ValidationConfigError> {
    let media = types
        .iter()
        .map(|t| match is_json(t) {
            true => Ok(MediaType::new(t, true)),
            false => Err(ValidationConfigError::ContentType { value: t.clone() }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if media.is_empty() {
        return Err(ValidationConfigError::ContentType { value: String::new() });
    }
    Ok(MediaTypes(media))
}

/// Reads a JSON (`.json`) or YAML (anything else) schema file.
pub(crate) fn read_schema_file(path: &Path) -> Result<Value, ValidationConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ValidationConfigError::SchemaFileRead { path: path.into(), source })?;
    let parsed = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).map_err(|e| e.to_string()),
        _ => serde_yaml_ng::from_str(&text).map_err(|e| e.to_string()),
    };
    parsed.map_err(|message| ValidationConfigError::SchemaFileParse { path: path.into(), message })
}
