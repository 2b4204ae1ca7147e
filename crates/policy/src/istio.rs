//! Istio YAML documents: `security.istio.io/v1` and `v1beta1` AuthorizationPolicy and
//! PeerAuthentication, one or many per file.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::peer::PeerAuthenticationSpec;
use crate::spec::{Action, RuleSpec};
use crate::{PolicyError, Problem};

/// The API versions rampart reads.
const API_VERSIONS: [&str; 2] = ["security.istio.io/v1", "security.istio.io/v1beta1"];
/// The namespace of a document without one, as `kubectl apply` would use.
const DEFAULT_NAMESPACE: &str = "default";
/// The annotation that marks an AuthorizationPolicy as dry-run.
const DRY_RUN_ANNOTATION: &str = "istio.io/dry-run";

/// The Istio resources read from one or more YAML texts, in document order.
#[derive(Debug, Clone, Default)]
pub struct IstioDocuments {
    /// AuthorizationPolicy resources.
    pub authorization_policies: Vec<IstioResource<AuthorizationPolicySpec>>,
    /// PeerAuthentication resources.
    pub peer_authentications: Vec<IstioResource<PeerAuthenticationSpec>>,
}

/// One Istio resource with its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IstioResource<S> {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, `default` when absent.
    pub namespace: String,
    /// Whether the `istio.io/dry-run` annotation is `"true"`.
    pub dry_run: bool,
    /// The file and document number it came from, for error messages.
    pub origin: String,
    /// The `spec`.
    pub spec: S,
}

/// The `spec` of an AuthorizationPolicy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuthorizationPolicySpec {
    /// Workloads the policy applies to, within its namespace (or all namespaces for the root
    /// namespace); absent means all of them.
    #[serde(default)]
    pub selector: Option<WorkloadSelector>,
    /// Not supported: refused at compile time with a clear error.
    #[serde(default)]
    pub target_ref: Option<Value>,
    /// Not supported: refused at compile time with a clear error.
    #[serde(default)]
    pub target_refs: Option<Value>,
    /// The action. Default: ALLOW.
    #[serde(default)]
    pub action: Action,
    /// The external authorizer of a CUSTOM policy.
    #[serde(default)]
    pub provider: Option<ExtensionProvider>,
    /// The rules; none means the policy matches nothing.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

/// `spec.selector`: the labels a workload must carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadSelector {
    /// Labels that must all be present with these values.
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
}

/// `spec.provider` of a CUSTOM policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionProvider {
    /// The provider's name, which the gateway maps to an external authorizer.
    pub name: String,
}

/// The envelope of every document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Envelope {
    api_version: String,
    kind: String,
    metadata: Metadata,
    #[serde(default)]
    spec: Value,
    #[serde(default, rename = "status")]
    _status: Option<IgnoredAny>,
}

/// The parts of Kubernetes object metadata rampart reads; the others are ignored.
#[derive(Debug, Deserialize)]
struct Metadata {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

impl IstioDocuments {
    /// Parses every document of a YAML text; `origin` (a file name) prefixes error messages.
    /// Empty documents are skipped; any other kind or API version is an error.
    ///
    /// # Errors
    /// [`PolicyError`] naming the document and the path inside it.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let mut documents = Self::default();
        for (index, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
            let origin = format!("{origin} document {}", index + 1);
            let value = Value::deserialize(document).map_err(|e| PolicyError::Yaml {
                origin: origin.clone(),
                message: e.to_string(),
            })?;
            if !value.is_null() {
                documents.add(value, origin)?;
            }
        }
        Ok(documents)
    }

    /// Appends the resources of another text.
    pub fn extend(&mut self, other: Self) {
        self.authorization_policies.extend(other.authorization_policies);
        self.peer_authentications.extend(other.peer_authentications);
    }

    /// Reads one document into the matching list.
    fn add(&mut self, value: Value, origin: String) -> Result<(), PolicyError> {
        let envelope: Envelope = typed(value, &origin, "")?;
        if !API_VERSIONS.contains(&envelope.api_version.as_str()) {
            let problem = Problem::UnsupportedApiVersion(envelope.api_version);
            return Err(invalid(&origin, "apiVersion", problem));
        }

        let spec = match envelope.spec {
            Value::Null => Value::Mapping(serde_yaml_ng::Mapping::new()),
            spec => spec,
        };
        let metadata = envelope.metadata;
        match envelope.kind.as_str() {
            "AuthorizationPolicy" => {
                let spec = typed(spec, &origin, "spec.")?;
                self.authorization_policies.push(resource(metadata, origin, spec));
            }
            "PeerAuthentication" => {
                let spec = typed(spec, &origin, "spec.")?;
                self.peer_authentications.push(resource(metadata, origin, spec));
            }
            _ => return Err(invalid(&origin, "kind", Problem::UnsupportedKind(envelope.kind))),
        }
        Ok(())
    }
}

/// Builds a resource from its metadata and typed spec.
fn resource<S>(metadata: Metadata, origin: String, spec: S) -> IstioResource<S> {
    let dry_run = metadata.annotations.get(DRY_RUN_ANNOTATION).is_some_and(|v| v == "true");
    IstioResource {
        name: metadata.name,
        namespace: metadata.namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
        dry_run,
        origin,
        spec,
    }
}

/// Deserializes a value, reporting the path of a bad field under `prefix`.
fn typed<T: for<'de> Deserialize<'de>>(
    value: Value,
    origin: &str,
    prefix: &str,
) -> Result<T, PolicyError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        PolicyError::Schema {
            origin: origin.to_owned(),
            path: format!("{prefix}{path}").trim_end_matches(['.', '?']).to_owned(),
            message: err.into_inner().to_string(),
        }
    })
}

/// An [`PolicyError::Invalid`] at `path` of the document `origin`.
pub(crate) fn invalid(origin: &str, path: &str, problem: Problem) -> PolicyError {
    PolicyError::Invalid { origin: origin.to_owned(), path: path.to_owned(), problem }
}
