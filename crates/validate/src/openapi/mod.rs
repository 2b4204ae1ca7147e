//! OpenAPI 3.0 and 3.1 import: one [`RequestValidator`] per operation, and a path matcher so
//! the gateway can deny what the document does not describe (strict mode).

mod dialect;
mod document;
mod operation;
mod router;

use std::path::{Path, PathBuf};

use http::Method;

use crate::config::ValidationConfig;
use crate::error::ValidationConfigError;
use crate::validator::RequestValidator;
use router::{Lookup, Router};

/// Entry point for reading OpenAPI documents.
#[derive(Debug)]
pub struct OpenApiDocument;

impl OpenApiDocument {
    /// Loads a YAML or JSON OpenAPI 3.0/3.1 document with the default limits of
    /// [`ValidationConfig`]. With `strict`, undeclared query parameters are denied and the
    /// gateway should answer 404/405 for what [`OpenApiRoutes::find`] does not find.
    pub fn load(path: &Path, strict: bool) -> Result<OpenApiRoutes, OpenApiError> {
        Self::load_with(path, strict, &ValidationConfig::default())
    }

    /// Like [`OpenApiDocument::load`], taking body limits (`max_body_bytes`, `max_depth`,
    /// `max_keys`, `duplicate_keys`, `max_details`) from `limits`; its other fields are ignored.
    pub fn load_with(
        path: &Path,
        strict: bool,
        limits: &ValidationConfig,
    ) -> Result<OpenApiRoutes, OpenApiError> {
        if limits.max_depth > crate::validator::MAX_DEPTH_LIMIT || limits.max_depth == 0 {
            let message =
                format!("max_depth must be between 1 and {}", crate::validator::MAX_DEPTH_LIMIT);
            let (path, pointer) = (path.to_owned(), String::new());
            return Err(OpenApiError::Invalid { path, pointer, message });
        }
        let doc = document::Document::read(path)?;
        let mut operations = Vec::new();
        let mut router = Router::default();
        for found in doc.operations()? {
            let validator = operation::build(&doc, &found, strict, limits)?;
            router
                .add(&found.template, found.method.clone(), operations.len())
                .ok_or_else(|| doc.invalid(&found.path_pointer, "malformed path template"))?;
            operations.push(OpenApiOperation {
                method: found.method,
                path_template: found.template,
                operation_id: found.operation_id,
                validator,
            });
        }
        router.finish();
        Ok(OpenApiRoutes { operations, router, strict, source: path.to_owned() })
    }
}

/// One operation of the document: a method on a path template, with its compiled rules.
#[derive(Debug)]
pub struct OpenApiOperation {
    /// The HTTP method.
    pub method: Method,
    /// The path template as written in the document, e.g. `/items/{id}`.
    pub path_template: String,
    /// The document's `operationId`, if any.
    pub operation_id: Option<String>,
    /// The operation's parameters and request body, compiled.
    pub validator: RequestValidator,
}

/// All operations of a document and the matcher over their paths.
#[derive(Debug)]
pub struct OpenApiRoutes {
    operations: Vec<OpenApiOperation>,
    router: Router,
    strict: bool,
    source: PathBuf,
}

/// What [`OpenApiRoutes::find`] found for a request.
#[derive(Debug)]
pub enum OpenApiMatch<'a> {
    /// The operation, and its path parameters percent-decoded, in template order.
    Found {
        /// The matched operation.
        op: &'a OpenApiOperation,
        /// (name, decoded value) of each path parameter.
        params: Vec<(&'a str, String)>,
    },
    /// No path template matches: 404 in strict mode.
    NoPath,
    /// A template matches but not with this method: 405 in strict mode, with `Allow`.
    MethodNotAllowed {
        /// The methods the document declares on the path.
        allowed: &'a [Method],
    },
}

impl OpenApiRoutes {
    /// Finds the operation for `method` on `path` (the request path without the query string,
    /// relative to the document's base path).
    pub fn find(&self, method: &Method, path: &str) -> OpenApiMatch<'_> {
        match self.router.lookup(method, path) {
            Lookup::Found(index, params) => match self.operations.get(index) {
                Some(op) => OpenApiMatch::Found { op, params },
                None => OpenApiMatch::NoPath,
            },
            Lookup::NoPath => OpenApiMatch::NoPath,
            Lookup::NoMethod(allowed) => OpenApiMatch::MethodNotAllowed { allowed },
        }
    }

    /// Whether the document was loaded in strict mode.
    pub fn strict(&self) -> bool {
        self.strict
    }

    /// All operations, in document order.
    pub fn operations(&self) -> &[OpenApiOperation] {
        &self.operations
    }

    /// The file the document was read from.
    pub fn source(&self) -> &Path {
        &self.source
    }
}

/// Why an OpenAPI document could not be loaded; each names the file and where in it.
#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    /// The file could not be read.
    #[error("cannot read OpenAPI document {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON or YAML.
    #[error("OpenAPI document {path} is not valid JSON or YAML: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The `openapi` field is missing or not 3.0.x / 3.1.x.
    #[error("{path}: unsupported OpenAPI version {found:?}; expected 3.0.x or 3.1.x")]
    Version {
        /// The file.
        path: PathBuf,
        /// The version found ("" when missing).
        found: String,
    },
    /// The document's structure is not what OpenAPI requires, or uses an unsupported feature.
    #[error("{path} at {pointer}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// JSON pointer of the problem.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// A schema in the document is not a valid JSON Schema.
    #[error("{path} at {pointer}: invalid schema: {message}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// JSON pointer of the problem in the document.
        pointer: String,
        /// What the schema compiler says.
        message: String,
    },
}

impl OpenApiError {
    /// Ties a schema compile error to the document.
    fn from_config(path: &Path, error: ValidationConfigError) -> Self {
        match error {
            ValidationConfigError::InvalidSchema { pointer, message, .. } => {
                Self::Schema { path: path.to_owned(), pointer, message }
            }
            other => Self::Invalid {
                path: path.to_owned(),
                pointer: String::new(),
                message: other.to_string(),
            },
        }
    }
}
