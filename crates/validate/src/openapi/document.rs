//! Reading an OpenAPI document: version, operations, local `$ref`s and schema preparation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use http::Method;
use serde_json::{Map, Value};

use super::dialect::upgrade_30;
use super::OpenApiError;
use crate::rejection::push_segment;

/// Most `$ref` hops followed for one parameter or request body.
const MAX_REF_HOPS: usize = 8;

/// The dialect every prepared schema is compiled as.
const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The methods an OpenAPI path item may declare, in document order.
const METHODS: [(&str, Method); 8] = [
    ("get", Method::GET),
    ("put", Method::PUT),
    ("post", Method::POST),
    ("delete", Method::DELETE),
    ("options", Method::OPTIONS),
    ("head", Method::HEAD),
    ("patch", Method::PATCH),
    ("trace", Method::TRACE),
];

/// OpenAPI major.minor versions with different schema dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// 3.0.x: schema objects are a draft-04-like dialect.
    V30,
    /// 3.1.x: schema objects are JSON Schema 2020-12.
    V31,
}

/// A parsed document.
pub(crate) struct Document {
    pub(crate) path: PathBuf,
    root: Value,
    version: Version,
}

/// One operation found under `paths`.
pub(crate) struct FoundOperation<'a> {
    pub(crate) template: String,
    pub(crate) method: Method,
    pub(crate) operation_id: Option<String>,
    /// Pointer of the path item, e.g. `/paths/~1items~1{id}`.
    pub(crate) path_pointer: String,
    /// Pointer of the operation object.
    pub(crate) op_pointer: String,
    pub(crate) path_item: &'a Value,
    pub(crate) op: &'a Value,
}

impl Document {
    /// Reads and parses `path` (JSON for `.json`, YAML otherwise) and checks the version.
    pub(crate) fn read(path: &Path) -> Result<Self, OpenApiError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| OpenApiError::Read { path: path.into(), source })?;
        let parsed = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::from_str(&text).map_err(|e| e.to_string()),
            _ => serde_yaml_ng::from_str(&text).map_err(|e| e.to_string()),
        };
        let root: Value =
            parsed.map_err(|message| OpenApiError::Parse { path: path.into(), message })?;

        let found = root.get("openapi").and_then(Value::as_str).unwrap_or_default();
        let version = match found {
            v if v.starts_with("3.0.") => Version::V30,
            v if v.starts_with("3.1.") => Version::V31,
            _ => return Err(OpenApiError::Version { path: path.into(), found: found.into() }),
        };
        Ok(Self { path: path.into(), root, version })
    }

    /// Every operation under `paths`, in document order.
    pub(crate) fn operations(&self) -> Result<Vec<FoundOperation<'_>>, OpenApiError> {
        let Some(paths) = self.root.get("paths") else { return Ok(Vec::new()) };
        let paths = paths.as_object().ok_or_else(|| self.invalid("/paths", "must be an object"))?;

        let mut found = Vec::new();
        for (template, item) in paths {
            let mut path_pointer = "/paths".to_owned();
            push_segment(&mut path_pointer, template);
            let (item, _) = self.resolve(item, &path_pointer)?;
            for (key, method) in &METHODS {
                let Some(op) = item.get(*key) else { continue };
                let operation_id = op.get("operationId").and_then(Value::as_str).map(String::from);
                found.push(FoundOperation {
                    template: template.clone(),
                    method: method.clone(),
                    operation_id,
                    op_pointer: format!("{path_pointer}/{key}"),
                    path_pointer: path_pointer.clone(),
                    path_item: item,
                    op,
                });
            }
        }
        Ok(found)
    }

    /// Follows local `$ref`s from `value` (found at `pointer`) to the object they name.
    pub(crate) fn resolve<'a>(
        &'a self,
        mut value: &'a Value,
        pointer: &str,
    ) -> Result<(&'a Value, String), OpenApiError> {
        let mut at = pointer.to_owned();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((value, at));
            };
            let target = local_pointer(reference)
                .ok_or_else(|| self.invalid(&at, &format!("unsupported $ref {reference:?}")))?;
            value = self
                .root
                .pointer(target)
                .ok_or_else(|| self.invalid(&at, &format!("$ref {reference:?} not found")))?;
            at = target.to_owned();
        }
        Err(self.invalid(&at, "$ref chain too long"))
    }

    /// Prepares a schema object for compiling: upgraded from 3.0 if needed, marked 2020-12,
    /// with the component schemas it references embedded at their document pointers.
    pub(crate) fn schema_root(&self, schema: &Value, pointer: &str) -> Result<Value, OpenApiError> {
        let mut root = self.upgrade(schema);
        let components = self.referenced_components(&root, pointer)?;
        if let Value::Object(map) = &mut root {
            map.entry("$schema").or_insert_with(|| DRAFT_2020_12.into());
            if !components.is_empty() {
                let schemas = Value::Object(components.into_iter().collect());
                let wrapper = Map::from_iter([("schemas".to_owned(), schemas)]);
                map.insert("components".to_owned(), Value::Object(wrapper));
            }
        }
        Ok(root)
    }

    fn upgrade(&self, schema: &Value) -> Value {
        match self.version {
            Version::V30 => upgrade_30(schema),
            Version::V31 => schema.clone(),
        }
    }

    /// The transitive closure of `#/components/schemas/NAME` references from `schema`.
    fn referenced_components(
        &self,
        schema: &Value,
        pointer: &str,
    ) -> Result<BTreeMap<String, Value>, OpenApiError> {
        let mut found = BTreeMap::new();
        let mut pending = Vec::new();
        collect_refs(schema, &mut pending);
        while let Some(reference) = pending.pop() {
            let Some(name) = component_name(&reference, pointer, self)? else { continue };
            if found.contains_key(&name) {
                continue;
            }
            let component = self
                .root
                .pointer(&component_pointer(&name))
                .ok_or_else(|| self.invalid(pointer, &format!("$ref {reference:?} not found")))?;
            let upgraded = self.upgrade(component);
            collect_refs(&upgraded, &mut pending);
            found.insert(name, upgraded);
        }
        Ok(found)
    }

    /// An error at `pointer` in this document.
    pub(crate) fn invalid(&self, pointer: &str, message: &str) -> OpenApiError {
        OpenApiError::Invalid {
            path: self.path.clone(),
            pointer: pointer.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// The pointer part of `#/a/b`; `None` for references to other documents.
fn local_pointer(reference: &str) -> Option<&str> {
    reference.strip_prefix('#').filter(|p| p.is_empty() || p.starts_with('/'))
}

/// The component named by a schema reference; `None` for other local references (resolved by
/// the schema compiler), an error for references outside the document.
fn component_name(
    reference: &str,
    pointer: &str,
    doc: &Document,
) -> Result<Option<String>, OpenApiError> {
    let Some(local) = local_pointer(reference) else {
        let message = format!("$ref {reference:?} points outside the document (not supported)");
        return Err(doc.invalid(pointer, &message));
    };
    let Some(rest) = local.strip_prefix("/components/schemas/") else { return Ok(None) };
    let segment = rest.split('/').next().unwrap_or_default();
    Ok(Some(segment.replace("~1", "/").replace("~0", "~")))
}

fn component_pointer(name: &str) -> String {
    let mut pointer = "/components/schemas".to_owned();
    push_segment(&mut pointer, name);
    pointer
}

/// Pushes every `$ref` string found anywhere in `value`.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push(reference.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
