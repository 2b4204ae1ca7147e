#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! Evaluation semantics with rampart-form policies: order of actions, every string match
//! form, not-fields, request principals and `when` conditions.

use std::net::IpAddr;

use rampart_policy::{
    Action, Decision, IstioDocuments, Policies, PolicyConfig, Reason, RequestAttributes,
};
use serde_json::{json, Map, Value};

fn policies(yaml: &str) -> Policies {
    let config: PolicyConfig = serde_yaml_ng::from_str(yaml).unwrap();
    Policies::compile(&config, &IstioDocuments::default()).unwrap()
}

fn eval(policies: &Policies, attrs: &RequestAttributes<'_>) -> Decision {
    policies.authorization.evaluate("api", attrs)
}

fn get(path: &str) -> RequestAttributes<'_> {
    RequestAttributes::new("GET", "api.example.com", path)
}

#[test]
fn deny_overrides_allow() {
    let set = policies(
        r#"
policies:
  - name: allow-all
    rules: [{}]
  - name: deny-admin
    action: DENY
    rules:
      - to: [{operation: {paths: ["/public/*"]}}]
      - to: [{operation: {paths: ["/admin/*"]}}]
"#,
    );
    let decision = eval(&set, &get("/admin/users"));
    assert!(!decision.allowed);
    assert_eq!(decision.policy.as_deref(), Some("deny-admin"));
    assert_eq!(decision.rule, Some(1));
    assert_eq!(decision.reason, Reason::DenyPolicyMatched);

    let decision = eval(&set, &get("/api/users"));
    assert!(decision.allowed);
    assert_eq!(decision.policy.as_deref(), Some("allow-all"));
}

#[test]
fn no_policies_allow_and_an_allow_policy_without_rules_denies() {
    let empty = policies("{}");
    assert_eq!(eval(&empty, &get("/")).reason, Reason::NoAllowPolicies);
    assert!(eval(&empty, &get("/")).allowed);
    assert!(empty.authorization.is_empty());

    let allow_nothing = policies("policies: [{name: allow-nothing}]");
    let decision = eval(&allow_nothing, &get("/"));
    assert!(!decision.allowed);
    assert_eq!(decision.reason, Reason::NoAllowPolicyMatched);

    let deny_nothing = policies("policies: [{name: deny-nothing, action: DENY}]");
    assert!(eval(&deny_nothing, &get("/")).allowed);
}

#[test]
fn targets_scope_policies() {
    let set = policies(
        r#"
policies:
  - name: only-reports
    targets: [reports]
    rules: [{to: [{operation: {methods: [GET]}}]}]
  - name: everywhere
    action: DENY
    routes: [reports, api]
    rules: [{to: [{operation: {paths: ["/secret"]}}]}]
"#,
    );
    let post = RequestAttributes::new("POST", "h", "/x");
    assert!(!set.authorization.evaluate("reports", &post).allowed);
    assert!(set.authorization.evaluate("api", &post).allowed);
    assert!(set.authorization.evaluate("unknown", &post).allowed);
    assert!(!set.authorization.evaluate("api", &get("/secret")).allowed);
    assert!(set.authorization.evaluate("unknown", &get("/secret")).allowed);
}

#[test]
fn every_path_match_form() {
    let set = policies(
        r#"
policies:
  - name: paths
    rules:
      - to:
          - operation:
              paths: ["/exact", "/prefix/*", "*/suffix", "/tpl/{*}/items", "/files/{**}", "/w/.*"]
"#,
    );
    let cases = [
        ("/exact", true),
        ("/exact/", false),
        ("/exactly", false),
        ("/prefix/", true),
        ("/prefix/a/b", true),
        ("/prefix", false),
        ("/a/b/suffix", true),
        ("/suffix", true),
        ("/suffixes", false),
        ("/tpl/7/items", true),
        ("/tpl/7/8/items", false),
        ("/files/a/b", true),
        ("/files", false),
        ("/w/.well-known", true),
        ("/w/x", false),
    ];
    for (path, expected) in cases {
        assert_eq!(eval(&set, &get(path)).allowed, expected, "{path}");
    }

    let any = policies("policies: [{name: any, rules: [{to: [{operation: {paths: ['*']}}]}]}]");
    assert!(eval(&any, &get("/whatever")).allowed);
}

#[test]
fn not_paths_and_wildcards() {
    let set = policies(
        r#"
policies:
  - name: reads-except-internal
    rules:
      - to:
          - operation:
              methods: ["GET"]
              paths: ["/api/*"]
              notPaths: ["/api/internal/*", "*.bak"]
"#,
    );
    assert!(eval(&set, &get("/api/users")).allowed);
    assert!(!eval(&set, &get("/api/internal/keys")).allowed);
    assert!(!eval(&set, &get("/api/dump.bak")).allowed);
    assert!(!eval(&set, &get("/other")).allowed);
}

#[test]
fn hosts_methods_and_ports() {
    let set = policies(
        r#"
policies:
  - name: ops
    rules:
      - to:
          - operation:
              hosts: ["API.example.com", "*.internal"]
              notHosts: ["blocked.internal"]
              methods: ["GET", "HEAD"]
              ports: ["8443"]
"#,
    );
    let mut attrs = get("/");
    attrs.destination_port = Some(8443);
    assert!(eval(&set, &attrs).allowed);

    attrs.host = "svc.internal";
    assert!(eval(&set, &attrs).allowed);
    attrs.host = "blocked.internal";
    assert!(!eval(&set, &attrs).allowed);
    attrs.host = "api.example.com";
    attrs.method = "POST";
    assert!(!eval(&set, &attrs).allowed);
    attrs.method = "HEAD";
    attrs.destination_port = Some(8080);
    assert!(!eval(&set, &attrs).allowed);
    attrs.destination_port = None;
    assert!(!eval(&set, &attrs).allowed);
}

#[test]
fn principals_namespaces_and_service_accounts() {
    let set = policies(
        r#"
policies:
  - name: peers
    rules:
      - from: [{source: {principals: ["cluster.local/ns/prod/*"], notPrincipals: ["*/sa/legacy"]}}]
      - from: [{source: {namespaces: ["staging"], notNamespaces: ["*"]}}]
      - from: [{source: {serviceAccounts: ["tools/deployer"]}}]
      - from: [{source: {notPrincipals: ["*"]}}]
      - from: [{source: {namespaces: ["team-*-prod"]}}]
"#,
    );
    let with = |principal: Option<&'static str>| {
        let mut attrs = get("/");
        attrs.principal = principal;
        eval(&set, &attrs)
    };

    assert_eq!(with(Some("cluster.local/ns/prod/sa/web")).rule, Some(0));
    assert!(!with(Some("cluster.local/ns/prod/sa/legacy")).allowed);
    assert!(!with(Some("cluster.local/ns/staging/sa/web")).allowed);
    assert_eq!(with(Some("cluster.local/ns/tools/sa/deployer")).rule, Some(2));
    assert!(!with(Some("cluster.local/ns/tools/sa/deployer-2")).allowed);
    // The fourth rule admits requests without a peer identity (notPrincipals: ["*"]).
    assert_eq!(with(None).rule, Some(3));
    assert_eq!(with(Some("cluster.local/ns/team-a-prod/sa/x")).rule, Some(4));
    assert!(!with(Some("cluster.local/ns/team-a-dev/sa/x")).allowed);
}

#[test]
fn ip_blocks_use_the_right_address() {
    let set = policies(
        r#"
policies:
  - name: networks
    rules:
      - from: [{source: {ipBlocks: ["10.0.0.0/8"], notIpBlocks: ["10.9.0.0/16"]}}]
      - from: [{source: {remoteIpBlocks: ["203.0.113.7", "2001:db8::/32"]}}]
"#,
    );
    let with = |source: &str, remote: &str| {
        let mut attrs = get("/");
        attrs.source_ip = Some(source.parse::<IpAddr>().unwrap());
        attrs.remote_ip = Some(remote.parse::<IpAddr>().unwrap());
        eval(&set, &attrs).allowed
    };
    assert!(with("10.1.2.3", "192.0.2.1"));
    assert!(!with("10.9.2.3", "192.0.2.1"));
    assert!(with("192.0.2.1", "203.0.113.7"));
    assert!(with("192.0.2.1", "2001:db8::5"));
    assert!(!with("192.0.2.1", "203.0.113.8"));
}

#[test]
fn request_principals() {
    let set = policies(
        r#"
policies:
  - name: jwt
    rules:
      - from: [{source: {requestPrincipals: ["https://issuer.example.com/alice"]}}]
      - from:
          - source:
              requestPrincipals: ["https://partner.example.com/*"]
              notRequestPrincipals: ["*/mallory"]
      - from: [{source: {requestPrincipals: ["*"]}}]
        to: [{operation: {methods: ["GET"]}}]
"#,
    );
    let with = |method: &'static str, principal: Option<&'static str>| {
        let mut attrs = RequestAttributes::new(method, "h", "/");
        attrs.request_principal = principal;
        eval(&set, &attrs)
    };
    assert_eq!(with("POST", Some("https://issuer.example.com/alice")).rule, Some(0));
    assert!(!with("POST", Some("https://issuer.example.com/bob")).allowed);
    assert_eq!(with("POST", Some("https://partner.example.com/bob")).rule, Some(1));
    assert!(!with("POST", Some("https://partner.example.com/mallory")).allowed);
    assert_eq!(with("GET", Some("https://any.example.com/x")).rule, Some(2));
    assert!(!with("GET", None).allowed);
}

#[test]
fn request_principals_prefer_the_claims() {
    let set = policies(
        r#"
policies:
  - name: jwt
    rules: [{from: [{source: {requestPrincipals: ["https://issuer/team/alice"]}}]}]
"#,
    );
    let claims = object(json!({"iss": "https://issuer", "sub": "team/alice"}));
    let mut attrs = get("/");
    attrs.request_principal = Some("https://issuer/team/alice");
    attrs.claims = Some(&claims);
    // Split at the last `/` as Istio does, the pattern wants iss "https://issuer/team" and
    // sub "alice": the real claims say otherwise, so it does not match.
    assert!(!eval(&set, &attrs).allowed);
    attrs.claims = None;
    assert!(eval(&set, &attrs).allowed);
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn when_conditions_on_headers_and_claims() {
    let set = policies(
        r#"
policies:
  - name: conditions
    rules:
      - when:
          - key: request.headers[X-Tenant]
            values: ["acme", "beta-*"]
            notValues: ["beta-blocked"]
          - key: request.auth.claims[realm][roles]
            values: ["admin"]
          - key: request.auth.audiences
            values: ["api.example.com"]
          - key: request.auth.presenter
            values: ["*-cli"]
          # A leading `*` makes a suffix match; the trailing `*` is then literal, as in Istio.
          - key: request.auth.claims[scope]
            values: ["*write*"]
"#,
    );
    let claims = object(json!({
        "realm": {"roles": ["viewer", "admin"]},
        "aud": ["other", "api.example.com"],
        "azp": "ops-cli",
        "scope": "read write*",
    }));
    let decide = |tenant: &'static str, claims: Option<&Map<String, Value>>| {
        let headers = header_map(&[("x-tenant", tenant)]);
        let mut attrs = get("/");
        attrs.claims = claims;
        attrs.headers = &headers;
        eval(&set, &attrs).allowed
    };
    assert!(decide("beta-7", Some(&claims)));
    assert!(decide("acme", Some(&claims)));
    assert!(!decide("beta-blocked", Some(&claims)));
    assert!(!decide("gamma", Some(&claims)));
    assert!(!decide("acme", None));

    let mut fewer = claims.clone();
    fewer.insert("realm".into(), json!({"roles": ["viewer"]}));
    assert!(!decide("acme", Some(&fewer)));
    let mut scalar = claims.clone();
    scalar.insert("realm".into(), json!({"roles": "admin"}));
    assert!(decide("acme", Some(&scalar)));
    let mut number = claims.clone();
    number.insert("azp".into(), json!(7));
    assert!(!decide("acme", Some(&number)));
}

fn header_map(pairs: &[(&'static str, &'static str)]) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for (name, value) in pairs {
        headers.append(*name, http::HeaderValue::from_static(value));
    }
    headers
}

#[test]
fn when_conditions_on_connection_attributes() {
    let set = policies(
        r#"
policies:
  - name: connection
    rules:
      - when:
          - {key: source.ip, values: ["10.0.0.0/8"]}
          - {key: remote.ip, notValues: ["192.0.2.0/24"]}
          - {key: destination.ip, values: ["127.0.0.1"]}
          - {key: destination.port, values: ["8443", "9443"]}
          - {key: connection.sni, values: ["*.example.com"]}
          - {key: source.principal, values: ["cluster.local/*"]}
          - {key: source.namespace, values: ["prod"]}
          - {key: request.auth.principal, values: ["https://issuer/*"]}
"#,
    );
    let claims = object(json!({"iss": "https://issuer", "sub": "svc"}));
    let mut attrs = get("/");
    attrs.source_ip = "10.1.1.1".parse().ok();
    attrs.remote_ip = "198.51.100.1".parse().ok();
    attrs.destination_ip = "127.0.0.1".parse().ok();
    attrs.destination_port = Some(9443);
    attrs.sni = Some("api.example.com");
    attrs.principal = Some("cluster.local/ns/prod/sa/web");
    attrs.claims = Some(&claims);
    assert!(eval(&set, &attrs).allowed);

    let mut changed = attrs;
    changed.remote_ip = "192.0.2.9".parse().ok();
    assert!(!eval(&set, &changed).allowed);
    let mut changed = attrs;
    changed.sni = None;
    assert!(!eval(&set, &changed).allowed);
    let mut changed = attrs;
    changed.namespace = Some("dev");
    assert!(!eval(&set, &changed).allowed);
    let mut changed = attrs;
    changed.destination_port = Some(80);
    assert!(!eval(&set, &changed).allowed);
}

#[test]
fn header_wildcard_means_present_and_absent_headers_satisfy_not_values() {
    let set = policies(
        r#"
policies:
  - name: headers
    rules:
      - when: [{key: "request.headers[x-debug]", notValues: ["*"]}]
        to: [{operation: {methods: ["GET"]}}]
      - when: [{key: "request.headers[x-token]", values: ["*"]}]
"#,
    );
    let decide = |method: &'static str, pairs: &[(&'static str, &'static str)]| {
        let headers = header_map(pairs);
        let mut attrs = RequestAttributes::new(method, "h", "/");
        attrs.headers = &headers;
        eval(&set, &attrs).rule
    };
    assert_eq!(decide("POST", &[]), None);
    assert_eq!(decide("POST", &[("x-token", "")]), Some(1));
    assert_eq!(decide("GET", &[]), Some(0));
    assert_eq!(decide("GET", &[("x-debug", "1")]), None);
    assert_eq!(decide("GET", &[("x-debug", "1"), ("x-token", "t")]), Some(1));
}

#[test]
fn audit_custom_and_dry_run_are_reported_not_enforced() {
    let set = policies(
        r#"
providers: [{name: opa, http: {url: "http://127.0.0.1:9191"}}]
policies:
  - name: ext
    action: CUSTOM
    provider: opa
    rules: [{to: [{operation: {paths: ["/orders/*"]}}]}]
  - name: audit-writes
    action: AUDIT
    rules: [{to: [{operation: {methods: ["POST"]}}]}]
  - name: trial-deny
    action: DENY
    dry_run: true
    rules: [{}]
"#,
    );
    let attrs = RequestAttributes::new("POST", "h", "/orders/1");
    let decision = eval(&set, &attrs);
    assert!(decision.allowed);
    assert_eq!(decision.reason, Reason::NoAllowPolicies);
    assert_eq!(decision.custom.len(), 1);
    assert_eq!(&*decision.custom[0].provider, "opa");
    assert_eq!(&*decision.custom[0].policy, "ext");
    assert_eq!(decision.audit.len(), 1);
    assert_eq!(&*decision.audit[0].policy, "audit-writes");
    assert_eq!(decision.dry_run.len(), 1);
    assert_eq!(decision.dry_run[0].action, Action::Deny);

    let decision = eval(&set, &get("/other"));
    assert!(decision.custom.is_empty() && decision.audit.is_empty());
}
