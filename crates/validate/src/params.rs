//! Compiled rules for path, query and header parameters, and how their values are checked.

use jsonschema::Validator;
use serde_json::Value;

use crate::config::{ParamConfig, ParamStyle};
use crate::error::ValidationConfigError;
use crate::rejection::{push_segment, DetailList, Location};
use crate::schema::{self, SchemaSource};
use crate::shape::{coerce, Shape};

/// One parameter, ready for the hot path.
pub(crate) struct ParamRule {
    /// The parameter's name (lowercased for headers).
    pub(crate) name: String,
    /// Whether absence is an error.
    pub(crate) required: bool,
    location: Location,
    shape: Shape,
    split: Split,
    validator: Validator,
    /// `/name`, the prefix of every pointer this parameter reports.
    pointer: String,
}

/// How an array value is spread over the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    /// One item per occurrence (`form` exploded).
    Repeat,
    /// Items in one occurrence, separated by this character.
    Delimited(char),
}

impl ParamRule {
    /// Compiles one parameter; `source` names where its schema is for errors.
    pub(crate) fn compile(
        location: Location,
        name: &str,
        config: &ParamConfig,
        source: &SchemaSource<'_>,
    ) -> Result<Self, ValidationConfigError> {
        let validator = schema::compile(source)?;
        let mut pointer = String::new();
        push_segment(&mut pointer, name);
        Ok(Self {
            name: name.to_owned(),
            required: config.required || location == Location::Path,
            location,
            shape: Shape::of(&config.schema),
            split: split_for(location, config.style, config.explode),
            validator,
            pointer,
        })
    }

    /// Checks the parameter's occurrences (empty when absent).
    pub(crate) fn check(&self, occurrences: &[&str], details: &mut DetailList) {
        let value = match (self.shape, occurrences) {
            (_, []) => return self.check_absent(details),
            (Shape::Scalar(types), [one]) => coerce(one, types),
            (Shape::Scalar(_), _) => {
                let message = "parameter is given more than once".to_owned();
                return details.push(self.location, &self.pointer, message);
            }
            (Shape::Array(types), many) => {
                Value::Array(self.items(many).map(|item| coerce(item, types)).collect())
            }
        };
        schema::check(&self.validator, &value, self.location, &self.pointer, details);
    }

    fn check_absent(&self, details: &mut DetailList) {
        if self.required {
            let message = "required parameter is missing".to_owned();
            details.push(self.location, &self.pointer, message);
        }
    }

    /// The array items in the occurrences, per the split style.
    fn items<'a>(&self, occurrences: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
        let split = self.split;
        let trim = self.location == Location::Header;
        occurrences.iter().flat_map(move |occurrence| {
            let parts: Box<dyn Iterator<Item = &str>> = match split {
                Split::Repeat => Box::new(std::iter::once(*occurrence)),
                Split::Delimited(c) => Box::new(occurrence.split(c)),
            };
            parts.map(move |p| if trim { p.trim() } else { p })
        })
    }
}

fn split_for(location: Location, style: Option<ParamStyle>, explode: Option<bool>) -> Split {
    let default_style = match location {
        Location::Query => ParamStyle::Form,
        _ => ParamStyle::Simple,
    };
    match style.unwrap_or(default_style) {
        ParamStyle::Form if explode.unwrap_or(true) => Split::Repeat,
        ParamStyle::Form | ParamStyle::Simple => Split::Delimited(','),
        ParamStyle::SpaceDelimited => Split::Delimited(' '),
        ParamStyle::PipeDelimited => Split::Delimited('|'),
    }
}
