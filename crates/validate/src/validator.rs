//! The compiled validation stage of one route: [`RequestValidator`].

use std::path::Path;

use http::{HeaderMap, HeaderName};

use crate::body::{load_body_schema, BodyRule};
use crate::config::{AdditionalQuery, ParamConfig, ValidationConfig};
use crate::error::ValidationConfigError;
use crate::json_reader::JsonLimits;
use crate::params::ParamRule;
use crate::query::{self, Pairs};
use crate::rejection::{push_segment, DetailList, Location, Rejection};
use crate::schema::SchemaSource;

/// The request line and headers the validator looks at, borrowed from the gateway's request.
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a> {
    /// The request method.
    pub method: &'a http::Method,
    /// Path parameters extracted by the route template, values percent-decoded.
    pub path_params: &'a [(&'a str, &'a str)],
    /// The raw query string, without the `?`.
    pub query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
}

/// One route's validation rules, compiled once at config load and shared by all requests.
pub struct RequestValidator {
    pub(crate) path: Vec<ParamRule>,
    pub(crate) query: Vec<ParamRule>,
    pub(crate) headers: Vec<(HeaderName, ParamRule)>,
    pub(crate) additional_query: AdditionalQuery,
    pub(crate) body: Option<BodyRule>,
    pub(crate) limits: JsonLimits,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_details: usize,
}

impl std::fmt::Debug for RequestValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestValidator")
            .field("path", &self.path.iter().map(|p| &p.name).collect::<Vec<_>>())
            .field("query", &self.query.iter().map(|p| &p.name).collect::<Vec<_>>())
            .field("headers", &self.headers.iter().map(|(h, _)| h).collect::<Vec<_>>())
            .field("body", &self.body.is_some())
            .finish_non_exhaustive()
    }
}

impl RequestValidator {
    /// Compiles `config`; `base_dir` resolves `schema_file` paths (the config file's folder).
    pub fn compile(
        config: &ValidationConfig,
        base_dir: &Path,
    ) -> Result<Self, ValidationConfigError> {
        check_limits(config)?;
        let path = compile_params(Location::Path, "path", &config.path)?;
        let query = compile_params(Location::Query, "query", &config.query)?;
        let headers = compile_headers(&config.headers)?;
        let body = match &config.body {
            Some(body) => Some(load_body_schema(body, base_dir)?),
            None => None,
        };
        Ok(Self {
            path,
            query,
            headers,
            additional_query: config.additional_query,
            body,
            limits: limits_of(config),
            max_body_bytes: config.max_body_bytes,
            max_details: config.max_details,
        })
    }

    /// Checks path parameters, query parameters, headers and the content type.
    /// Returns 415 for a content type the body rule does not accept, else 400 with details.
    pub fn validate_head(&self, req: &RequestHead<'_>) -> Result<(), Rejection> {
        if let Some(body) = &self.body {
            body.media.select(req.headers)?;
        }

        let mut details = DetailList::new(self.max_details);
        self.check_path(req.path_params, &mut details);
        self.check_query(req.query.unwrap_or_default(), &mut details);
        self.check_headers(req.headers, &mut details);
        details.into_result()
    }

    /// True when this route validates JSON bodies, so the gateway must buffer the body and
    /// call [`RequestValidator::validate_body`].
    pub fn wants_body(&self) -> bool {
        self.body.as_ref().is_some_and(BodyRule::validates_json)
    }

    /// Like [`RequestValidator::wants_body`] for one request: false when its Content-Type
    /// selects a media type whose bodies are not validated (from OpenAPI, e.g. multipart).
    pub fn wants_body_for(&self, headers: &HeaderMap) -> bool {
        let Some(body) = &self.body else { return false };
        match body.media.select(headers) {
            Ok(Some(media)) => media.json && body.validates_json(),
            Ok(None) | Err(_) => body.validates_json(),
        }
    }

    /// Checks a buffered body: size (413), then JSON well-formedness and limits, then the
    /// schema (400). An empty body passes unless the body rule says it is required.
    pub fn validate_body(&self, body: &[u8]) -> Result<(), Rejection> {
        let Some(rule) = &self.body else { return Ok(()) };
        if body.len() > self.max_body_bytes {
            return Err(Rejection::too_large(body.len(), self.max_body_bytes));
        }

        let mut details = DetailList::new(self.max_details);
        rule.check(body, &self.limits, &mut details);
        details.into_result()
    }

    fn check_path(&self, params: &[(&str, &str)], details: &mut DetailList) {
        for rule in &self.path {
            let found = params.iter().find(|(name, _)| *name == rule.name);
            let occurrences: &[&str] = match found {
                Some((_, value)) => std::slice::from_ref(value),
                None => &[],
            };
            rule.check(occurrences, details);
        }
    }

    fn check_query(&self, raw: &str, details: &mut DetailList) {
        let pairs = match query::parse(raw, self.limits.max_keys) {
            Ok(pairs) => pairs,
            Err(e) => return details.push(Location::Query, "", e.message()),
        };

        for rule in &self.query {
            let values: Vec<&str> =
                pairs.iter().filter(|(n, _)| *n == rule.name).map(|(_, v)| &**v).collect();
            rule.check(&values, details);
        }
        if self.additional_query == AdditionalQuery::Reject {
            self.check_undeclared(&pairs, details);
        }
    }

    fn check_undeclared(&self, pairs: &Pairs<'_>, details: &mut DetailList) {
        for (name, _) in pairs {
            if self.query.iter().any(|rule| rule.name == *name) {
                continue;
            }
            let mut pointer = String::new();
            push_segment(&mut pointer, name);
            details.push(Location::Query, &pointer, "parameter is not allowed".to_owned());
        }
    }

    fn check_headers(&self, headers: &HeaderMap, details: &mut DetailList) {
        for (name, rule) in &self.headers {
            let mut values = Vec::new();
            for value in headers.get_all(name) {
                match value.to_str() {
                    Ok(text) => values.push(text),
                    Err(_) => {
                        let pointer = format!("/{}", rule.name);
                        let message = "header value is not visible ASCII text".to_owned();
                        details.push(Location::Header, &pointer, message);
                        break;
                    }
                }
            }
            rule.check(&values, details);
        }
    }
}

/// Deepest `max_depth` accepted: the reader never recurses, but dropping the tree and
/// validating it against a recursive schema do, once per level.
pub const MAX_DEPTH_LIMIT: usize = 512;

fn check_limits(config: &ValidationConfig) -> Result<(), ValidationConfigError> {
    if config.max_depth > MAX_DEPTH_LIMIT {
        let (value, max) = (config.max_depth, MAX_DEPTH_LIMIT);
        return Err(ValidationConfigError::DepthTooLarge { value, max });
    }
    let limits = [
        ("max_body_bytes", config.max_body_bytes),
        ("max_depth", config.max_depth),
        ("max_keys", config.max_keys),
        ("max_details", config.max_details),
    ];
    match limits.iter().find(|(_, v)| *v == 0) {
        Some((field, _)) => Err(ValidationConfigError::ZeroLimit { field }),
        None => Ok(()),
    }
}

fn limits_of(config: &ValidationConfig) -> JsonLimits {
    JsonLimits {
        max_depth: config.max_depth,
        max_keys: config.max_keys,
        duplicate_keys: config.duplicate_keys,
    }
}

fn compile_params(
    location: Location,
    section: &str,
    params: &std::collections::BTreeMap<String, ParamConfig>,
) -> Result<Vec<ParamRule>, ValidationConfigError> {
    params
        .iter()
        .map(|(name, param)| {
            let origin = format!("validate.{section}.{name}.schema");
            let source = SchemaSource { value: &param.schema, origin: &origin, base_pointer: "" };
            ParamRule::compile(location, name, param, &source)
        })
        .collect()
}

fn compile_headers(
    params: &std::collections::BTreeMap<String, ParamConfig>,
) -> Result<Vec<(HeaderName, ParamRule)>, ValidationConfigError> {
    params
        .iter()
        .map(|(name, param)| {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ValidationConfigError::HeaderName { name: name.clone() })?;
            let origin = format!("validate.headers.{name}.schema");
            let source = SchemaSource { value: &param.schema, origin: &origin, base_pointer: "" };
            let rule = ParamRule::compile(Location::Header, header.as_str(), param, &source)?;
            Ok((header, rule))
        })
        .collect()
}
