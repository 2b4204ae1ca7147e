//! The `validate:` section of a route, as written in the gateway's YAML.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json_reader::DuplicateKeys;

/// Validation rules for one route. Every field is optional; see each for its default.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationConfig {
    /// Path parameters by name (from the route template); default none. Always required.
    #[serde(default)]
    pub path: BTreeMap<String, ParamConfig>,
    /// Query parameters by name; default none.
    #[serde(default)]
    pub query: BTreeMap<String, ParamConfig>,
    /// Header parameters by name (case-insensitive); default none.
    #[serde(default)]
    pub headers: BTreeMap<String, ParamConfig>,
    /// What to do with query parameters not listed in `query`; default `allow`.
    #[serde(default)]
    pub additional_query: AdditionalQuery,
    /// JSON body rules; default none (the body is not read).
    #[serde(default)]
    pub body: Option<BodyConfig>,
    /// Largest body this stage reads, in bytes; default 1 MiB (1048576). Larger bodies get 413.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Deepest nesting of arrays and objects in a body; default 64.
    #[serde(default = "default_max_depth")]
    pub max_depth: usize,
    /// Most object keys in one body document, counted across all levels; default 1000.
    #[serde(default = "default_max_keys")]
    pub max_keys: usize,
    /// What to do with a repeated key in a body object; default `reject`.
    #[serde(default)]
    pub duplicate_keys: DuplicateKeys,
    /// Most failing fields listed in one rejection; default 20.
    #[serde(default = "default_max_details")]
    pub max_details: usize,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        Self {
            path: BTreeMap::new(),
            query: BTreeMap::new(),
            headers: BTreeMap::new(),
            additional_query: AdditionalQuery::default(),
            body: None,
            max_body_bytes: default_max_body_bytes(),
            max_depth: default_max_depth(),
            max_keys: default_max_keys(),
            duplicate_keys: DuplicateKeys::default(),
            max_details: default_max_details(),
        }
    }
}

/// One path, query or header parameter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParamConfig {
    /// JSON Schema for the value, inline; default `{}` (any value). Strings are converted to
    /// the schema's `integer`, `number` or `boolean` type before validation.
    #[serde(default = "empty_schema")]
    pub schema: Value,
    /// Whether the parameter must be present; default false (path parameters: always true).
    #[serde(default)]
    pub required: bool,
    /// How an array value is written; default `form` for query, `simple` for path and header.
    #[serde(default)]
    pub style: Option<ParamStyle>,
    /// For `form` arrays: repeated `name=a&name=b` (true, the default) or `name=a,b` (false).
    #[serde(default)]
    pub explode: Option<bool>,
}

/// OpenAPI serialization styles for array parameters (objects are not supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// Comma-separated: `a,b,c` (path and header).
    Simple,
    /// Query form: repeated parameters, or comma-separated when not exploded.
    Form,
    /// Space-separated: `a%20b` (query).
    SpaceDelimited,
    /// Pipe-separated: `a|b` (query).
    PipeDelimited,
}

/// The policy for query parameters that the config does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdditionalQuery {
    /// Let them through unvalidated (the default).
    #[default]
    Allow,
    /// Deny the request with 400.
    Reject,
}

/// Rules for the JSON request body.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BodyConfig {
    /// The JSON Schema, inline (YAML or JSON syntax). Exactly one of this and `schema_file`.
    #[serde(default)]
    pub schema: Option<Value>,
    /// A JSON or YAML file holding the schema, relative to the config file's directory.
    #[serde(default)]
    pub schema_file: Option<PathBuf>,
    /// Accepted media types; default `[application/json]`. Others get 415.
    #[serde(default = "default_content_types")]
    pub content_types: Vec<String>,
    /// Whether an empty body is denied; default true. Set false on routes whose methods
    /// mix requests with and without bodies.
    #[serde(default = "default_true")]
    pub required: bool,
}

fn default_max_body_bytes() -> usize {
    1024 * 1024
}

fn default_max_depth() -> usize {
    64
}

fn default_max_keys() -> usize {
    1000
}

fn default_max_details() -> usize {
    20
}

fn default_content_types() -> Vec<String> {
    vec!["application/json".to_owned()]
}

fn default_true() -> bool {
    true
}

fn empty_schema() -> Value {
    Value::Object(serde_json::Map::new())
}
