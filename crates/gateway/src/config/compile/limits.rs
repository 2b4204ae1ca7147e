//! Compiling the `rate_limiting` section, the keys file and each route's limit stage.
//!
//! The limiter holds the counters, so a reload keeps the running one while the store
//! settings (`redis`, `memory`) are unchanged; changing them starts fresh counters.

use std::path::Path;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use http::HeaderName;
use rampart_limits::{ApiKeyIndex, CompiledLimits, KeysFile, Limiter, SystemClock};

use super::{invalid, RouteContext};
use crate::config::model::{Config, RouteConfig};
use crate::config::ConfigError;
use crate::pipeline::limit::{ApiKeys, LimitStage, LimitsRuntime};
use crate::pipeline::Stage;

/// The limits state for a new snapshot, or `None` when the config has no `rate_limiting`.
pub(super) fn load(
    config: &Config,
    file: &Path,
    previous: Option<&Arc<LimitsRuntime>>,
) -> Result<Option<Arc<LimitsRuntime>>, ConfigError> {
    let Some(section) = &config.rate_limiting else {
        if !config.global_rate_limits.is_empty() {
            let message = "policies are named here but there is no rate_limiting section";
            return Err(invalid(file, "global_rate_limits", message));
        }
        return Ok(None);
    };
    let compiled =
        CompiledLimits::compile(section, "rate_limiting.").map_err(|e| located(file, e))?;
    let global = compiled
        .resolve(&config.global_rate_limits, "global_rate_limits")
        .map_err(|e| located(file, e))?;
    let keys = load_keys(&compiled, file)?;
    let limiter = match previous.filter(|old| same_stores(&old.compiled, &compiled)) {
        Some(old) => old.limiter.clone(),
        None => new_limiter(&compiled, file)?,
    };
    Ok(Some(Arc::new(LimitsRuntime { compiled, limiter, global, keys })))
}

/// The route's limit stage, when any policy, plan or key requirement can apply to it.
pub(super) fn stage(
    route: &RouteConfig,
    cx: &RouteContext<'_>,
) -> Result<Option<Arc<dyn Stage>>, ConfigError> {
    let Some(runtime) = cx.limits else {
        if !route.rate_limits.is_empty() || route.require_api_key {
            let message = "rate limits and API keys need a rate_limiting section";
            return Err(invalid(cx.file, format!("{}.rate_limits", cx.at), message));
        }
        return Ok(None);
    };
    if route.require_api_key && runtime.keys.is_none() {
        let message = "require_api_key needs rate_limiting.api_keys.file";
        return Err(invalid(cx.file, format!("{}.require_api_key", cx.at), message));
    }
    let path = format!("{}.rate_limits", cx.at);
    let own =
        runtime.compiled.resolve(&route.rate_limits, &path).map_err(|e| located(cx.file, e))?;
    let policies = [runtime.global.as_slice(), own.as_slice()].concat();
    if policies.is_empty() && runtime.keys.is_none() {
        return Ok(None);
    }
    let stage =
        LimitStage::new(runtime.clone(), policies, route.require_api_key, cx.metrics.clone());
    Ok(Some(Arc::new(stage)))
}

fn load_keys(compiled: &CompiledLimits, file: &Path) -> Result<Option<ApiKeys>, ConfigError> {
    let settings = &compiled.api_keys;
    let Some(keys_file) = &settings.file else { return Ok(None) };
    let base_dir = file.parent().unwrap_or(Path::new("."));
    let keys_path = base_dir.join(keys_file);
    let at = "rate_limiting.api_keys";
    let fingerprint = crate::reload::fingerprint(&keys_path);
    let loaded = KeysFile::load(&keys_path)
        .map_err(|error| invalid(file, format!("{at}.file"), error.to_string()))?;
    let index = ApiKeyIndex::build(&loaded, compiled).map_err(|error| {
        invalid(file, format!("{at}.file"), format!("{}: {error}", keys_path.display()))
    })?;
    let header = HeaderName::from_bytes(settings.header.to_ascii_lowercase().as_bytes())
        .map_err(|_| invalid(file, format!("{at}.header"), "not a valid header name"))?;
    let query_param = settings.query_param.clone();
    Ok(Some(ApiKeys {
        index: ArcSwap::from_pointee(index),
        loaded: Mutex::new(fingerprint),
        file: keys_path,
        header,
        query_param,
        forward_key: settings.forward_key,
    }))
}

fn same_stores(old: &CompiledLimits, new: &CompiledLimits) -> bool {
    old.redis == new.redis && old.memory == new.memory
}

/// A limiter for the compiled stores. Outside a Tokio runtime (`rampart config check`) the
/// Redis store cannot start, so a memory-only limiter stands in: nothing is served then.
fn new_limiter(compiled: &CompiledLimits, file: &Path) -> Result<Arc<Limiter>, ConfigError> {
    let clock = Arc::new(SystemClock);
    let limiter = if tokio::runtime::Handle::try_current().is_ok() {
        Limiter::new(compiled, clock)
    } else {
        let mut offline = compiled.clone();
        offline.redis = None;
        Limiter::new(&offline, clock)
    };
    limiter.map(Arc::new).map_err(|error| invalid(file, "rate_limiting.redis", error.to_string()))
}

/// A limits error (`path: message`) as a gateway config error at that path.
fn located(file: &Path, error: rampart_limits::ConfigError) -> ConfigError {
    let text = error.to_string();
    match text.split_once(": ") {
        Some((path, message)) => invalid(file, path, message),
        None => invalid(file, "rate_limiting", text),
    }
}
