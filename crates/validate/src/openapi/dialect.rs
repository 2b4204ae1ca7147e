//! OpenAPI 3.0 schema objects rewritten as JSON Schema 2020-12.
//!
//! 3.0 schemas differ from 2020-12 in three ways that change validation: `nullable: true`
//! (2020-12 spells it as a `null` type), boolean `exclusiveMinimum`/`exclusiveMaximum` that
//! modify `minimum`/`maximum`, and `$ref` whose sibling keywords are ignored. Annotations such as
//! `example`, `discriminator` and `xml` are left alone; 2020-12 ignores unknown keywords.

use serde_json::{Map, Value};

/// Keywords whose value is a map of schemas.
const SCHEMA_MAPS: [&str; 3] = ["properties", "patternProperties", "$defs"];
/// Keywords whose value is a schema.
const SCHEMA_VALUES: [&str; 4] = ["items", "additionalProperties", "not", "propertyNames"];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Rewrites a 3.0 schema object (and its subschemas) as 2020-12.
pub(crate) fn upgrade_30(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    if let Some(reference) = object.get("$ref") {
        let mut only_ref = Map::new();
        only_ref.insert("$ref".to_owned(), reference.clone());
        return Value::Object(only_ref);
    }

    let mut out = Map::with_capacity(object.len());
    for (key, value) in object {
        out.insert(key.clone(), upgrade_child(key, value));
    }
    exclusive_bound(&mut out, "exclusiveMinimum", "minimum");
    exclusive_bound(&mut out, "exclusiveMaximum", "maximum");
    nullable(out)
}

fn upgrade_child(key: &str, value: &Value) -> Value {
    if SCHEMA_VALUES.contains(&key) {
        return upgrade_30(value);
    }
    match value {
        Value::Object(map) if SCHEMA_MAPS.contains(&key) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), upgrade_30(v))).collect())
        }
        Value::Array(list) if SCHEMA_LISTS.contains(&key) => {
            Value::Array(list.iter().map(upgrade_30).collect())
        }
        other => other.clone(),
    }
}

/// `exclusiveMinimum: true, minimum: 5` becomes `exclusiveMinimum: 5`; `false` is dropped.
fn exclusive_bound(schema: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    match schema.get(exclusive) {
        Some(Value::Bool(true)) => {
            if let Some(limit) = schema.remove(inclusive) {
                schema.insert(exclusive.to_owned(), limit);
            } else {
                schema.remove(exclusive);
            }
        }
        Some(Value::Bool(false)) => {
            schema.remove(exclusive);
        }
        _ => {}
    }
}

/// `nullable: true` adds `null` to `type` (and to `enum`), or wraps an untyped schema.
fn nullable(mut schema: Map<String, Value>) -> Value {
    if schema.remove("nullable") != Some(Value::Bool(true)) {
        return Value::Object(schema);
    }
    if let Some(Value::Array(options)) = schema.get_mut("enum") {
        if !options.contains(&Value::Null) {
            options.push(Value::Null);
        }
    }

    match schema.get("type").cloned() {
        Some(Value::String(t)) => {
            schema.insert("type".to_owned(), Value::Array(vec![t.into(), "null".into()]));
            Value::Object(schema)
        }
        _ => {
            let null = Value::Object(Map::from_iter([("type".to_owned(), "null".into())]));
            let any_of = Value::Array(vec![null, Value::Object(schema)]);
            Value::Object(Map::from_iter([("anyOf".to_owned(), any_of)]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_becomes_a_null_type() {
        let got = upgrade_30(&json!({"type": "string", "nullable": true, "enum": ["a"]}));
        assert_eq!(got, json!({"type": ["string", "null"], "enum": ["a", null]}));
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        let got = upgrade_30(&json!({"minimum": 0, "exclusiveMinimum": true,
            "maximum": 9, "exclusiveMaximum": false}));
        assert_eq!(got, json!({"exclusiveMinimum": 0, "maximum": 9}));
    }

    #[test]
    fn ref_siblings_are_dropped_and_children_upgraded() {
        let got = upgrade_30(&json!({"properties": {
            "a": {"$ref": "#/components/schemas/A", "description": "x"},
            "b": {"items": {"nullable": true}}}}));
        assert_eq!(
            got,
            json!({"properties": {"a": {"$ref": "#/components/schemas/A"},
            "b": {"items": {"anyOf": [{"type": "null"}, {}]}}}})
        );
    }
}
