#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! The seed document's policies, loaded from Istio YAML, with the full allow/deny matrix.

use std::path::Path;

use rampart_path::{normalize_host, normalize_path, PathOptions};
use rampart_policy::{MtlsMode, Policies, PolicyConfig, Reason, RequestAttributes};

const TARGET: &str = "research-data";
const FRONTEND: &str = "cluster.local/ns/research/sa/research-frontend";

fn load() -> Policies {
    let config: PolicyConfig = serde_yaml_ng::from_str(
        r#"
istio:
  files: [seed.yaml]
  workloads:
    - target: research-data
      namespace: research
      labels: {app: research-data-service, version: v1}
    - target: research-ui
      namespace: research
      labels: {app: research-ui}
"#,
    )
    .unwrap();
    Policies::load(&config, &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")).unwrap()
}

fn allowed(policies: &Policies, principal: Option<&str>, method: &str, path: &str) -> bool {
    let mut attrs = RequestAttributes::new(method, "research-data.research.svc", path);
    attrs.principal = principal;
    policies.authorization.evaluate(TARGET, &attrs).allowed
}

#[test]
fn full_allow_deny_matrix() {
    let policies = load();
    let principals = [
        Some(FRONTEND),
        Some("cluster.local/ns/research/sa/research-batch"),
        Some("cluster.local/ns/public/sa/research-frontend"),
        Some("other.domain/ns/research/sa/research-frontend"),
        None,
    ];
    let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "get"];
    let paths = ["/api/data/1", "/api/data/a/b", "/api/data/", "/api/data", "/api/other", "/"];

    let mut allowed_count = 0;
    for principal in principals {
        for method in methods {
            for path in paths {
                let expected = principal == Some(FRONTEND)
                    && (method == "GET" || method == "POST")
                    && path.starts_with("/api/data/");
                let actual = allowed(&policies, principal, method, path);
                assert_eq!(actual, expected, "{principal:?} {method} {path}");
                allowed_count += usize::from(actual);
            }
        }
    }
    assert_eq!(allowed_count, 6);
}

#[test]
fn decisions_name_the_policy_and_rule() {
    let policies = load();
    let mut attrs = RequestAttributes::new("GET", "h", "/api/data/7");
    attrs.principal = Some(FRONTEND);
    let decision = policies.authorization.evaluate(TARGET, &attrs);
    assert!(decision.allowed);
    assert_eq!(decision.policy.as_deref(), Some("research/research-data-access"));
    assert_eq!(decision.rule, Some(0));
    assert_eq!(decision.reason, Reason::AllowPolicyMatched);

    attrs.method = "DELETE";
    let decision = policies.authorization.evaluate(TARGET, &attrs);
    assert!(!decision.allowed);
    assert_eq!(decision.policy, None);
    assert_eq!(decision.reason, Reason::NoAllowPolicyMatched);
    assert_eq!(decision.reason.as_str(), "no_allow_policy_matched");
}

#[test]
fn targets_not_selected_are_not_governed() {
    let policies = load();
    let attrs = RequestAttributes::new("DELETE", "h", "/anything");
    let decision = policies.authorization.evaluate("research-ui", &attrs);
    assert!(decision.allowed);
    assert_eq!(decision.reason, Reason::NoAllowPolicies);
    assert!(!policies.authorization.has_allow_policies("research-ui"));
    assert!(policies.authorization.has_allow_policies(TARGET));
    assert_eq!(policies.authorization.unmapped().count(), 0);
}

#[test]
fn namespace_is_strict() {
    let policies = load();
    let peer = &policies.peer_authentication;
    assert_eq!(peer.mode(TARGET, Some(8080)), MtlsMode::Strict);
    assert_eq!(peer.mode("research-ui", None), MtlsMode::Strict);
    assert_eq!(peer.mode("not-a-workload", None), MtlsMode::Permissive);
    assert_eq!(peer.policies()[0].name, "research/default");
}

/// Attack paths through the real normalizer: what reaches the policy is what the service
/// would see, or the request is refused before any policy runs.
#[test]
fn attack_paths_are_decided_on_the_normalized_path() {
    let policies = load();
    let opts = PathOptions::default();
    let decide = |raw: &str| {
        let path = normalize_path(raw, &opts).ok()?;
        Some(allowed(&policies, Some(FRONTEND), "GET", &path))
    };

    assert_eq!(decide("//api/data/1"), Some(true));
    assert_eq!(decide("/api/data/../../admin"), Some(false));
    assert_eq!(decide("/api/data/%2e%2e/%2e%2e/admin"), Some(false));
    assert_eq!(decide("/api/%64ata/1"), Some(true));
    assert_eq!(decide("/api/data/..%2f..%2fadmin"), None);
    assert_eq!(decide("/api/data/x#/../admin"), None);
    assert_eq!(decide("/public/..;/api/data/1"), None);
    assert_eq!(decide("/API/data/1"), Some(false));
    assert_eq!(
        normalize_host("RESEARCH-DATA.research.svc.:80").unwrap().name,
        "research-data.research.svc"
    );
}

#[test]
fn compiled_policies_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Policies>();
    shared::<rampart_policy::Decision>();
    shared::<RequestAttributes<'static>>();
}
