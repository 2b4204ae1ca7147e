#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! Istio documents: multi-document files, both API versions, root-namespace policies,
//! selectors mapped to targets, dry-run, AUDIT, CUSTOM, and PeerAuthentication precedence.

use std::path::Path;

use rampart_policy::{
    Action, IstioDocuments, MtlsMode, Policies, PolicyConfig, Reason, RequestAttributes,
};

fn config() -> PolicyConfig {
    serde_yaml_ng::from_str(
        r#"
policies:
  - name: local-deny
    action: DENY
    rules: [{to: [{operation: {paths: ["/local-deny"]}}]}]
providers: [{name: opa, http: {url: "http://127.0.0.1:9191/check"}}]
istio:
  files: [mesh.yaml, seed.yaml]
  workloads:
    - {target: invoices, namespace: billing, labels: {app: invoices}}
    - {target: ledger, namespace: billing, labels: {app: ledger}}
    - {target: research-data, namespace: research, labels: {app: research-data-service}}
"#,
    )
    .unwrap()
}

fn load() -> Policies {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    Policies::load(&config(), &base).unwrap()
}

#[test]
fn parses_every_document_in_order() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mesh.yaml"),
    )
    .unwrap();
    let documents = IstioDocuments::parse(&text, "mesh.yaml").unwrap();
    assert_eq!(documents.peer_authentications.len(), 3);
    let names: Vec<_> = documents.authorization_policies.iter().map(|p| &p.name).collect();
    assert_eq!(names, ["deny-admin", "trial-lockdown", "audit-writes", "ext-check", "nowhere"]);
    let trial = &documents.authorization_policies[1];
    assert!(trial.dry_run);
    assert_eq!(trial.origin, "mesh.yaml document 5");
    assert_eq!(documents.authorization_policies[4].namespace, "other");
}

#[test]
fn root_namespace_policies_apply_to_every_workload() {
    let policies = load();
    for target in ["invoices", "ledger", "research-data"] {
        let decision = policies
            .authorization
            .evaluate(target, &RequestAttributes::new("GET", "h", "/admin/x"));
        assert!(!decision.allowed, "{target}");
        assert_eq!(decision.policy.as_deref(), Some("istio-system/deny-admin"));
    }
    // A target that is no workload only gets rampart's own policies.
    let attrs = RequestAttributes::new("GET", "h", "/admin/x");
    assert!(policies.authorization.evaluate("static-site", &attrs).allowed);
    let attrs = RequestAttributes::new("GET", "h", "/local-deny");
    assert!(!policies.authorization.evaluate("static-site", &attrs).allowed);
    assert!(!policies.authorization.evaluate("ledger", &attrs).allowed);
}

#[test]
fn selectors_pick_workloads_and_report_the_unmapped() {
    let policies = load();
    let attrs = RequestAttributes::new("POST", "h", "/invoices/9");
    let decision = policies.authorization.evaluate("invoices", &attrs);
    assert!(decision.allowed);
    assert_eq!(decision.custom.len(), 1);
    assert_eq!(&*decision.custom[0].provider, "opa");
    assert_eq!(&*decision.audit[0].policy, "billing/audit-writes");

    let decision = policies.authorization.evaluate("ledger", &attrs);
    assert!(decision.custom.is_empty() && decision.audit.is_empty());
    let providers = policies.authorization.custom_providers("invoices");
    assert_eq!(providers.iter().map(|p| &**p).collect::<Vec<_>>(), ["opa"]);
    assert!(policies.authorization.custom_providers("ledger").is_empty());
    assert_eq!(policies.providers[0].path_prefix, "/check");

    let unmapped: Vec<_> = policies.authorization.unmapped().collect();
    assert_eq!(unmapped, ["other/nowhere"]);
}

#[test]
fn dry_run_policies_are_reported_not_enforced() {
    let policies = load();
    let attrs = RequestAttributes::new("DELETE", "h", "/invoices/9");
    let decision = policies.authorization.evaluate("ledger", &attrs);
    assert!(decision.allowed);
    assert_eq!(decision.reason, Reason::NoAllowPolicies);
    assert_eq!(decision.dry_run.len(), 1);
    assert_eq!(&*decision.dry_run[0].policy, "billing/trial-lockdown");
    assert_eq!(decision.dry_run[0].action, Action::Deny);
}

#[test]
fn peer_authentication_precedence() {
    let policies = load();
    let peer = &policies.peer_authentication;
    // Workload policy is UNSET: the namespace's STRICT applies, except on its port levels.
    assert_eq!(peer.mode("invoices", Some(8080)), MtlsMode::Strict);
    assert_eq!(peer.mode("invoices", None), MtlsMode::Strict);
    assert_eq!(peer.mode("invoices", Some(9090)), MtlsMode::Disable);
    assert_eq!(peer.mode("invoices", Some(9443)), MtlsMode::Strict);
    // Port levels belong to the selected workload only.
    assert_eq!(peer.mode("ledger", Some(9090)), MtlsMode::Strict);
    // Unmapped targets get the mesh-wide mode.
    assert_eq!(peer.mode("static-site", Some(80)), MtlsMode::Permissive);
    // The port levels of the selecting policy, resolved, for the gateway's listener ports.
    let ports = peer.port_modes("invoices");
    let ports: Vec<_> = ports.into_iter().collect();
    assert_eq!(ports, [(9090, MtlsMode::Disable), (9443, MtlsMode::Strict)]);
    assert!(peer.port_modes("ledger").is_empty() && peer.port_modes("static-site").is_empty());

    let metrics = &peer.policies()[2];
    assert_eq!(metrics.name, "billing/billing-metrics");
    assert_eq!(metrics.port_level.get(&9090), Some(&MtlsMode::Disable));
    assert!(metrics.selector.as_ref().unwrap().contains_key("app"));
}

#[test]
fn mesh_wide_strict_is_inherited_and_overridden() {
    let text = r#"
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: mesh, namespace: mesh-root}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: legacy, namespace: legacy}
spec: {mtls: {mode: PERMISSIVE}}
"#;
    let documents = IstioDocuments::parse(text, "inline").unwrap();
    let config: PolicyConfig = serde_yaml_ng::from_str(
        r#"
istio:
  root_namespace: mesh-root
  workloads:
    - {target: new, namespace: modern}
    - {target: old, namespace: legacy}
"#,
    )
    .unwrap();
    let policies = Policies::compile(&config, &documents).unwrap();
    assert_eq!(policies.peer_authentication.mode("new", None), MtlsMode::Strict);
    assert_eq!(policies.peer_authentication.mode("old", None), MtlsMode::Permissive);
    assert_eq!(policies.peer_authentication.mode("none", None), MtlsMode::Strict);
}

#[test]
fn empty_spec_allows_nothing_and_service_accounts_default_to_the_namespace() {
    let text = r#"
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: locked}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: by-account, namespace: open}
spec:
  rules:
    - from: [{source: {serviceAccounts: ["caller"]}}]
"#;
    let documents = IstioDocuments::parse(text, "inline").unwrap();
    let config: PolicyConfig = serde_yaml_ng::from_str(
        "istio: {workloads: [{target: a, namespace: locked}, {target: b, namespace: open}]}",
    )
    .unwrap();
    let policies = Policies::compile(&config, &documents).unwrap();
    let mut attrs = RequestAttributes::new("GET", "h", "/");
    attrs.principal = Some("cluster.local/ns/open/sa/caller");
    assert!(!policies.authorization.evaluate("a", &attrs).allowed);
    assert!(policies.authorization.evaluate("b", &attrs).allowed);
    attrs.principal = Some("cluster.local/ns/locked/sa/caller");
    assert!(!policies.authorization.evaluate("b", &attrs).allowed);
}
