//! `rampart check`: every config error names the file, the place in the document and what was
//! expected; the exit code is 0 for a valid file and 2 otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Command;

const BASE: &str = r#"
listeners: [{name: main, address: "127.0.0.1:8080"}]
upstreams: {api: {targets: ["127.0.0.1:9000"]}}
jwt_providers:
  main: {issuer: i, audiences: [a], algorithms: [HS256], hmac_secret_env: RAMPART_CHECK_SECRET}
routes:
  - name: open
    match: {path: "/public/*"}
    upstream: api
  - name: guarded
    match: {path: "/api/*"}
    upstream: api
    auth: {jwt: {providers: [main]}}
"#;

fn check(text: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gw.yaml");
    std::fs::write(&file, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["check", "--config"])
        .arg(&file)
        .env("RAMPART_CHECK_SECRET", "0123456789abcdef0123456789abcdef")
        .output()
        .unwrap();
    let stderr =
        String::from_utf8_lossy(&output.stderr).replace(&*file.to_string_lossy(), "gw.yaml");
    (output.status.code().unwrap(), String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
}

fn error_of(text: &str) -> String {
    let (code, _, stderr) = check(text);
    assert_eq!(code, 2, "{stderr}");
    stderr.trim().to_owned()
}

#[test]
fn valid_config_exits_zero() {
    let (code, stdout, stderr) = check(BASE);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("ok (1 listeners, 2 routes, 1 upstreams)"), "{stdout}");
}

#[test]
fn shipped_example_is_valid() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quickstart.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["check", "--config"])
        .arg(example)
        .env("RAMPART_DEMO_SECRET", "demo-secret-for-the-quick-start-0123456789")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn each_error_names_where_and_what() {
    let cases = [
        (
            BASE.replace("upstream: api\n  - name: guarded", "upstream: api\n    timeot: 5s\n  - name: guarded"),
            "gw.yaml:10: at `routes[0].timeot`: unknown field `timeot`, expected one of `name`",
        ),
        (BASE.replace("providers: [main]", "providers: [mian]"),
            "at `routes[1].auth.jwt.providers[0]`: unknown provider `mian`; defined in jwt_providers: [main]"),
        (BASE.replacen("upstream: api", "upstream: apx", 1),
            "at `routes[0].upstream`: unknown upstream `apx`; defined upstreams: api"),
        (BASE.replace("/public/*", "/pub*lic"),
            "at `routes[0].match.path`: path pattern `/pub*lic` may use `*` only as its last segment"),
        (BASE.replace("upstream: api\n  - name: guarded", "upstream: api\n    timeout: 10\n  - name: guarded"),
            "at `routes[0].timeout`: invalid duration `10`: the unit must be ms, s, m or h"),
        (BASE.replace("name: guarded", "name: open"),
            "at `routes[1].name`: the route name `open` is used twice; names must be unique"),
        (BASE.replace("127.0.0.1:9000", "localhost"),
            "at `upstreams.api.targets[0]`: `localhost` is not a target; write host:port"),
        (BASE.replace("{name: main, address: \"127.0.0.1:8080\"}",
                      "{name: main, address: \"127.0.0.1:8080\", tls: {cert: nope.pem, key: nope.pem}}"),
            "at `listeners[0].tls.cert`: cannot read "),
        (BASE.replace("RAMPART_CHECK_SECRET", "RAMPART_CHECK_UNSET_VARIABLE"), "RAMPART_CHECK_UNSET_VARIABLE"),
        (BASE.replace("algorithms: [HS256]", "algorithms: [HS257]"), "HS257"),
        (BASE.replace("address: \"127.0.0.1:8080\"", "address: \"nowhere\""), "at `listeners[0].address`"),
        ("listeners: [".to_owned(), "gw.yaml:"),
    ];
    for (text, expected) in cases {
        let error = error_of(&text);
        assert!(error.contains(expected), "expected `{expected}` in:\n{error}");
        assert!(error.starts_with("rampart: config error: gw.yaml"), "{error}");
    }
}

#[test]
fn waf_config_errors_name_the_route() {
    let missing = BASE.replace(
        "    upstream: api\n  - name: guarded",
        "    upstream: api\n    waf: {mode: block, rules: [\"no-such-dir/*.conf\"]}\n  - name: guarded",
    );
    assert!(error_of(&missing).contains("at `routes[0].waf`: `no-such-dir/*.conf` matches no file"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.conf"),
        "SecRule ARGS \"@rx a\" \"id:1,phase:2,deny\"\nSecBogus On\n",
    )
    .unwrap();
    let broken = BASE.replace(
        "    upstream: api\n  - name: guarded",
        &format!("    upstream: api\n    waf: {{mode: block, rules: [\"{}/bad.conf\"]}}\n  - name: guarded", dir.path().display()),
    );
    let error = error_of(&broken);
    assert!(
        error.contains("at `routes[0].waf`")
            && error.contains("bad.conf")
            && error.contains("SecBogus"),
        "{error}"
    );

    let paranoid = BASE.replace(
        "    upstream: api\n  - name: guarded",
        &format!("    upstream: api\n    waf: {{mode: block, paranoia_level: 5, rules: [\"{}/bad.conf\"]}}\n  - name: guarded", dir.path().display()),
    );
    assert!(error_of(&paranoid).contains("paranoia_level must be 1, 2, 3 or 4"));
}

/// Found by a new user: a misspelt workload namespace made the seed's Istio policies apply to
/// nothing, and `check` said ok while the gateway served the route unprotected.
#[test]
fn an_istio_policy_that_selects_no_route_fails_the_check() {
    let istio = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/zero-trust/research.yaml")
        .canonicalize()
        .unwrap();
    let config = |namespace: &str| {
        format!(
            "{BASE}authorization:\n  istio:\n    files: [\"{}\"]\n    workloads:\n      \
             - {{target: guarded, namespace: {namespace}, labels: {{app: research-data-service}}}}\n",
            istio.display()
        )
    };
    let (code, _, stderr) = check(&config("research"));
    assert_eq!(code, 0, "{stderr}");

    let error = error_of(&config("reserch"));
    assert!(error.contains("authorization.istio.workloads"), "{error}");
    assert!(error.contains("selects no route"), "{error}");
}

/// Found by a new user: `check` said ok for configs that `serve` then refused to start with.
#[test]
fn what_serve_would_refuse_at_start_fails_the_check() {
    let error = error_of(&format!("{BASE}events: {{sink: file}}\n"));
    assert!(error.contains("events.path is required"), "{error}");

    let error = error_of(&format!("{BASE}events: {{sink: stdout, path: /tmp/e.jsonl}}\n"));
    assert!(error.contains("only valid with `sink: file`"), "{error}");

    let error =
        error_of(&format!("{BASE}events: {{sink: file, path: /nonexistent/dir/e.jsonl}}\n"));
    assert!(error.contains("at `events.path`"), "{error}");
    assert!(error.contains("`/nonexistent/dir` does not exist"), "{error}");

    let error = error_of(&format!("{BASE}demo: {{address: \"127.0.0.1:8080\"}}\n"));
    assert!(error.contains("at `listeners[0].address`"), "{error}");
    assert!(error.contains("is also `demo.address`"), "{error}");
}
