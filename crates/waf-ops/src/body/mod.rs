//! Request body processors (URLENCODED, JSON, XML, MULTIPART) with ModSecurity v3 semantics.
//!
//! Each parser takes the whole buffered body and returns what the engine needs to fill its
//! variables (`ARGS_POST`, `FILES`, `XML`, `MULTIPART_*`, `REQBODY_ERROR`). Every count and
//! size an attacker controls is capped by the limits passed in.

mod error;
mod json;
mod multipart;
mod urlencoded;
mod xml;

pub use error::BodyError;
pub use json::{parse_json, parse_json_partial, JsonBody, JsonLimits};
pub use multipart::{parse_multipart, Multipart, MultipartFile, MultipartFlags, MultipartLimits};
pub use urlencoded::{parse_urlencoded, UrlEncoded};
pub use xml::{parse_xml, XmlContent, XmlLimits};
