//! What JSON types a parameter's schema admits, so string values can be converted first.
//!
//! Query, path and header values arrive as strings; `?limit=10` must meet `type: integer`.
//! The shape is worked out once at compile time from `type`, `enum`, `const`, `items`, local
//! `$ref`s and the `allOf`/`anyOf`/`oneOf` branches.

use serde_json::Value;

/// Most `$ref` hops and branch levels followed while inferring a shape.
const MAX_HOPS: usize = 16;

/// Scalar types a value may be converted to; a string stays a string when none fits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Types {
    integer: bool,
    number: bool,
    boolean: bool,
}

/// A parameter's shape: one scalar, or an array of scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A single value.
    Scalar(Types),
    /// A list of values, split according to the parameter's style.
    Array(Types),
}

impl Shape {
    /// Infers the shape of `schema`, resolving `#/...` references against the schema itself.
    pub(crate) fn of(schema: &Value) -> Self {
        let mut found = Found::default();
        found.visit(schema, schema, 0);
        if !found.array {
            return Shape::Scalar(found.types);
        }

        let mut items = Found::default();
        if let Some(item_schema) = found.items {
            items.visit(item_schema, schema, 0);
        }
        Shape::Array(items.types)
    }
}

/// Types collected while walking a schema.
#[derive(Default)]
struct Found<'a> {
    types: Types,
    array: bool,
    items: Option<&'a Value>,
}

impl<'a> Found<'a> {
    fn visit(&mut self, schema: &'a Value, root: &'a Value, depth: usize) {
        if depth > MAX_HOPS {
            return;
        }
        if let Some(target) = local_ref(schema, root) {
            self.visit(target, root, depth + 1);
        }

        match schema.get("type") {
            Some(Value::String(t)) => self.add_type(t),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).for_each(|t| {
                self.add_type(t);
            }),
            _ => {}
        }
        for value in schema.get("enum").and_then(Value::as_array).into_iter().flatten() {
            self.add_value(value);
        }
        if let Some(value) = schema.get("const") {
            self.add_value(value);
        }
        if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
            self.items = Some(items);
        }

        for keyword in ["allOf", "anyOf", "oneOf"] {
            for branch in schema.get(keyword).and_then(Value::as_array).into_iter().flatten() {
                self.visit(branch, root, depth + 1);
            }
        }
    }

    fn add_type(&mut self, name: &str) {
        match name {
            "integer" => self.types.integer = true,
            "number" => self.types.number = true,
            "boolean" => self.types.boolean = true,
            "array" => self.array = true,
            _ => {}
        }
    }

    fn add_value(&mut self, value: &Value) {
        match value {
            Value::Number(n) if n.is_f64() => self.types.number = true,
            Value::Number(_) => self.types.integer = true,
            Value::Bool(_) => self.types.boolean = true,
            _ => {}
        }
    }
}

/// The target of a `$ref` of the form `#/json/pointer` inside `root`.
fn local_ref<'a>(schema: &Value, root: &'a Value) -> Option<&'a Value> {
    let reference = schema.get("$ref")?.as_str()?;
    root.pointer(reference.strip_prefix('#')?)
}

/// Converts a string to the first of integer, number, boolean that it spells; else a string.
pub(crate) fn coerce(text: &str, types: Types) -> Value {
    if types.integer || types.number {
        if let Ok(n) = text.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Ok(n) = text.parse::<u64>() {
            return Value::Number(n.into());
        }
    }
    if types.number && looks_numeric(text) {
        if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    match (types.boolean, text) {
        (true, "true") => Value::Bool(true),
        (true, "false") => Value::Bool(false),
        _ => Value::String(text.to_owned()),
    }
}

/// True for decimal number text (rules out `inf`, `NaN` and other words `f64` accepts).
fn looks_numeric(text: &str) -> bool {
    let digits = text.bytes().any(|b| b.is_ascii_digit());
    digits && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_follow_type_refs_and_items() {
        let int = Shape::of(&json!({"type": "integer"}));
        assert_eq!(coerce("42", types(int)), json!(42));

        let via_ref = json!({"$ref": "#/$defs/n", "$defs": {"n": {"type": "number"}}});
        assert_eq!(coerce("1.5", types(Shape::of(&via_ref))), json!(1.5));

        let arr = Shape::of(&json!({"type": "array", "items": {"type": "boolean"}}));
        assert!(matches!(arr, Shape::Array(t) if coerce("true", t) == json!(true)));
    }

    #[test]
    fn unconvertible_text_stays_a_string() {
        let t = types(Shape::of(&json!({"type": ["number", "null"]})));
        assert_eq!(coerce("inf", t), json!("inf"));
        assert_eq!(coerce("12abc", t), json!("12abc"));
        assert_eq!(coerce("true", t), json!("true"));
    }

    fn types(shape: Shape) -> Types {
        match shape {
            Shape::Scalar(t) | Shape::Array(t) => t,
        }
    }
}
