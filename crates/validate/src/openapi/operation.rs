//! Compiling one OpenAPI operation's parameters and request body into a [`RequestValidator`].

use http::HeaderName;
use serde_json::Value;

use super::document::{Document, FoundOperation};
use super::OpenApiError;
use crate::body::BodyRule;
use crate::config::{AdditionalQuery, ParamConfig, ParamStyle, ValidationConfig};
use crate::json_reader::JsonLimits;
use crate::media::{is_json, MediaType, MediaTypes};
use crate::params::ParamRule;
use crate::rejection::Location;
use crate::schema::{self, SchemaSource};
use crate::validator::RequestValidator;

/// Header parameters OpenAPI says to ignore: other parts of the document describe them.
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// A parameter object after `$ref` resolution, with its pointer in the document.
struct Param<'a> {
    object: &'a Value,
    pointer: String,
    name: &'a str,
    location: &'a str,
}

/// Builds the validator for one operation.
pub(crate) fn build(
    doc: &Document,
    found: &FoundOperation<'_>,
    strict: bool,
    limits: &ValidationConfig,
) -> Result<RequestValidator, OpenApiError> {
    let mut validator = RequestValidator {
        path: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        additional_query: if strict { AdditionalQuery::Reject } else { AdditionalQuery::Allow },
        body: body_rule(doc, found)?,
        limits: JsonLimits {
            max_depth: limits.max_depth,
            max_keys: limits.max_keys,
            duplicate_keys: limits.duplicate_keys,
        },
        max_body_bytes: limits.max_body_bytes,
        max_details: limits.max_details,
    };
    for param in parameters(doc, found)? {
        add_param(doc, &param, &mut validator)?;
    }
    Ok(validator)
}

/// Path-item parameters, overridden by operation parameters with the same name and location.
fn parameters<'a>(
    doc: &'a Document,
    found: &FoundOperation<'a>,
) -> Result<Vec<Param<'a>>, OpenApiError> {
    let mut params: Vec<Param<'a>> = Vec::new();
    for (owner, base) in [(found.path_item, &found.path_pointer), (found.op, &found.op_pointer)] {
        let Some(list) = owner.get("parameters") else { continue };
        let pointer = format!("{base}/parameters");
        let list = list.as_array().ok_or_else(|| doc.invalid(&pointer, "must be a list"))?;
        for (i, raw) in list.iter().enumerate() {
            let param = param(doc, raw, &format!("{pointer}/{i}"))?;
            params.retain(|p| !(p.name == param.name && p.location == param.location));
            params.push(param);
        }
    }
    Ok(params)
}

fn param<'a>(doc: &'a Document, raw: &'a Value, pointer: &str) -> Result<Param<'a>, OpenApiError> {
    let (object, pointer) = doc.resolve(raw, pointer)?;
    let field = |key: &str| object.get(key).and_then(Value::as_str);
    let name = field("name").ok_or_else(|| doc.invalid(&pointer, "parameter needs a name"))?;
    let location = field("in").ok_or_else(|| doc.invalid(&pointer, "parameter needs `in`"))?;
    Ok(Param { object, pointer, name, location })
}

fn add_param(
    doc: &Document,
    param: &Param<'_>,
    validator: &mut RequestValidator,
) -> Result<(), OpenApiError> {
    let location = match param.location {
        "path" => Location::Path,
        "query" => Location::Query,
        "header" if IGNORED_HEADERS.contains(&param.name.to_ascii_lowercase().as_str()) => {
            return Ok(())
        }
        "header" => Location::Header,
        "cookie" => return Ok(()),
        other => return Err(doc.invalid(&param.pointer, &format!("unknown `in` value {other:?}"))),
    };
    let config = param_config(doc, param)?;
    let origin = doc.path.display().to_string();
    let base_pointer = format!("{}/schema", param.pointer);
    let source =
        SchemaSource { value: &config.schema, origin: &origin, base_pointer: &base_pointer };

    if location == Location::Header {
        let header = HeaderName::from_bytes(param.name.as_bytes())
            .map_err(|_| doc.invalid(&param.pointer, "not a valid header name"))?;
        let rule = ParamRule::compile(location, header.as_str(), &config, &source)
            .map_err(|e| OpenApiError::from_config(&doc.path, e))?;
        validator.headers.push((header, rule));
        return Ok(());
    }
    let rule = ParamRule::compile(location, param.name, &config, &source)
        .map_err(|e| OpenApiError::from_config(&doc.path, e))?;
    match location {
        Location::Path => validator.path.push(rule),
        _ => validator.query.push(rule),
    }
    Ok(())
}

/// The parameter's schema, requiredness and style. A parameter described by `content`
/// instead of `schema` is checked for presence only.
fn param_config(doc: &Document, param: &Param<'_>) -> Result<ParamConfig, OpenApiError> {
    let schema_pointer = format!("{}/schema", param.pointer);
    let schema = match param.object.get("schema") {
        Some(schema) => doc.schema_root(schema, &schema_pointer)?,
        None => Value::Object(serde_json::Map::new()),
    };
    let style = match param.object.get("style").and_then(Value::as_str) {
        None => None,
        Some("simple") => Some(ParamStyle::Simple),
        Some("form") => Some(ParamStyle::Form),
        Some("spaceDelimited") => Some(ParamStyle::SpaceDelimited),
        Some("pipeDelimited") => Some(ParamStyle::PipeDelimited),
        Some(other) => {
            let message = format!("parameter style {other:?} is not supported");
            return Err(doc.invalid(&param.pointer, &message));
        }
    };
    Ok(ParamConfig {
        schema,
        required: param.object.get("required").and_then(Value::as_bool).unwrap_or(false),
        style,
        explode: param.object.get("explode").and_then(Value::as_bool),
    })
}

/// The request body rule: every declared media type is accepted, JSON ones are validated
/// against the first JSON media type's schema.
fn body_rule(doc: &Document, found: &FoundOperation<'_>) -> Result<Option<BodyRule>, OpenApiError> {
    let Some(raw) = found.op.get("requestBody") else { return Ok(None) };
    let (body, pointer) = doc.resolve(raw, &format!("{}/requestBody", found.op_pointer))?;
    let content = body
        .get("content")
        .and_then(Value::as_object)
        .ok_or_else(|| doc.invalid(&pointer, "requestBody needs a `content` map"))?;

    let media = content.keys().map(|t| MediaType::new(t, is_json(t))).collect();
    let json_schema = content.iter().find(|(t, m)| is_json(t) && m.get("schema").is_some());
    let validator = match json_schema {
        Some((media_type, object)) => {
            let mut at = format!("{pointer}/content");
            crate::rejection::push_segment(&mut at, media_type);
            at.push_str("/schema");
            let schema = object.get("schema").unwrap_or(&Value::Null);
            Some(compile_body_schema(doc, schema, &at)?)
        }
        None => None,
    };
    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
    Ok(Some(BodyRule { validator, media: MediaTypes(media), required }))
}

fn compile_body_schema(
    doc: &Document,
    schema: &Value,
    pointer: &str,
) -> Result<jsonschema::Validator, OpenApiError> {
    let root = doc.schema_root(schema, pointer)?;
    let origin = doc.path.display().to_string();
    let source = SchemaSource { value: &root, origin: &origin, base_pointer: pointer };
    schema::compile(&source).map_err(|e| OpenApiError::from_config(&doc.path, e))
}
