//! JSON body processor: every scalar becomes an argument named as ModSecurity v3 names it.

use super::BodyError;

/// Caps for the JSON processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// Deepest nesting of objects and arrays (SecRequestBodyJsonDepthLimit; ModSecurity's
    /// default is 10000).
    pub max_depth: usize,
    /// Most arguments to produce (what is left of SecArgumentsLimit for this request).
    pub max_args: usize,
}

impl Default for JsonLimits {
    fn default() -> Self {
        JsonLimits { max_depth: 10_000, max_args: 1_000 }
    }
}

/// What the JSON processor produced: the arguments parsed before any error, and the error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonBody {
    /// `(name, value)` pairs in document order.
    pub args: Vec<(String, Vec<u8>)>,
    /// Why parsing stopped early, if it did (the engine sets REQBODY_ERROR).
    pub error: Option<BodyError>,
}

/// Parses a JSON body into arguments; any error discards them (see [`parse_json_partial`] to
/// keep the arguments found before the error, as ModSecurity does).
pub fn parse_json(body: &[u8], limits: &JsonLimits) -> Result<Vec<(String, Vec<u8>)>, BodyError> {
    let parsed = parse_json_partial(body, limits);
    match parsed.error {
        Some(e) => Err(e),
        None => Ok(parsed.args),
    }
}

/// Parses a JSON body, keeping the arguments produced before an error.
pub fn parse_json_partial(body: &[u8], limits: &JsonLimits) -> JsonBody {
    let _ = (body, limits);
    JsonBody {
        args: Vec::new(),
        error: Some(BodyError::Json { reason: "not implemented yet".to_string(), offset: 0 }),
    }
}
