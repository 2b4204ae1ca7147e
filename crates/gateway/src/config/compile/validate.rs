//! Compilation of a route's `validate:` or `openapi:` section into its validate stage.

use std::path::Path;
use std::sync::Arc;

use rampart_validate::{OpenApiDocument, RequestValidator};

use super::invalid;
use crate::config::model::{RouteConfig, RouteOpenApiConfig};
use crate::config::ConfigError;
use crate::pipeline::validate::{OpenApiStage, ValidateStage};
use crate::pipeline::Stage;

/// The route's validate stage, if it has `validate:` or `openapi:` (not both).
pub(super) fn compile_stage(
    route: &RouteConfig,
    file: &Path,
    at: &str,
) -> Result<Option<Arc<dyn Stage>>, ConfigError> {
    let base_dir = file.parent().unwrap_or(Path::new("."));
    match (&route.validate, &route.openapi) {
        (Some(_), Some(_)) => Err(invalid(
            file,
            format!("{at}.openapi"),
            "write either `validate:` or `openapi:` on a route, not both",
        )),
        (Some(config), None) => {
            let validator = RequestValidator::compile(config, base_dir)
                .map_err(|error| invalid(file, format!("{at}.validate"), error.to_string()))?;
            Ok(Some(Arc::new(ValidateStage::new(validator))))
        }
        (None, Some(openapi)) => compile_openapi(openapi, base_dir, file, at).map(Some),
        (None, None) => Ok(None),
    }
}

fn compile_openapi(
    openapi: &RouteOpenApiConfig,
    base_dir: &Path,
    file: &Path,
    at: &str,
) -> Result<Arc<dyn Stage>, ConfigError> {
    if !openapi.base_path.is_empty() && !openapi.base_path.starts_with('/') {
        let message = format!("`{}` must be empty or start with `/`", openapi.base_path);
        return Err(invalid(file, format!("{at}.openapi.base_path"), message));
    }
    let limits = [
        ("max_body_bytes", openapi.max_body_bytes),
        ("max_depth", openapi.max_depth),
        ("max_keys", openapi.max_keys),
        ("max_details", openapi.max_details),
    ];
    if let Some((field, _)) = limits.iter().find(|(_, value)| *value == 0) {
        let message = "must be at least 1";
        return Err(invalid(file, format!("{at}.openapi.{field}"), message));
    }
    let document = base_dir.join(&openapi.file);
    let routes = OpenApiDocument::load_with(&document, openapi.strict, &openapi.limits())
        .map_err(|error| invalid(file, format!("{at}.openapi.file"), error.to_string()))?;
    Ok(Arc::new(OpenApiStage::new(Arc::new(routes), &openapi.base_path)))
}
