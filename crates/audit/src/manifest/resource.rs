//! A Kubernetes object read from a manifest, with where it came from.

use std::sync::Arc;

use serde::Serialize;

use super::value::{str_at, Value};

/// One Kubernetes object and its source position.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `metadata.name` (empty when absent).
    pub name: String,
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
    /// The file as given (relative when the path was), or `-` for stdin.
    pub file: Arc<str>,
    /// 1-based line where the object starts.
    pub line: usize,
    /// The whole object.
    pub body: Value,
}

/// How a finding names its resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    /// Object kind.
    pub kind: String,
    /// Namespace, `null` when the manifest sets none.
    pub namespace: Option<String>,
    /// Object name.
    pub name: String,
}

impl Resource {
    /// Builds a resource from a parsed object; `None` when it is not a mapping with a kind.
    pub fn from_value(body: Value, file: Arc<str>) -> Option<Resource> {
        let kind = body.get("kind")?.as_str()?.to_string();
        let line = body.line()?;
        Some(Resource {
            kind,
            api_version: str_at(&body, &["apiVersion"]).to_string(),
            name: str_at(&body, &["metadata", "name"]).to_string(),
            namespace: body
                .path(&["metadata", "namespace"])
                .and_then(Value::as_str)
                .map(String::from),
            file,
            line,
            body,
        })
    }

    /// The namespace checks group by: the one set, or `default`.
    pub fn effective_namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// The API group of `apiVersion` (`""` for the core group).
    pub fn api_group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(group, _)| group)
    }

    /// An annotation on the object itself.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.body.path(&["metadata", "annotations"])?.get(key)?.as_str()
    }

    /// The reference printed with findings.
    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    /// `Kind namespace/name` for text output.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}
