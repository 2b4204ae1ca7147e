//! Compiling JSON Schemas once, and turning their validation errors into details.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{PatternOptions, ValidationError, Validator};
use serde_json::Value;

use crate::error::ValidationConfigError;
use crate::rejection::{looks_secret, preview, push_segment, DetailList, Location};

/// A schema to compile and where it came from, for error messages.
pub(crate) struct SchemaSource<'a> {
    /// The schema document.
    pub value: &'a Value,
    /// A file path or the config key holding the schema.
    pub origin: &'a str,
    /// Pointer of the schema inside `origin`, prefixed to the compiler's pointers.
    pub base_pointer: &'a str,
}

/// Compiles a schema: draft from `$schema` (default 2020-12), formats enforced, patterns run by
/// the linear-time `regex` engine, and no reference fetched from outside the document.
pub(crate) fn compile(source: &SchemaSource<'_>) -> Result<Validator, ValidationConfigError> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_pattern_options(PatternOptions::regex())
        .offline()
        .build(source.value)
        .map_err(|e| invalid_schema(source, &e))
}

fn invalid_schema(source: &SchemaSource<'_>, error: &ValidationError<'_>) -> ValidationConfigError {
    let inner = error.instance_path().as_str();
    let pointer = match inner.starts_with("/components/") {
        // OpenAPI components are embedded at their document pointer; report it as is.
        true if !source.base_pointer.is_empty() => inner.to_owned(),
        _ => format!("{}{inner}", source.base_pointer),
    };
    ValidationConfigError::InvalidSchema {
        origin: source.origin.to_owned(),
        pointer,
        message: error.masked_with("the schema value").to_string(),
    }
}

/// Validates `instance`, adding one detail per failing field to `details`.
pub(crate) fn check(
    validator: &Validator,
    instance: &Value,
    location: Location,
    prefix: &str,
    details: &mut DetailList,
) {
    if validator.is_valid(instance) {
        return;
    }
    for error in validator.iter_errors(instance) {
        if details.is_full() {
            details.mark_more();
            break;
        }
        add_error(&error, location, prefix, details);
    }
}

fn add_error(error: &ValidationError<'_>, location: Location, prefix: &str, out: &mut DetailList) {
    let mut pointer = format!("{prefix}{}", error.instance_path().as_str());
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            push_segment(&mut pointer, property.as_str().unwrap_or_default());
            out.push(location, &pointer, "required property is missing".to_owned());
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for name in unexpected {
                let mut field = pointer.clone();
                push_segment(&mut field, name);
                out.push(location, &field, "property is not allowed".to_owned());
            }
        }
        _ => {
            let message = message(error, &pointer);
            out.push(location, &pointer, message);
        }
    }
}

/// A message for one failing keyword, echoing at most a short prefix of the value.
fn message(error: &ValidationError<'_>, pointer: &str) -> String {
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            format!("expected {}, got {}", expected_types(kind), json_type(error.instance()))
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("must be at least {limit} character{} long", plural(*limit))
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("must be at most {limit} character{} long", plural(*limit))
        }
        ValidationErrorKind::Minimum { limit } => format!("must be >= {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be <= {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be > {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be < {limit}"),
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("must be a multiple of {multiple_of}")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{} does not match the pattern {pattern}", echo(error.instance(), pointer))
        }
        ValidationErrorKind::Format { format } => {
            format!("{} is not a valid {format}", echo(error.instance(), pointer))
        }
        ValidationErrorKind::Enum { options } => {
            format!("must be one of {}", cut(&options.to_string()))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("must equal {}", cut(&expected_value.to_string()))
        }
        ValidationErrorKind::FalseSchema
            if error.schema_path().as_str().ends_with("/additionalProperties") =>
        {
            "object must have no properties".to_owned()
        }
        _ => other_message(error.kind()),
    }
}

fn other_message(kind: &ValidationErrorKind) -> String {
    match kind {
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("must have at most {limit} items"),
        ValidationErrorKind::AdditionalItems { limit } => {
            format!("must have at most {limit} items")
        }
        ValidationErrorKind::UniqueItems => "items must be unique".to_owned(),
        ValidationErrorKind::Contains => "no item matches the required schema".to_owned(),
        ValidationErrorKind::MinProperties { limit } => {
            format!("must have at least {limit} properties")
        }
        ValidationErrorKind::MaxProperties { limit } => {
            format!("must have at most {limit} properties")
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            "does not match any of the allowed schemas".to_owned()
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the exclusive schemas".to_owned()
        }
        ValidationErrorKind::Not { .. } => "matches a schema it must not match".to_owned(),
        ValidationErrorKind::FalseSchema => "is not allowed".to_owned(),
        ValidationErrorKind::PropertyNames { .. } => {
            "has a property name that is not allowed".into()
        }
        ValidationErrorKind::UnevaluatedItems { .. } => "has items that are not allowed".to_owned(),
        other => format!("fails the {} rule", other.keyword()),
    }
}

fn expected_types(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => t.to_string(),
        TypeKind::Multiple(set) => {
            let names: Vec<String> = set.iter().map(|t| t.to_string()).collect();
            format!("one of {}", names.join(", "))
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The value's prefix for a message, or just "value" when the field looks like a secret.
fn echo(value: &Value, pointer: &str) -> String {
    match value {
        Value::String(s) if !pointer.split('/').any(looks_secret) => preview(s),
        _ => "value".to_owned(),
    }
}

/// Schema text (enum options, constants) cut to a readable length.
fn cut(text: &str) -> String {
    match text.char_indices().nth(64) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", text.get(..end).unwrap_or_default()),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
