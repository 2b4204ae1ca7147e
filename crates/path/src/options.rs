//! Options that choose how [`crate::normalize_path`] treats ambiguous input.

use serde::Deserialize;

/// How the path normalizer treats constructs that upstreams interpret differently.
///
/// The default fails closed: encoded slashes and path parameters are rejected and repeated
/// slashes are merged. In YAML (`snake_case`, unknown fields denied):
///
/// ```yaml
/// encoded_slashes: reject     # or keep_opaque
/// path_parameters: reject     # or strip
/// merge_slashes: true
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PathOptions {
    /// What to do with `%2F`, `%5C` and a literal `\`. Default: reject.
    pub encoded_slashes: EncodedSlashes,
    /// What to do with `;` path parameters. Default: reject.
    pub path_parameters: PathParameters,
    /// Merge runs of `/` into one. Default: true.
    pub merge_slashes: bool,
}

impl Default for PathOptions {
    fn default() -> Self {
        Self {
            encoded_slashes: EncodedSlashes::Reject,
            path_parameters: PathParameters::Reject,
            merge_slashes: true,
        }
    }
}

/// Treatment of encoded slashes and backslashes (`%2F`, `%5C`, and a literal `\`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodedSlashes {
    /// Reject the request (400). The safe default.
    Reject,
    /// Keep them as the opaque escapes `%2F` and `%5C` inside one segment; never a separator.
    /// A literal `\` becomes `%5C`.
    KeepOpaque,
}

/// Treatment of `;` path parameters (`/a;jsessionid=1/b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathParameters {
    /// Reject the request (400). The safe default.
    Reject,
    /// Strip each segment from its first `;` on, before dot segments are resolved, so that
    /// `/public/..;/internal` normalizes to `/internal` as a servlet container would read it.
    Strip,
}
