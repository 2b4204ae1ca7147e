//! The configuration file as written: serde structures with unknown fields refused.
//!
//! Every field is documented in docs/configuration.md; defaults live here, next to the field.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::duration::ConfigDuration;

/// The whole configuration document.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Addresses the gateway accepts traffic on.
    pub listeners: Vec<ListenerConfig>,
    /// The admin listener (health, readiness, metrics, running config).
    #[serde(default)]
    pub admin: AdminConfig,
    /// Server-wide limits and timeouts that protect the gateway itself.
    #[serde(default)]
    pub limits: ServerLimits,
    /// Peers whose `X-Forwarded-For` is believed when finding the client address.
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
    /// Where security events go.
    #[serde(default)]
    pub events: rampart_events::SinkConfig,
    /// JWT issuers that routes may accept, by name.
    #[serde(default)]
    pub jwt_providers: BTreeMap<String, rampart_auth::ProviderConfig>,
    /// Groups of targets that routes proxy to, by name.
    pub upstreams: BTreeMap<String, UpstreamConfig>,
    /// Routes, matched in order; the first match wins.
    pub routes: Vec<RouteConfig>,
    /// A small demo API served by rampart itself, for the quick start.
    #[serde(default)]
    pub demo: Option<DemoConfig>,
    /// Istio-style authorization and peer authentication policies (docs/policy.md); every
    /// request is allowed when absent. Not shown by the admin `/config` endpoint.
    #[serde(default, skip_serializing)]
    pub authorization: Option<rampart_policy::PolicyConfig>,
    /// Rate-limit policies, usage plans, API keys and their stores (docs/limits.md); no limits
    /// when absent. Not shown by `/config` (the Redis URL may hold a password).
    #[serde(default, skip_serializing)]
    pub rate_limiting: Option<rampart_limits::LimitsConfig>,
    /// Names of `rate_limiting.rate_limits` policies applied to every route. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub global_rate_limits: Vec<String>,
}

/// One listening socket.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    /// A name used in metrics and events.
    pub name: String,
    /// The socket address, such as `0.0.0.0:8443`.
    pub address: SocketAddr,
    /// TLS termination; plaintext (HTTP/1.1 and h2c) when absent.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
}

/// Certificate and key for TLS termination.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file with the certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// PEM bundle of the CAs that client certificates must chain to; no client certificates
    /// are asked for when absent (docs/mtls.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ca: Option<PathBuf>,
    /// Whether a client certificate is required (`required`, the default when `client_ca` is
    /// set) or only verified when presented (`optional`).
    #[serde(default)]
    pub client_auth: ClientAuthMode,
}

/// Whether a TLS listener with a client CA requires a client certificate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMode {
    /// A handshake without a valid client certificate fails.
    #[default]
    Required,
    /// Clients without a certificate are served; presented certificates are still verified.
    Optional,
}

/// A route's mutual TLS mode, as Istio's PeerAuthentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteMtlsMode {
    /// Requests without a verified client certificate are denied with 403.
    Strict,
    /// Requests with and without a client certificate are served.
    Permissive,
}

/// The admin listener.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Address of the admin listener; keep it on loopback or a private network.
    #[serde(default = "default_admin_address")]
    pub address: SocketAddr,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self { address: default_admin_address() }
    }
}

fn default_admin_address() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9901))
}

/// Limits that keep slow or hostile clients from exhausting the gateway.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerLimits {
    /// Largest request head (request line and headers) in bytes; larger gets 431.
    pub max_header_bytes: usize,
    /// Most header fields in one request; more gets 431.
    pub max_headers: usize,
    /// Time a client has to send a complete request head.
    pub header_read_timeout: ConfigDuration,
    /// A connection with no traffic for this long is closed.
    pub idle_timeout: ConfigDuration,
    /// Connections served at once; further ones wait in the kernel's backlog.
    pub max_connections: usize,
    /// On SIGTERM, time given to requests in flight before connections are closed.
    pub shutdown_grace: ConfigDuration,
    /// Default largest request body for routes that set none (413 beyond).
    pub max_body_bytes: u64,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            header_read_timeout: ConfigDuration::secs(10),
            idle_timeout: ConfigDuration::secs(60),
            max_connections: 10_000,
            shutdown_grace: ConfigDuration::secs(30),
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// A group of interchangeable targets.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// `host:port` of each target, used in round robin.
    pub targets: Vec<String>,
    /// Protocol spoken to the targets.
    #[serde(default)]
    pub protocol: UpstreamProtocol,
    /// Time allowed to open a connection to a target.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: ConfigDuration,
    /// How long a target that refused a connection is skipped.
    #[serde(default = "default_unhealthy_for")]
    pub unhealthy_for: ConfigDuration,
    /// Idle kept-alive connections per target.
    #[serde(default = "default_pool_max_idle")]
    pub pool_max_idle: usize,
    /// TLS (and mutual TLS) to the targets (docs/mtls.md); plaintext when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<UpstreamTlsConfig>,
}

/// How the gateway speaks TLS to an upstream: whom it trusts, whom it expects, what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamTlsConfig {
    /// PEM bundle of the CAs the upstream's certificate chain must lead to (required).
    pub ca: PathBuf,
    /// Name sent as SNI and, without `expected_spiffe_id`, verified against the upstream's
    /// DNS or IP SANs. Default: the target's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// PEM certificate chain the gateway presents to the upstream (mutual TLS). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<PathBuf>,
    /// PEM private key of `client_certificate`; set both or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// The SPIFFE ID (`spiffe://TRUST_DOMAIN/...`) the upstream's certificate must carry as
    /// its URI SAN; it replaces the host name check. Default: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_spiffe_id: Option<String>,
}

fn default_connect_timeout() -> ConfigDuration {
    ConfigDuration::secs(2)
}

fn default_unhealthy_for() -> ConfigDuration {
    ConfigDuration::secs(10)
}

fn default_pool_max_idle() -> usize {
    64
}

/// The HTTP version spoken to an upstream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamProtocol {
    /// HTTP/1.1 with keep-alive pooling.
    #[default]
    Http1,
    /// HTTP/2 with prior knowledge (h2c).
    Http2,
}

/// One route: what it matches, what it requires, and where it goes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// A name used in metrics, events and error bodies.
    pub name: String,
    /// Which requests the route takes.
    #[serde(rename = "match")]
    pub matcher: MatchConfig,
    /// Name of the upstream requests are proxied to.
    pub upstream: String,
    /// Time allowed from sending the request upstream to receiving the response head.
    #[serde(default = "default_request_timeout")]
    pub timeout: ConfigDuration,
    /// Overrides the upstream's connect timeout for this route.
    #[serde(default)]
    pub connect_timeout: Option<ConfigDuration>,
    /// What the upstream sees as Host.
    #[serde(default)]
    pub host: HostPolicy,
    /// Largest request body; defaults to `limits.max_body_bytes`.
    #[serde(default)]
    pub max_body_bytes: Option<u64>,
    /// Authentication and scopes required on the route; open when absent.
    #[serde(default)]
    pub auth: Option<RouteAuthConfig>,
    /// Web application firewall inspection (SecLang rules such as the OWASP CRS).
    #[serde(default)]
    pub waf: Option<RouteWafConfig>,
    /// Request validation (JSON Schema for path, query, headers and JSON body); see
    /// docs/validation.md. Runs after authentication and authorization, before the WAF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate: Option<rampart_validate::ValidationConfig>,
    /// Validation from an OpenAPI 3.0/3.1 document: each request is matched against the
    /// document's operations below `base_path`; see docs/validation.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openapi: Option<RouteOpenApiConfig>,
    /// Mutual TLS mode; when absent, the PeerAuthentication of the route's Istio workload
    /// decides, and `permissive` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<RouteMtlsMode>,
    /// Names of `rate_limiting.rate_limits` policies applied to this route, after the
    /// gateway-wide ones. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rate_limits: Vec<String>,
    /// Whether requests without an API key are denied with 401 (keys are always checked when
    /// presented). Default: false.
    #[serde(default)]
    pub require_api_key: bool,
}

/// An OpenAPI document a route validates against.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteOpenApiConfig {
    /// The YAML or JSON document, relative to the config file's directory.
    pub file: PathBuf,
    /// Deny what the document does not describe: unknown path 404, unknown method 405,
    /// undeclared query parameter 400; default false (unknown operations pass unvalidated).
    #[serde(default)]
    pub strict: bool,
    /// The prefix of the request path the document's paths are relative to; default `""`
    /// (document paths are request paths). Requests outside it are treated as unknown paths.
    #[serde(default)]
    pub base_path: String,
    /// Largest body the route reads, in bytes; default 1 MiB (1048576). Larger bodies get 413.
    #[serde(default = "default_openapi_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Deepest nesting of arrays and objects in a JSON body; default 64.
    #[serde(default = "default_openapi_max_depth")]
    pub max_depth: usize,
    /// Most object keys in one JSON body, counted across all levels; default 1000.
    #[serde(default = "default_openapi_max_keys")]
    pub max_keys: usize,
    /// What to do with a repeated key in a JSON body object; default `reject`.
    #[serde(default)]
    pub duplicate_keys: rampart_validate::DuplicateKeys,
    /// Most failing fields listed in one rejection; default 20.
    #[serde(default = "default_openapi_max_details")]
    pub max_details: usize,
}

impl RouteOpenApiConfig {
    /// The body and error-list limits of this section, as the validate crate takes them.
    pub fn limits(&self) -> rampart_validate::ValidationConfig {
        rampart_validate::ValidationConfig {
            max_body_bytes: self.max_body_bytes,
            max_depth: self.max_depth,
            max_keys: self.max_keys,
            duplicate_keys: self.duplicate_keys,
            max_details: self.max_details,
            ..rampart_validate::ValidationConfig::default()
        }
    }
}

fn default_openapi_max_body_bytes() -> usize {
    rampart_validate::ValidationConfig::default().max_body_bytes
}

fn default_openapi_max_depth() -> usize {
    rampart_validate::ValidationConfig::default().max_depth
}

fn default_openapi_max_keys() -> usize {
    rampart_validate::ValidationConfig::default().max_keys
}

fn default_openapi_max_details() -> usize {
    rampart_validate::ValidationConfig::default().max_details
}

/// The WAF on a route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteWafConfig {
    /// `block` denies requests the rules deny, `detect` only records, `off` skips the WAF.
    pub mode: WafMode,
    /// SecLang files or globs, loaded in order (for CRS: its setup file, then `rules/*.conf`).
    pub rules: Vec<String>,
    /// CRS blocking paranoia level, 1 to 4.
    #[serde(default = "default_paranoia_level")]
    pub paranoia_level: u8,
    /// CRS inbound anomaly score at which a request is denied.
    #[serde(default = "default_anomaly_threshold")]
    pub anomaly_threshold: u32,
    /// Rules or targets taken out for this route.
    #[serde(default)]
    pub exclusions: WafExclusions,
    /// Inspection of the upstream's response (phases 3 and 4); off by default.
    #[serde(default)]
    pub response: WafResponseConfig,
}

/// Response inspection on a WAF route: the upstream's status and headers (phase 3) and, for
/// the listed media types, the first `max_body_bytes` of its body (phase 4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WafResponseConfig {
    /// Whether responses are inspected at all. Default: false.
    #[serde(default)]
    pub inspect: bool,
    /// Most body bytes buffered and inspected; the rest passes uninspected (ModSecurity's
    /// `SecResponseBodyLimitAction ProcessPartial`). Default: 524288 (512 KiB).
    #[serde(default = "default_response_body_bytes")]
    pub max_body_bytes: u64,
    /// Media types whose bodies are inspected (`SecResponseBodyMimeType`); other bodies stream
    /// through unbuffered. Default: text/plain, text/html, text/xml, application/json.
    #[serde(default = "default_response_mime_types")]
    pub mime_types: Vec<String>,
    /// CRS outbound anomaly score at which a response is denied
    /// (`tx.outbound_anomaly_score_threshold`). Default: 4.
    #[serde(default = "default_outbound_threshold")]
    pub anomaly_threshold: u32,
}

impl Default for WafResponseConfig {
    fn default() -> Self {
        Self {
            inspect: false,
            max_body_bytes: default_response_body_bytes(),
            mime_types: default_response_mime_types(),
            anomaly_threshold: default_outbound_threshold(),
        }
    }
}

fn default_response_body_bytes() -> u64 {
    512 * 1024
}

fn default_response_mime_types() -> Vec<String> {
    ["text/plain", "text/html", "text/xml", "application/json"].map(String::from).to_vec()
}

fn default_outbound_threshold() -> u32 {
    4
}

fn default_paranoia_level() -> u8 {
    1
}

fn default_anomaly_threshold() -> u32 {
    5
}

/// What a WAF does with requests its rules deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WafMode {
    /// Deny them (403 JSON).
    Block,
    /// Record a `waf` event and let them through.
    Detect,
    /// Do not inspect.
    Off,
}

/// Exclusions applied after the rules are loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WafExclusions {
    /// Rule ids removed (`SecRuleRemoveById`).
    #[serde(default)]
    pub remove_rule_ids: Vec<u64>,
    /// Rules removed by tag (`SecRuleRemoveByTag`).
    #[serde(default)]
    pub remove_tags: Vec<String>,
    /// Variables a rule no longer inspects (`SecRuleUpdateTargetById ID "!TARGET"`).
    #[serde(default)]
    pub remove_targets: Vec<WafTargetExclusion>,
}

/// One variable taken out of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WafTargetExclusion {
    /// The rule id.
    pub rule_id: u64,
    /// The variable, such as `ARGS:password` or `REQUEST_COOKIES:session`.
    pub target: String,
}

fn default_request_timeout() -> ConfigDuration {
    ConfigDuration::secs(30)
}

/// Request properties a route matches on; all given ones must match.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchConfig {
    /// Host name (case-insensitive, port ignored); `*.example.com` matches one label or more.
    #[serde(default)]
    pub host: Option<String>,
    /// `/exact`, `/prefix/*`, or a template such as `/items/{id}`.
    pub path: String,
    /// Methods accepted; all when absent.
    #[serde(default)]
    pub methods: Vec<String>,
}

/// The Host header sent upstream: `preserve`, `target`, or `{rewrite: VALUE}`.
///
/// (YAML enums with data are written as maps with optional fields throughout the config, since
/// the YAML library reads externally tagged enums only from YAML tags.)
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum HostPolicy {
    /// `preserve` (the client's Host) or `target` (the target's `host:port`).
    Mode(HostMode),
    /// A fixed value.
    Rewrite(HostRewrite),
}

impl Default for HostPolicy {
    fn default() -> Self {
        Self::Mode(HostMode::Preserve)
    }
}

/// The Host kept or derived without a fixed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostMode {
    /// Keep the client's Host.
    Preserve,
    /// Use the target's `host:port`.
    Target,
}

/// A fixed Host value for the upstream.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HostRewrite {
    /// The Host header value sent upstream.
    pub rewrite: String,
}

/// Scopes a route requires: exactly one of `all_of` or `any_of`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScopesConfig {
    /// Every listed scope must be granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<String>,
    /// At least one listed scope must be granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<String>,
}

/// Authentication on a route.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteAuthConfig {
    /// JWT bearer authentication.
    pub jwt: RouteJwtConfig,
}

/// JWT bearer authentication on a route.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteJwtConfig {
    /// Names of the providers whose tokens the route accepts.
    pub providers: Vec<String>,
    /// Audiences the route requires on top of its providers' own: the token's `aud` must name
    /// one of them (for a service behind the route, its own name). Empty: no extra check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// Scopes the token must carry.
    #[serde(default)]
    pub scopes: Option<ScopesConfig>,
    /// Upstream request headers set from verified claims: header name to claim name.
    #[serde(default)]
    pub forward_claims: BTreeMap<String, String>,
    /// Whether the Authorization header is passed to the upstream.
    #[serde(default)]
    pub forward_authorization: bool,
    /// The realm named in `WWW-Authenticate`.
    #[serde(default = "default_realm")]
    pub realm: String,
}

fn default_realm() -> String {
    "rampart".to_owned()
}

/// The built-in demo API.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    /// Address the demo API listens on; point an upstream at it.
    pub address: SocketAddr,
}
