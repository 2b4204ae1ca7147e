//! Authorization and peer authentication policies with Istio's semantics.
//!
//! Policies come from rampart's configuration ([`PolicySpec`]) and from Istio YAML documents
//! ([`IstioDocuments`]: `security.istio.io/v1` and `v1beta1` AuthorizationPolicy and
//! PeerAuthentication). [`Policies::compile`] validates them (unknown fields and condition keys
//! are errors naming the path of the bad value), prepares every matcher, and indexes them by
//! target. [`PolicySet::evaluate`] then decides a request from its [`RequestAttributes`] in
//! Istio's order: CUSTOM (reported for the gateway to call), DENY, ALLOW; AUDIT is recorded.
//! The external authorizers CUSTOM policies name are validated here ([`ExternalAuthorizer`]);
//! the gateway calls them.
//!
//! This crate does no I/O on the hot path and knows nothing of the gateway: targets are the
//! route names the gateway passes in, and Istio selectors map to them through
//! [`IstioConfig::workloads`]. Paths and hosts must be normalized with `rampart-path` first.
//!
//! Known gaps, each refused with a clear error or documented rather than guessed:
//! `targetRef`/`targetRefs` are refused (map selectors instead); `hosts` match the host name
//! only, not a `host:port` pattern; dry-run policies are reported only when their rules match
//! (no shadow ALLOW-default decision).

mod attrs;
mod compile;
mod condition;
mod config;
mod decision;
mod error;
mod istio;
mod load;
mod matcher;
mod peer;
mod provider;
mod rule;
mod set;
mod spec;

pub use attrs::{HeaderLookup, NoHeaders, RequestAttributes};
pub use config::{IstioConfig, PolicyConfig, WorkloadSpec};
pub use decision::{CustomMatch, Decision, PolicyMatch, Reason};
pub use error::{PolicyError, Problem};
pub use istio::{
    AuthorizationPolicySpec, ExtensionProvider, IstioDocuments, IstioResource, WorkloadSelector,
};
pub use load::{Policies, MAX_POLICY_FILE_BYTES};
pub use peer::{
    MtlsMode, MtlsSpec, PeerAuthenticationPolicy, PeerAuthenticationSpec, PeerAuthentications,
    PortKey,
};
pub use provider::{
    ExternalAuthorizer, HttpProviderSpec, ProviderRef, ProviderSpec, DEFAULT_TIMEOUT, MAX_TIMEOUT,
};
pub use set::PolicySet;
pub use spec::{
    Action, ConditionSpec, FromSpec, OperationSpec, PolicySpec, RuleSpec, SourceSpec, ToSpec,
};
