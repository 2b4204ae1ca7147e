#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! The bypass attempts of issue 7 against DENY and ALLOW policies, going through the real
//! path and host normalization exactly as the gateway does before evaluating.

use rampart_path::{normalize_host, normalize_path, EncodedSlashes, PathOptions, PathParameters};
use rampart_policy::{IstioDocuments, Policies, PolicyConfig, RequestAttributes};

/// What the gateway would answer: 400 for a malformed request, else 200 or 403.
fn status(policies: &Policies, opts: &PathOptions, host: &str, raw_path: &str) -> u16 {
    let Ok(path) = normalize_path(raw_path, opts) else { return 400 };
    let Ok(host) = normalize_host(host) else { return 400 };
    let attrs = RequestAttributes::new("GET", &host.name, &path);
    if policies.authorization.evaluate("site", &attrs).allowed {
        200
    } else {
        403
    }
}

fn compile(yaml: &str) -> Policies {
    let config: PolicyConfig = serde_yaml_ng::from_str(yaml).unwrap();
    Policies::compile(&config, &IstioDocuments::default()).unwrap()
}

fn deny_policies() -> Policies {
    compile(
        r#"
policies:
  - name: deny-admin
    action: DENY
    rules:
      - to: [{operation: {paths: ["/admin", "/admin/*", "/internal", "/internal/*"]}}]
      - to: [{operation: {hosts: ["admin.example.com"]}}]
"#,
    )
}

fn allow_policies() -> Policies {
    compile(
        r#"
policies:
  - name: allow-public
    rules:
      - to: [{operation: {hosts: ["www.example.com"], paths: ["/public/*", "/api/data/*"]}}]
"#,
    )
}

#[test]
fn deny_policies_see_through_encodings() {
    let set = deny_policies();
    let strict = PathOptions::default();
    let lenient = PathOptions {
        encoded_slashes: EncodedSlashes::KeepOpaque,
        path_parameters: PathParameters::Strip,
        merge_slashes: true,
    };
    let host = "www.example.com";
    for opts in [&strict, &lenient] {
        assert_eq!(status(&set, opts, host, "/public/x"), 200);
        assert_eq!(status(&set, opts, host, "/admin"), 403);
        assert_eq!(status(&set, opts, host, "//admin"), 403);
        assert_eq!(status(&set, opts, host, "/./admin/"), 403);
        assert_eq!(status(&set, opts, host, "/public/../admin"), 403);
        assert_eq!(status(&set, opts, host, "/public/%2e%2e/admin"), 403);
        assert_eq!(status(&set, opts, host, "/%61dmin"), 403);
        assert_eq!(status(&set, opts, host, "/x#/../admin"), 400);
        assert_eq!(status(&set, opts, "ADMIN.example.com.", "/"), 403);
        assert_eq!(status(&set, opts, "admin.EXAMPLE.com:443", "/"), 403);
    }

    assert_eq!(status(&set, &strict, host, "/public/..;/internal"), 400);
    assert_eq!(status(&set, &lenient, host, "/public/..;/internal"), 403);
    assert_eq!(status(&set, &strict, host, "/api/data/..%2f..%2fadmin"), 400);
    // Kept opaque, `..%2F..%2Fadmin` is one segment name, never a climb: nothing to deny.
    assert_eq!(status(&set, &lenient, host, "/api/data/..%2f..%2fadmin"), 200);
}

#[test]
fn allow_policies_do_not_admit_escapes() {
    let set = allow_policies();
    let opts = PathOptions::default();
    let host = "www.example.com";
    assert_eq!(status(&set, &opts, host, "/public/page"), 200);
    assert_eq!(status(&set, &opts, "WWW.Example.COM.", "//public//page"), 200);
    assert_eq!(status(&set, &opts, host, "/public/../admin"), 403);
    assert_eq!(status(&set, &opts, host, "/public/%2E%2E/admin"), 403);
    assert_eq!(status(&set, &opts, host, "/public/..;/internal"), 400);
    assert_eq!(status(&set, &opts, host, "/api/data/..%2f..%2fadmin"), 400);
    assert_eq!(status(&set, &opts, host, "/x#/../public/page"), 400);
    assert_eq!(status(&set, &opts, "ADMIN.example.com.", "/public/page"), 403);
    assert_eq!(status(&set, &opts, "www.example.com:8443", "/public/page"), 200);
}
