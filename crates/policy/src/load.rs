//! Loading: from configuration and Istio documents to compiled, immutable policies.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::compile::{compile_rules, Located};
use crate::config::{IstioConfig, PolicyConfig};
use crate::istio::{invalid, AuthorizationPolicySpec, IstioDocuments, IstioResource};
use crate::peer::PeerAuthentications;
use crate::provider::{compile_providers, ExternalAuthorizer};
use crate::set::{CompiledPolicy, PolicySet, Scope};
use crate::spec::{Action, PolicySpec};
use crate::{PolicyError, Problem};

/// The largest Istio policy file rampart reads.
pub const MAX_POLICY_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Everything the policy section yields, ready for the hot path.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// Authorization policies, rampart's and Istio's, in that order.
    pub authorization: PolicySet,
    /// PeerAuthentication modes per target.
    pub peer_authentication: PeerAuthentications,
    /// The external authorizers of CUSTOM policies, validated.
    pub providers: Vec<ExternalAuthorizer>,
}

impl Policies {
    /// Reads the Istio files named in `config` (relative to `base_dir`) and compiles
    /// everything.
    ///
    /// # Errors
    /// [`PolicyError`] for an unreadable or oversized file, bad YAML, or an invalid policy.
    pub fn load(config: &PolicyConfig, base_dir: &Path) -> Result<Self, PolicyError> {
        let mut documents = IstioDocuments::default();
        for file in &config.istio.files {
            let path = base_dir.join(file);
            let text = read_bounded(&path)?;
            documents.extend(IstioDocuments::parse(&text, &file.display().to_string())?);
        }
        Self::compile(config, &documents)
    }

    /// Compiles rampart's policies and already parsed Istio documents.
    ///
    /// # Errors
    /// [`PolicyError::Invalid`] naming the policy and the path of the bad value.
    pub fn compile(config: &PolicyConfig, documents: &IstioDocuments) -> Result<Self, PolicyError> {
        let providers = compile_providers(&config.providers)?;
        let known: Vec<&str> = providers.iter().map(|p| &*p.name).collect();
        let mut names = HashSet::new();
        let mut policies = Vec::new();
        for (index, spec) in config.policies.iter().enumerate() {
            policies.push(compile_rampart(spec, index, &known, &mut names)?);
        }
        for resource in &documents.authorization_policies {
            policies.push(compile_istio(resource, &config.istio, &known, &mut names)?);
        }

        let peer_authentication =
            PeerAuthentications::new(&config.istio, &documents.peer_authentications)?;
        Ok(Self { authorization: PolicySet::new(policies), peer_authentication, providers })
    }
}

/// Reads a file of at most [`MAX_POLICY_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<String, PolicyError> {
    let read_error = |source| PolicyError::Read { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(read_error)?;

    let mut text = String::new();
    file.take(MAX_POLICY_FILE_BYTES + 1).read_to_string(&mut text).map_err(read_error)?;
    if text.len() as u64 > MAX_POLICY_FILE_BYTES {
        return Err(PolicyError::TooLarge { path: path.to_owned(), limit: MAX_POLICY_FILE_BYTES });
    }
    Ok(text)
}

/// Compiles a policy of rampart's own form, the `index`-th of the `policies` list.
fn compile_rampart(
    spec: &PolicySpec,
    index: usize,
    providers: &[&str],
    names: &mut HashSet<Arc<str>>,
) -> Result<CompiledPolicy, PolicyError> {
    let origin = format!("policies[{index}] `{}`", spec.name);
    let fail = |path: &str, problem| invalid(&origin, path, problem);
    if spec.name.is_empty() {
        return Err(fail("name", Problem::EmptyName));
    }
    if spec.targets.iter().any(String::is_empty) {
        return Err(fail("targets", Problem::EmptyTarget));
    }

    let provider_name = spec.provider.as_ref().map(|p| p.name());
    let provider =
        check_provider(spec.action, provider_name, providers).map_err(|p| fail("provider", p))?;
    let rules = compile_rules(&spec.rules, None).map_err(|l| at_rules(&origin, l))?;
    let scope =
        if spec.targets.is_empty() { Scope::All } else { Scope::Targets(spec.targets.clone()) };
    let name = unique(&spec.name, names).map_err(|p| fail("name", p))?;
    Ok(CompiledPolicy { name, action: spec.action, provider, dry_run: spec.dry_run, scope, rules })
}

/// Compiles an Istio AuthorizationPolicy, mapping its selector to targets.
fn compile_istio(
    resource: &IstioResource<AuthorizationPolicySpec>,
    mapping: &IstioConfig,
    providers: &[&str],
    names: &mut HashSet<Arc<str>>,
) -> Result<CompiledPolicy, PolicyError> {
    let origin = &resource.origin;
    let spec = &resource.spec;
    if spec.target_ref.is_some() || spec.target_refs.is_some() {
        return Err(invalid(origin, "spec.targetRef", Problem::TargetRefUnsupported));
    }

    let provider_name = spec.provider.as_ref().map(|p| p.name.as_str());
    let provider = check_provider(spec.action, provider_name, providers)
        .map_err(|p| invalid(origin, "spec.provider", p))?;
    let namespace = Some(resource.namespace.as_str());
    let rules = compile_rules(&spec.rules, namespace).map_err(|l| at_rules(origin, l))?;

    let selector = spec.selector.as_ref().map(|s| &s.match_labels);
    let scope = Scope::Targets(mapping.targets_for(&resource.namespace, selector));
    let full_name = format!("{}/{}", resource.namespace, resource.name);
    let name = unique(&full_name, names).map_err(|p| invalid(origin, "metadata.name", p))?;
    Ok(CompiledPolicy {
        name,
        action: spec.action,
        provider,
        dry_run: resource.dry_run,
        scope,
        rules,
    })
}

/// A provider is required for CUSTOM (one of `known`) and refused otherwise.
fn check_provider(
    action: Action,
    provider: Option<&str>,
    known: &[&str],
) -> Result<Option<Arc<str>>, Problem> {
    match (action, provider) {
        (Action::Custom, Some(name)) if known.contains(&name) => Ok(Some(Arc::from(name))),
        (Action::Custom, Some(name)) if !name.is_empty() => {
            Err(Problem::UnknownProvider(name.to_owned()))
        }
        (Action::Custom, _) => Err(Problem::MissingProvider),
        (_, Some(_)) => Err(Problem::UnexpectedProvider),
        (_, None) => Ok(None),
    }
}

/// Registers a policy name, refusing duplicates.
fn unique(name: &str, names: &mut HashSet<Arc<str>>) -> Result<Arc<str>, Problem> {
    let name: Arc<str> = Arc::from(name);
    if !names.insert(name.clone()) {
        return Err(Problem::DuplicateName(name.to_string()));
    }
    Ok(name)
}

/// Places a rule-relative problem under the policy's `rules` (Istio: `spec.rules`).
fn at_rules(origin: &str, located: Located) -> PolicyError {
    let prefix = if origin.starts_with("policies[") { "rules" } else { "spec.rules" };
    invalid(origin, &format!("{prefix}{}", located.path), located.problem)
}
