//! Request validation for rampart: JSON Schema and OpenAPI rules for path, query, header and
//! JSON body, compiled once at config load and checked on the hot path without parsing schemas.
//!
//! The gateway compiles a route's `validate:` section ([`ValidationConfig`]) into a
//! [`RequestValidator`], calls [`RequestValidator::validate_head`] on every request, and when
//! [`RequestValidator::wants_body`] is true buffers the body and calls
//! [`RequestValidator::validate_body`]. A [`Rejection`] carries the status (400, 413 or 415)
//! and one [`Detail`] per failing field. [`OpenApiDocument::load`] turns an OpenAPI 3.0 or 3.1
//! document into one validator per operation plus a path matcher for strict mode.
//!
//! Bodies are read by [`read_json`], a non-recursive reader with depth, key-count and
//! duplicate-key limits; see `docs/validation.md` for the config reference.
//!
//! Not supported yet (each listed in `docs/validation.md` under "Known gaps"): object-valued
//! parameters (`deepObject`), `matrix`/`label` styles, parameters described by `content`,
//! OpenAPI `servers` base paths, and validation of non-JSON bodies.

mod body;
mod config;
mod error;
mod json_reader;
mod media;
mod openapi;
mod params;
mod query;
mod rejection;
mod schema;
mod shape;
mod validator;

pub use config::{AdditionalQuery, BodyConfig, ParamConfig, ParamStyle, ValidationConfig};
pub use error::ValidationConfigError;
pub use json_reader::{read_json, DuplicateKeys, JsonError, JsonLimits};
pub use openapi::{OpenApiDocument, OpenApiError, OpenApiMatch, OpenApiOperation, OpenApiRoutes};
pub use rejection::{Detail, Location, Rejection};
pub use validator::{RequestHead, RequestValidator, MAX_DEPTH_LIMIT};
