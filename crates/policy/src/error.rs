//! Configuration errors: where in which document, and what is wrong.

use std::path::PathBuf;

use thiserror::Error;

/// A policy configuration that cannot be loaded. Every variant names its origin (a file and
/// document number, or the `policies` list) and, where it applies, the path inside it.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// A value is well-formed YAML but not a valid policy.
    #[error("{origin}: {path}: {problem}")]
    Invalid {
        /// The file and document, or `policies`.
        origin: String,
        /// The path inside the document, e.g. `spec.rules[0].from[0].source.ipBlocks[1]`.
        path: String,
        /// What is wrong.
        problem: Problem,
    },
    /// A field is unknown or has the wrong type.
    #[error("{origin}: {path}: {message}")]
    Schema {
        /// The file and document.
        origin: String,
        /// The path inside the document.
        path: String,
        /// The deserializer's explanation.
        message: String,
    },
    /// The text is not YAML.
    #[error("{origin}: invalid YAML: {message}")]
    Yaml {
        /// The file.
        origin: String,
        /// The parser's explanation, with line and column.
        message: String,
    },
    /// A policy file cannot be read.
    #[error("cannot read policy file `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A policy file exceeds the size limit.
    #[error("policy file `{}` is larger than {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
}

/// What is wrong with one value of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    /// A CIDR block or address does not parse.
    #[error("`{0}` is not a CIDR block or an IP address")]
    InvalidCidr(String),
    /// A port is not a number from 0 to 65535.
    #[error("`{0}` is not a port number (0-65535)")]
    InvalidPort(String),
    /// A `when` key is not one rampart knows.
    #[error("unknown condition key `{0}` (see docs/policy.md for the supported keys)")]
    UnknownKey(String),
    /// A bracketed key has no name or bad brackets.
    #[error("malformed condition key `{0}`: expected a name in brackets, like `{1}[name]`")]
    MalformedKey(String, &'static str),
    /// A header name is not a valid HTTP header name.
    #[error("`{0}` is not a valid header name")]
    InvalidHeaderName(String),
    /// A value is the empty string.
    #[error("empty value")]
    EmptyValue,
    /// A `from` entry has no source or an empty one.
    #[error("a source must set at least one field")]
    EmptySource,
    /// A `to` entry has no operation or an empty one.
    #[error("an operation must set at least one field")]
    EmptyOperation,
    /// A condition has neither `values` nor `notValues`.
    #[error("a condition needs `values` or `notValues`")]
    ConditionWithoutValues,
    /// A path template is malformed.
    #[error(
        "`{0}` is not a valid path template: `{{*}}` and `{{**}}` must fill a segment, and \
             `{{**}}` must be last"
    )]
    InvalidPathTemplate(String),
    /// A path pattern that no normalized path can match, with the form that would.
    #[error("path `{0}` can never match a normalized request path; write `{1}`")]
    UnnormalizedPath(String, String),
    /// A service account without namespace where no policy namespace is known.
    #[error("service account `{0}` needs a namespace: write `NAMESPACE/{0}`")]
    ServiceAccountWithoutNamespace(String),
    /// A CUSTOM policy without provider.
    #[error("CUSTOM policies need a provider")]
    MissingProvider,
    /// A CUSTOM policy names a provider missing from `providers`.
    #[error("no provider named `{0}`; define it under authorization.providers")]
    UnknownProvider(String),
    /// Two providers with one name.
    #[error("duplicate provider name `{0}`")]
    DuplicateProvider(String),
    /// An authorizer URL rampart cannot call.
    #[error("`{0}` is not a usable authorizer URL: {1}")]
    InvalidProviderUrl(String, &'static str),
    /// A timeout that does not parse or is out of range.
    #[error("invalid timeout `{0}`: write 250ms, 2s or 0.5s (from 1ms to 60s)")]
    InvalidTimeout(String),
    /// A `status_on_error` outside 400-599.
    #[error("status_on_error {0} must be a 4xx or 5xx status")]
    InvalidStatusOnError(u16),
    /// A header the gateway sets itself or that is hop-by-hop.
    #[error("header `{0}` cannot be listed: the gateway sets it itself or it is hop-by-hop")]
    ReservedHeader(String),
    /// A provider on a policy that is not CUSTOM.
    #[error("a provider is only allowed on CUSTOM policies")]
    UnexpectedProvider,
    /// An empty policy name.
    #[error("policy name must not be empty")]
    EmptyName,
    /// Two policies with one name.
    #[error("duplicate policy name `{0}`")]
    DuplicateName(String),
    /// A target that names no route.
    #[error("target `{0}` is not a route")]
    UnknownTarget(String),
    /// A target mapped to two workloads.
    #[error("target `{0}` is already mapped to a workload")]
    DuplicateWorkload(String),
    /// An empty target name.
    #[error("target name must not be empty")]
    EmptyTarget,
    /// An `apiVersion` other than `security.istio.io/v1` or `v1beta1`.
    #[error(
        "unsupported apiVersion `{0}`; expected security.istio.io/v1 or \
         security.istio.io/v1beta1"
    )]
    UnsupportedApiVersion(String),
    /// A kind other than AuthorizationPolicy or PeerAuthentication.
    #[error("unsupported kind `{0}`; expected AuthorizationPolicy or PeerAuthentication")]
    UnsupportedKind(String),
    /// `targetRef` or `targetRefs`, which rampart does not map.
    #[error(
        "targetRef and targetRefs are not supported; use spec.selector and map it to \
             targets with istio.workloads"
    )]
    TargetRefUnsupported,
    /// `portLevelMtls` on a PeerAuthentication without selector.
    #[error("portLevelMtls requires a selector, as in Istio")]
    PortLevelWithoutSelector,
}
