#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! Configuration errors name the document and the path of the bad value.

use rampart_policy::{IstioDocuments, Policies, PolicyConfig, PolicyError, Problem};

fn istio_error(spec: &str) -> PolicyError {
    let text = format!(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n\
         metadata: {{name: p, namespace: ns}}\nspec:\n{spec}"
    );
    match IstioDocuments::parse(&text, "policy.yaml") {
        Err(err) => err,
        Ok(documents) => Policies::compile(&PolicyConfig::default(), &documents).unwrap_err(),
    }
}

fn invalid(err: &PolicyError) -> (&str, &str, &Problem) {
    match err {
        PolicyError::Invalid { origin, path, problem } => (origin, path, problem),
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

#[test]
fn unknown_fields_name_their_path() {
    let err = istio_error("  rules:\n    - from:\n        - source: {principal: [a]}\n");
    let PolicyError::Schema { origin, path, message } = &err else { panic!("{err:?}") };
    assert_eq!(origin, "policy.yaml document 1");
    assert_eq!(path, "spec.rules[0].from[0].source.principal");
    assert!(message.contains("unknown field `principal`"), "{message}");
    assert!(err.to_string().starts_with("policy.yaml document 1: spec.rules[0]"), "{err}");
}

#[test]
fn bad_values_name_their_path() {
    let cases = [
        (
            "  rules: [{from: [{source: {ipBlocks: [10.0.0.0/8, 10.0.0.0/40]}}]}]\n",
            "spec.rules[0].from[0].source.ipBlocks[1]",
            Problem::InvalidCidr("10.0.0.0/40".into()),
        ),
        (
            "  rules: [{}, {to: [{operation: {ports: [\"http\"]}}]}]\n",
            "spec.rules[1].to[0].operation.ports[0]",
            Problem::InvalidPort("http".into()),
        ),
        (
            "  rules: [{when: [{key: request.method, values: [GET]}]}]\n",
            "spec.rules[0].when[0].key",
            Problem::UnknownKey("request.method".into()),
        ),
        (
            "  rules: [{when: [{key: source.ip}]}]\n",
            "spec.rules[0].when[0]",
            Problem::ConditionWithoutValues,
        ),
        (
            "  rules: [{from: [{source: {}}]}]\n",
            "spec.rules[0].from[0].source",
            Problem::EmptySource,
        ),
        ("  rules: [{to: [{}]}]\n", "spec.rules[0].to[0].operation", Problem::EmptyOperation),
        (
            "  rules: [{to: [{operation: {paths: [\"\"]}}]}]\n",
            "spec.rules[0].to[0].operation.paths[0]",
            Problem::EmptyValue,
        ),
        (
            "  rules: [{to: [{operation: {paths: [\"/a/{**}/b\"]}}]}]\n",
            "spec.rules[0].to[0].operation.paths[0]",
            Problem::InvalidPathTemplate("/a/{**}/b".into()),
        ),
        (
            "  rules: [{to: [{operation: {notPaths: [\"/ok\", \"/caf%c3%a9/*\"]}}]}]\n",
            "spec.rules[0].to[0].operation.notPaths[1]",
            Problem::UnnormalizedPath("/caf%c3%a9/*".into(), "/caf%C3%A9/*".into()),
        ),
        (
            "  rules: [{to: [{operation: {paths: [\"/api/../admin\"]}}]}]\n",
            "spec.rules[0].to[0].operation.paths[0]",
            Problem::UnnormalizedPath("/api/../admin".into(), "/admin".into()),
        ),
        ("  action: CUSTOM\n", "spec.provider", Problem::MissingProvider),
        ("  action: DENY\n  provider: {name: opa}\n", "spec.provider", Problem::UnexpectedProvider),
        (
            "  targetRefs: [{kind: Gateway, name: gw}]\n",
            "spec.targetRef",
            Problem::TargetRefUnsupported,
        ),
    ];
    for (spec, expected_path, expected_problem) in cases {
        let err = istio_error(spec);
        let (origin, path, problem) = invalid(&err);
        assert_eq!(origin, "policy.yaml document 1");
        assert_eq!((path, problem), (expected_path, &expected_problem), "{spec}");
    }
}

#[test]
fn wrong_kinds_versions_and_yaml_are_refused() {
    let text =
        "apiVersion: security.istio.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: a}\n";
    let err = IstioDocuments::parse(text, "f.yaml").unwrap_err();
    assert!(matches!(invalid(&err), (_, "apiVersion", Problem::UnsupportedApiVersion(_))));

    let text =
        "---\napiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: a}\n";
    let err = IstioDocuments::parse(text, "f.yaml").unwrap_err();
    assert!(matches!(invalid(&err), ("f.yaml document 1", "kind", Problem::UnsupportedKind(_))));

    let text =
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\n---\n[";
    let err = IstioDocuments::parse(text, "f.yaml").unwrap_err();
    assert!(
        matches!(&err, PolicyError::Yaml { origin, .. } if origin == "f.yaml document 2"),
        "{err}"
    );

    let text = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nspec: {}\n";
    let err = IstioDocuments::parse(text, "f.yaml").unwrap_err();
    assert!(err.to_string().contains("missing field `metadata`"), "{err}");
}

#[test]
fn peer_authentication_errors() {
    let head = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\n";
    let text = format!("{head}spec: {{portLevelMtls: {{8080: {{mode: STRICT}}}}}}\n");
    let documents = IstioDocuments::parse(&text, "pa.yaml").unwrap();
    let err = Policies::compile(&PolicyConfig::default(), &documents).unwrap_err();
    assert!(matches!(invalid(&err), (_, "spec.portLevelMtls", Problem::PortLevelWithoutSelector)));

    let text = format!(
        "{head}spec:\n  selector: {{matchLabels: {{a: b}}}}\n  \
         portLevelMtls: {{\"80x\": {{mode: STRICT}}}}\n"
    );
    let documents = IstioDocuments::parse(&text, "pa.yaml").unwrap();
    let err = Policies::compile(&PolicyConfig::default(), &documents).unwrap_err();
    assert!(matches!(invalid(&err), (_, "spec.portLevelMtls.80x", Problem::InvalidPort(_))));

    let err =
        IstioDocuments::parse(&format!("{head}spec: {{mtls: {{mode: STRICTER}}}}\n"), "pa.yaml")
            .unwrap_err();
    assert!(matches!(&err, PolicyError::Schema { path, .. } if path == "spec.mtls.mode"), "{err}");
}

#[test]
fn rampart_policy_errors() {
    let compile = |yaml: &str| {
        let config: PolicyConfig = serde_yaml_ng::from_str(yaml).unwrap();
        Policies::compile(&config, &IstioDocuments::default()).unwrap_err()
    };

    let err = compile("policies: [{name: a}, {name: a}]");
    assert!(matches!(invalid(&err), ("policies[1] `a`", "name", Problem::DuplicateName(_))));

    let err =
        compile("policies: [{name: a, rules: [{from: [{source: {serviceAccounts: [sa]}}]}]}]");
    let (_, path, problem) = invalid(&err);
    assert_eq!(path, "rules[0].from[0].source.serviceAccounts[0]");
    assert_eq!(problem, &Problem::ServiceAccountWithoutNamespace("sa".into()));
    assert_eq!(
        err.to_string(),
        "policies[0] `a`: rules[0].from[0].source.serviceAccounts[0]: service account `sa` \
         needs a namespace: write `NAMESPACE/sa`"
    );

    let err = compile("policies: [{name: ''}]");
    assert!(matches!(invalid(&err), (_, "name", Problem::EmptyName)));

    let err = compile("policies: [{name: c, action: CUSTOM}]");
    assert!(matches!(invalid(&err), (_, "provider", Problem::MissingProvider)));

    let unknown = serde_yaml_ng::from_str::<PolicyConfig>("policies: [{name: a, acton: DENY}]");
    assert!(unknown.unwrap_err().to_string().contains("unknown field `acton`"));
}

#[test]
fn files_are_read_with_a_size_limit() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let big = dir.join("big.yaml");
    std::fs::write(&big, "#".repeat(4 * 1024 * 1024 + 1)).unwrap();

    let config: PolicyConfig = serde_yaml_ng::from_str("istio: {files: [big.yaml]}").unwrap();
    let err = Policies::load(&config, dir).unwrap_err();
    assert!(matches!(err, PolicyError::TooLarge { .. }), "{err}");

    let config: PolicyConfig = serde_yaml_ng::from_str("istio: {files: [missing.yaml]}").unwrap();
    let err = Policies::load(&config, dir).unwrap_err();
    assert!(err.to_string().starts_with("cannot read policy file `"), "{err}");

    std::fs::write(dir.join("ok.yaml"), "---\n").unwrap();
    let config: PolicyConfig = serde_yaml_ng::from_str("istio: {files: [ok.yaml]}").unwrap();
    assert!(Policies::load(&config, dir).unwrap().authorization.is_empty());
}

#[test]
fn targets_must_be_routes() {
    let config: PolicyConfig = serde_yaml_ng::from_str(
        r#"
policies:
  - {name: a, targets: [orders]}
  - {name: b, targets: [orders, ordres]}
istio:
  workloads:
    - {target: orders, namespace: shop}
"#,
    )
    .unwrap();
    let routes = ["orders", "users"];
    let err = config.check_targets(|t| routes.contains(&t)).unwrap_err();
    assert_eq!(err.to_string(), "policies: policies[1].targets[1]: target `ordres` is not a route");

    let config: PolicyConfig = serde_yaml_ng::from_str(
        "istio: {workloads: [{target: users, namespace: a}, {target: users, namespace: b}]}",
    )
    .unwrap();
    let err = config.check_targets(|t| routes.contains(&t)).unwrap_err();
    assert!(matches!(
        invalid(&err),
        ("istio", "istio.workloads[1].target", Problem::DuplicateWorkload(_))
    ));

    let config: PolicyConfig =
        serde_yaml_ng::from_str("istio: {workloads: [{target: users, namespace: a}]}").unwrap();
    assert!(config.check_targets(|t| routes.contains(&t)).is_ok());
    assert!(config.check_targets(|_| false).is_err());
}

#[test]
fn custom_policies_need_a_defined_provider() {
    let compile = |yaml: &str| {
        let config: PolicyConfig = serde_yaml_ng::from_str(yaml).unwrap();
        Policies::compile(&config, &IstioDocuments::default())
    };
    let err = compile("policies: [{name: c, action: CUSTOM, provider: {name: opa}}]").unwrap_err();
    assert!(matches!(invalid(&err), ("policies[0] `c`", "provider", Problem::UnknownProvider(_))));
    assert!(err.to_string().contains("define it under authorization.providers"), "{err}");

    let defined = "providers: [{name: opa, http: {url: 'http://127.0.0.1:1/'}}]\n";
    let policies = format!("{defined}policies: [{{name: c, action: CUSTOM, provider: opa}}]");
    assert_eq!(compile(&policies).unwrap().providers.len(), 1);

    let err = istio_error("  action: CUSTOM\n  provider: {name: opa}\n");
    assert!(matches!(invalid(&err), (_, "spec.provider", Problem::UnknownProvider(_))));
}

#[test]
fn provider_errors_name_their_path() {
    let compile = |providers: &str| {
        let config: PolicyConfig =
            serde_yaml_ng::from_str(&format!("providers: {providers}")).unwrap();
        Policies::compile(&config, &IstioDocuments::default()).unwrap_err()
    };
    let url = "url: 'http://h:1/c'";
    type Case = (String, &'static str, fn(&Problem) -> bool);
    let cases: [Case; 6] = [
        (format!("{url}, timeout: 10"), "http.timeout", |p| {
            matches!(p, Problem::InvalidTimeout(_))
        }),
        (format!("{url}, timeout: 2m"), "http.timeout", |p| {
            matches!(p, Problem::InvalidTimeout(_))
        }),
        (format!("{url}, status_on_error: 200"), "http.status_on_error", |p| {
            matches!(p, Problem::InvalidStatusOnError(200))
        }),
        (
            format!("{url}, include_request_headers: [a, 'b c']"),
            "http.include_request_headers[1]",
            |p| matches!(p, Problem::InvalidHeaderName(_)),
        ),
        (
            format!("{url}, headers_to_upstream_on_allow: [Host]"),
            "http.headers_to_upstream_on_allow[0]",
            |p| matches!(p, Problem::ReservedHeader(_)),
        ),
        ("url: 'https://h/'".to_owned(), "http.url", |p| {
            matches!(p, Problem::InvalidProviderUrl(..))
        }),
    ];
    for (http, want_path, check) in cases {
        let err = compile(&format!("[{{name: a, http: {{{http}}}}}]"));
        let (origin, path, problem) = invalid(&err);
        assert_eq!((origin, path), ("providers[0] `a`", want_path), "{http}");
        assert!(check(problem), "{http}: {problem:?}");
    }

    let err =
        compile("[{name: a, http: {url: 'http://h:1'}}, {name: a, http: {url: 'http://h:2'}}]");
    assert!(matches!(invalid(&err), ("providers[1] `a`", "name", Problem::DuplicateProvider(_))));
    let unknown = serde_yaml_ng::from_str::<PolicyConfig>("providers: [{name: a, grpc: {}}]");
    assert!(unknown.unwrap_err().to_string().contains("unknown field `grpc`"));
}
