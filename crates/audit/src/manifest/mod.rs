//! Reading manifests: YAML and JSON parsing with positions and limits, resources, pod specs.

pub mod load;
pub mod parse;
pub mod resource;
pub mod value;
pub mod workload;

pub use load::{load_paths, load_str, InputProblem, Loaded};
pub use parse::{Limits, ParseError};
pub use resource::{Resource, ResourceRef};
pub use value::Value;
pub use workload::{Container, PodView, WORKLOAD_KINDS};
