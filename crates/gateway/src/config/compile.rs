//! Compilation of a parsed [`Config`] into the immutable [`Snapshot`] requests run on.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, Method};
use rampart_auth::{JwtAuthenticator, ScopeRequirement};

mod limits;
mod policy;
mod validate;

use super::model::{Config, HostPolicy, RouteConfig, RouteWafConfig, UpstreamConfig, WafMode};
use super::ConfigError;
use crate::forwarding::TrustedProxies;
use crate::metrics::Metrics;
use crate::pipeline::jwt::JwtStageConfig;
use crate::pipeline::waf::{load_engine, WafConfigError};
use crate::pipeline::{JwtStage, Stage, WafStage};
use crate::routing::{HostPattern, PathPattern, RouteMatcher};
use crate::tls::{self, TlsAcceptorConfig};
use crate::upstream::{build_client, UpstreamClient, UpstreamGroup};

/// A route ready for the hot path.
#[derive(Debug)]
pub struct CompiledRoute {
    /// The route's name.
    pub name: Arc<str>,
    /// What it matches.
    pub matcher: RouteMatcher,
    /// Where it goes.
    pub upstream: Arc<UpstreamGroup>,
    /// The pooled client for that upstream with this route's connect timeout.
    pub client: UpstreamClient,
    /// Time allowed for the upstream's response head.
    pub timeout: Duration,
    /// What the upstream sees as Host.
    pub host: HostPolicy,
    /// Largest request body.
    pub max_body_bytes: u64,
    /// The stages requests on this route pass through, in order.
    pub stages: Vec<Arc<dyn Stage>>,
}

/// An immutable, compiled configuration; reload swaps whole snapshots.
#[derive(Debug)]
pub struct Snapshot {
    /// The config as parsed, for `/config` (rendered with secrets redacted).
    pub config: Config,
    /// The file it came from.
    pub source: PathBuf,
    /// Routes in match order.
    pub routes: Vec<CompiledRoute>,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// TLS settings by listener name.
    pub tls: HashMap<String, Arc<TlsAcceptorConfig>>,
    /// The JWT verifier, shared by the routes that use it.
    pub authenticator: Option<Arc<JwtAuthenticator>>,
    /// Rate limits, the limiter and API keys, when `rate_limiting` is configured.
    pub limits: Option<Arc<crate::pipeline::limit::LimitsRuntime>>,
}

fn invalid(file: &Path, path: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { file: file.to_owned(), path: path.into(), message: message.into() }
}

/// Validates a parsed config and prepares everything requests need.
pub fn compile(
    config: Config,
    file: &Path,
    metrics: &Arc<Metrics>,
) -> Result<Snapshot, ConfigError> {
    compile_reusing(config, file, metrics, None)
}

/// Refuses at load what the event sink would refuse only when `serve` opens it, so that
/// `rampart check` catches it: a missing or stray `path`, a bad capacity, a missing directory.
fn check_events(config: &Config, file: &Path) -> Result<(), ConfigError> {
    config.events.validate().map_err(|error| invalid(file, "events", error.to_string()))?;
    if let Some(path) = &config.events.path {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            let message = format!("the directory `{}` does not exist", dir.display());
            return Err(invalid(file, "events.path", message));
        }
    }
    Ok(())
}

/// Refuses two sockets of the config on one address (listeners, admin, demo), which `serve`
/// would only find out when the second bind fails.
fn check_addresses(config: &Config, file: &Path) -> Result<(), ConfigError> {
    let mut taken: Vec<(std::net::SocketAddr, String)> =
        vec![(config.admin.address, "admin.address".into())];
    if let Some(demo) = &config.demo {
        taken.push((demo.address, "demo.address".into()));
    }
    for (index, listener) in config.listeners.iter().enumerate() {
        let at = format!("listeners[{index}].address");
        let address = listener.address;
        let clash = taken.iter().find(|(other, _)| *other == address && address.port() != 0);
        if let Some((_, other)) = clash {
            let message = format!("{address} is also `{other}`; each socket needs its own address");
            return Err(invalid(file, at, message));
        }
        taken.push((address, at));
    }
    Ok(())
}

/// [`compile`] for a reload: state that outlives snapshots (the rate limiter's counters) is
/// taken from `previous` when its settings are unchanged.
pub fn compile_reusing(
    config: Config,
    file: &Path,
    metrics: &Arc<Metrics>,
    previous: Option<&Snapshot>,
) -> Result<Snapshot, ConfigError> {
    let base_dir = file.parent().unwrap_or(Path::new(".")).to_owned();
    check_events(&config, file)?;
    check_addresses(&config, file)?;
    let tls = compile_listeners(&config, file, &base_dir)?;
    let upstreams = compile_upstreams(&config.upstreams, file, &base_dir)?;

    let authenticator = if config.jwt_providers.is_empty() {
        None
    } else {
        let compiled = JwtAuthenticator::compile(&config.jwt_providers, &base_dir)
            .map_err(|error| invalid(file, "jwt_providers", error.to_string()))?;
        Some(Arc::new(compiled))
    };
    let policies = policy::load(&config, file, &base_dir)?;
    let limits = limits::load(&config, file, previous.and_then(|p| p.limits.as_ref()))?;

    let mut names = HashSet::new();
    let mut clients: HashMap<(String, Duration), UpstreamClient> = HashMap::new();
    let mut routes = Vec::with_capacity(config.routes.len());
    let waf_engines = std::cell::RefCell::new(WafEngines::new());
    for (index, route) in config.routes.iter().enumerate() {
        let at = format!("routes[{index}]");
        if !names.insert(route.name.as_str()) {
            return Err(invalid(
                file,
                format!("{at}.name"),
                format!("the route name `{}` is used twice; names must be unique", route.name),
            ));
        }
        let context = RouteContext {
            config: &config,
            file,
            at: &at,
            metrics,
            authenticator: &authenticator,
            waf_engines: &waf_engines,
            policies: policies.as_ref(),
            limits: limits.as_ref(),
        };
        routes.push(compile_route(route, &context, &upstreams, &mut clients)?);
    }

    Ok(Snapshot {
        trusted_proxies: TrustedProxies::new(config.trusted_proxies.clone()),
        source: file.to_owned(),
        routes,
        tls,
        authenticator,
        limits,
        config,
    })
}

fn compile_listeners(
    config: &Config,
    file: &Path,
    base_dir: &Path,
) -> Result<HashMap<String, Arc<TlsAcceptorConfig>>, ConfigError> {
    if config.listeners.is_empty() {
        return Err(invalid(file, "listeners", "at least one listener is required"));
    }

    let mut names = HashSet::new();
    let mut tls = HashMap::new();
    for (index, listener) in config.listeners.iter().enumerate() {
        if !names.insert(listener.name.as_str()) {
            return Err(invalid(
                file,
                format!("listeners[{index}].name"),
                format!("the listener name `{}` is used twice", listener.name),
            ));
        }
        if let Some(settings) = &listener.tls {
            let acceptor = tls::load(settings, base_dir).map_err(|error| {
                let at = format!("listeners[{index}].tls.{}", error.field());
                invalid(file, at, error.to_string())
            })?;
            tls.insert(listener.name.clone(), Arc::new(acceptor));
        }
    }
    Ok(tls)
}

fn compile_upstreams(
    upstreams: &BTreeMap<String, UpstreamConfig>,
    file: &Path,
    base_dir: &Path,
) -> Result<HashMap<String, (Arc<UpstreamGroup>, UpstreamConfig)>, ConfigError> {
    let mut compiled = HashMap::new();
    for (name, upstream) in upstreams {
        if upstream.targets.is_empty() {
            return Err(invalid(
                file,
                format!("upstreams.{name}.targets"),
                "at least one target is required",
            ));
        }
        let mut targets = Vec::with_capacity(upstream.targets.len());
        for (index, target) in upstream.targets.iter().enumerate() {
            let authority = target
                .parse::<http::uri::Authority>()
                .ok()
                .filter(|a| a.port_u16().is_some() && !target.contains('@'))
                .ok_or_else(|| {
                    invalid(
                        file,
                        format!("upstreams.{name}.targets[{index}]"),
                        format!(
                            "`{target}` is not a target; write host:port, such as 127.0.0.1:8080"
                        ),
                    )
                })?;
            targets.push(authority);
        }
        let tls = upstream_tls(name, upstream, file, base_dir)?;
        let group = Arc::new(UpstreamGroup::new(name, upstream, targets).with_tls(tls));
        compiled.insert(name.clone(), (group, upstream.clone()));
    }
    Ok(compiled)
}

/// The upstream's TLS client settings, loaded and checked, when it has `tls`.
fn upstream_tls(
    name: &str,
    upstream: &UpstreamConfig,
    file: &Path,
    base_dir: &Path,
) -> Result<Option<Arc<tls::UpstreamTls>>, ConfigError> {
    let Some(settings) = &upstream.tls else { return Ok(None) };
    let loaded =
        tls::UpstreamTls::load(settings, upstream.protocol, base_dir).map_err(|error| {
            invalid(file, format!("upstreams.{name}.tls.{}", error.field()), error.to_string())
        })?;
    Ok(Some(Arc::new(loaded)))
}

struct RouteContext<'a> {
    config: &'a Config,
    file: &'a Path,
    at: &'a str,
    metrics: &'a Arc<Metrics>,
    authenticator: &'a Option<Arc<JwtAuthenticator>>,
    waf_engines: &'a std::cell::RefCell<WafEngines>,
    policies: Option<&'a policy::RoutePolicies>,
    limits: Option<&'a Arc<crate::pipeline::limit::LimitsRuntime>>,
}

fn compile_route(
    route: &RouteConfig,
    cx: &RouteContext<'_>,
    upstreams: &HashMap<String, (Arc<UpstreamGroup>, UpstreamConfig)>,
    clients: &mut HashMap<(String, Duration), UpstreamClient>,
) -> Result<CompiledRoute, ConfigError> {
    let (file, at) = (cx.file, cx.at);
    let path = PathPattern::parse(&route.matcher.path)
        .map_err(|error| invalid(file, format!("{at}.match.path"), error.to_string()))?;
    let host = route.matcher.host.as_deref().map(HostPattern::parse);
    let methods = compile_methods(&route.matcher.methods, file, at)?;

    let Some((group, upstream_config)) = upstreams.get(&route.upstream) else {
        let known: Vec<&str> = cx.config.upstreams.keys().map(String::as_str).collect();
        return Err(invalid(
            file,
            format!("{at}.upstream"),
            format!(
                "unknown upstream `{}`; defined upstreams: {}",
                route.upstream,
                known.join(", ")
            ),
        ));
    };
    let connect_timeout = route.connect_timeout.unwrap_or(upstream_config.connect_timeout).get();
    let client = clients
        .entry((route.upstream.clone(), connect_timeout))
        .or_insert_with(|| build_client(upstream_config, connect_timeout, group.tls.clone()))
        .clone();

    if let HostPolicy::Rewrite(host) = &route.host {
        http::HeaderValue::from_str(&host.rewrite)
            .map_err(|_| invalid(file, format!("{at}.host.rewrite"), "not a valid Host value"))?;
    }

    Ok(CompiledRoute {
        name: route.name.as_str().into(),
        matcher: RouteMatcher { host, path, methods },
        upstream: group.clone(),
        client,
        timeout: route.timeout.get(),
        host: route.host.clone(),
        max_body_bytes: route.max_body_bytes.unwrap_or(cx.config.limits.max_body_bytes),
        stages: compile_stages(route, cx)?,
    })
}

fn compile_methods(methods: &[String], file: &Path, at: &str) -> Result<Vec<Method>, ConfigError> {
    methods
        .iter()
        .enumerate()
        .map(|(index, text)| {
            Method::from_bytes(text.to_ascii_uppercase().as_bytes()).map_err(|_| {
                invalid(
                    file,
                    format!("{at}.match.methods[{index}]"),
                    format!("`{text}` is not an HTTP method"),
                )
            })
        })
        .collect()
}

/// WAF engines already loaded during this compile, shared by routes with the same WAF config.
pub type WafEngines = HashMap<(RouteWafConfig, u64), Arc<rampart_waf::WafEngine>>;

/// The route's stages, in pipeline order: authenticate, then inspect.
fn compile_stages(
    route: &RouteConfig,
    cx: &RouteContext<'_>,
) -> Result<Vec<Arc<dyn Stage>>, ConfigError> {
    let mut stages: Vec<Arc<dyn Stage>> = Vec::new();
    stages.extend(policy::peer_stage(route, cx.policies));
    if let Some(stage) = compile_jwt_stage(route, cx)? {
        stages.push(stage);
    }
    stages.extend(policy::authorize_stage(route, cx));
    stages.extend(limits::stage(route, cx)?);
    stages.extend(validate::compile_stage(route, cx.file, cx.at)?);
    if let Some(stage) = compile_waf_stage(route, cx)? {
        stages.push(stage);
    }
    Ok(stages)
}

fn compile_waf_stage(
    route: &RouteConfig,
    cx: &RouteContext<'_>,
) -> Result<Option<Arc<dyn Stage>>, ConfigError> {
    let Some(waf) = route.waf.as_ref().filter(|waf| waf.mode != WafMode::Off) else {
        return Ok(None);
    };
    let body_limit = route.max_body_bytes.unwrap_or(cx.config.limits.max_body_bytes);
    let key = (waf.clone(), body_limit);
    let cached = cx.waf_engines.borrow().get(&key).cloned();
    let engine = match cached {
        Some(engine) => engine,
        None => {
            let base_dir = cx.file.parent().unwrap_or(Path::new("."));
            let engine = load_engine(waf, base_dir, body_limit).map_err(|error| {
                let path = match &error {
                    WafConfigError::Response { field, .. } => format!("waf.response.{field}"),
                    _ => "waf".to_owned(),
                };
                invalid(cx.file, format!("{}.{path}", cx.at), error.to_string())
            })?;
            let engine = Arc::new(engine);
            cx.waf_engines.borrow_mut().insert(key, engine.clone());
            engine
        }
    };
    Ok(Some(Arc::new(WafStage::new(engine, waf.mode).with_response(&waf.response))))
}

fn compile_jwt_stage(
    route: &RouteConfig,
    cx: &RouteContext<'_>,
) -> Result<Option<Arc<dyn Stage>>, ConfigError> {
    let (file, at) = (cx.file, cx.at);
    let Some(auth) = &route.auth else { return Ok(None) };

    let jwt = &auth.jwt;
    if jwt.providers.is_empty() {
        return Err(invalid(
            file,
            format!("{at}.auth.jwt.providers"),
            "name at least one provider",
        ));
    }
    for (index, provider) in jwt.providers.iter().enumerate() {
        if !cx.config.jwt_providers.contains_key(provider) {
            let known: Vec<&str> = cx.config.jwt_providers.keys().map(String::as_str).collect();
            return Err(invalid(
                file,
                format!("{at}.auth.jwt.providers[{index}]"),
                format!(
                    "unknown provider `{provider}`; defined in jwt_providers: [{}]",
                    known.join(", ")
                ),
            ));
        }
    }

    let mut forward_claims = Vec::new();
    for (header, claim) in &jwt.forward_claims {
        let name =
            HeaderName::from_bytes(header.to_ascii_lowercase().as_bytes()).map_err(|_| {
                invalid(
                    file,
                    format!("{at}.auth.jwt.forward_claims.{header}"),
                    "not a valid header name",
                )
            })?;
        forward_claims.push((name, claim.clone()));
    }

    let Some(authenticator) = cx.authenticator.clone() else {
        return Err(invalid(file, format!("{at}.auth.jwt"), "no jwt_providers are defined"));
    };
    let names: Vec<&str> = jwt.providers.iter().map(String::as_str).collect();
    let providers = authenticator
        .resolve(&names)
        .map_err(|error| invalid(file, format!("{at}.auth.jwt.providers"), error.to_string()))?;
    let scopes = match &jwt.scopes {
        None => None,
        Some(s) if s.all_of.is_empty() == s.any_of.is_empty() => {
            return Err(invalid(
                file,
                format!("{at}.auth.jwt.scopes"),
                "write exactly one of `all_of: [...]` or `any_of: [...]`, with at least one scope",
            ));
        }
        Some(s) if s.any_of.is_empty() => Some(ScopeRequirement::AllOf(s.all_of.clone())),
        Some(s) => Some(ScopeRequirement::AnyOf(s.any_of.clone())),
    };
    if let Some(index) = jwt.audiences.iter().position(String::is_empty) {
        return Err(invalid(
            file,
            format!("{at}.auth.jwt.audiences[{index}]"),
            "an audience must not be empty",
        ));
    }
    let config = JwtStageConfig {
        providers,
        audiences: jwt.audiences.clone(),
        scopes,
        forward_claims,
        forward_authorization: jwt.forward_authorization,
        realm: jwt.realm.clone(),
    };
    Ok(Some(Arc::new(JwtStage::new(authenticator, config, cx.metrics.clone()))))
}
