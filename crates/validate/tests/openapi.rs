#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! OpenAPI import: the lab API fixture in its 3.0 and 3.1 variants must behave the same.

use std::path::{Path, PathBuf};

use http::{HeaderMap, HeaderValue, Method};
use rampart_validate::{
    Location, OpenApiDocument, OpenApiError, OpenApiMatch, OpenApiRoutes, Rejection, RequestHead,
};

const VERSIONS: [&str; 2] = ["openapi-3.0.yaml", "openapi-3.1.yaml"];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/validation").join(name)
}

fn load(name: &str, strict: bool) -> OpenApiRoutes {
    OpenApiDocument::load(&fixture(name), strict).unwrap()
}

/// Runs a request's head and body through the document, as the gateway's stage would.
fn request(
    routes: &OpenApiRoutes,
    method: Method,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<(), Rejection> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let OpenApiMatch::Found { op, params } = routes.find(&method, path) else {
        panic!("{method} {path} did not match");
    };
    let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name: http::HeaderName = name.parse().unwrap();
        map.append(name, HeaderValue::from_str(value).unwrap());
    }

    let head = RequestHead { method: &method, path_params: &params, query, headers: &map };
    op.validator.validate_head(&head)?;
    if op.validator.wants_body_for(&map) {
        op.validator.validate_body(body.as_bytes())?;
    }
    Ok(())
}

fn details(r: Rejection) -> Vec<(Location, String, String)> {
    assert_eq!(r.status, 400, "{r:?}");
    r.details.into_iter().map(|d| (d.location, d.pointer, d.message)).collect()
}

/// Body details sorted by pointer: their order follows the schema's property order.
fn body_details(r: Rejection) -> Vec<(Location, String, String)> {
    let mut got = details(r);
    got.sort_by(|a, b| a.1.cmp(&b.1));
    got
}

const JSON: (&str, &str) = ("content-type", "application/json");

const EXPERIMENT: &str = r#"{"experiment_id": "exp-1", "temperature": 21.5, "pressure": 1,
    "timestamp": "2024-05-01T12:00:00Z", "researcher_id": "ada", "notes": null}"#;

#[test]
fn operations_are_imported_with_their_ids() {
    for version in VERSIONS {
        let routes = load(version, false);
        let ids: Vec<&str> =
            routes.operations().iter().filter_map(|o| o.operation_id.as_deref()).collect();
        assert_eq!(
            ids,
            [
                "listExperiments",
                "createExperiment",
                "listMyExperiments",
                "getExperiment",
                "deleteExperiment",
                "updateExperiment",
                "addReading",
                "upload"
            ],
            "{version}"
        );
        assert!(!routes.strict());
    }
}

#[test]
fn paths_methods_and_parameters_match() {
    for version in VERSIONS {
        let routes = load(version, true);
        match routes.find(&Method::GET, "/experiments/exp%5F7") {
            OpenApiMatch::Found { op, params } => {
                assert_eq!(op.operation_id.as_deref(), Some("getExperiment"));
                assert_eq!(op.path_template, "/experiments/{experimentId}");
                assert_eq!(params, [("experimentId", "exp_7".to_owned())]);
            }
            other => panic!("{other:?}"),
        }
        match routes.find(&Method::GET, "/experiments/mine") {
            OpenApiMatch::Found { op, .. } => {
                assert_eq!(op.operation_id.as_deref(), Some("listMyExperiments"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(routes.find(&Method::GET, "/nope"), OpenApiMatch::NoPath));
        match routes.find(&Method::PUT, "/experiments") {
            OpenApiMatch::MethodNotAllowed { allowed } => {
                assert_eq!(allowed, [Method::GET, Method::POST]);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn query_path_and_header_parameters_are_validated() {
    for version in VERSIONS {
        let routes = load(version, false);
        let ok = "/experiments?limit=10&status=done&tags=a&tags=b&ids=1,2&verbose=false";
        request(&routes, Method::GET, ok, &[], "").unwrap();

        let bad = "/experiments?limit=0&status=lost&ids=1,two";
        let hdrs = [("x-request-id", "nope")];
        let got = details(request(&routes, Method::GET, bad, &hdrs, "").unwrap_err());
        assert_eq!(
            got,
            [
                (Location::Query, "/limit".into(), "must be >= 1".into()),
                (Location::Query, "/status".into(), r#"must be one of ["running","done"]"#.into()),
                (Location::Query, "/ids/1".into(), "expected integer, got string".into()),
                (Location::Header, "/x-request-id".into(), "\"nope\" is not a valid uuid".into()),
            ],
            "{version}"
        );

        let got =
            details(request(&routes, Method::GET, "/experiments/bad%20id", &[], "").unwrap_err());
        let message = "\"bad id\" does not match the pattern ^[a-zA-Z0-9_-]{1,50}$";
        assert_eq!(got, [(Location::Path, "/experimentId".into(), message.into())], "{version}");
    }
}

#[test]
fn request_bodies_follow_refs_and_the_dialect() {
    for version in VERSIONS {
        let routes = load(version, false);
        request(&routes, Method::POST, "/experiments", &[JSON], EXPERIMENT).unwrap();

        let cold = EXPERIMENT.replace("21.5", "-273.15").replace("\"ada\"", "\"a d\"");
        let got = body_details(
            request(&routes, Method::POST, "/experiments", &[JSON], &cold).unwrap_err(),
        );
        assert_eq!(
            got,
            [
                (
                    Location::Body,
                    "/researcher_id".into(),
                    "\"a d\" does not match the pattern ^[a-zA-Z0-9_]+$".into()
                ),
                (Location::Body, "/temperature".into(), "must be > -273.15".into()),
            ],
            "{version}"
        );

        let reading = r#"{"temperature": 5, "taken_at": "2024-05-01T12:00:00Z",
            "probe": {"id": "6f1c2a3e-8b4d-4c5e-9f60-718293a4b5c6",
            "next": {"address": "1.2.3"}}}"#;
        let got = body_details(
            request(&routes, Method::POST, "/experiments/e1/readings", &[JSON], reading)
                .unwrap_err(),
        );
        assert_eq!(
            got,
            [
                (
                    Location::Body,
                    "/probe/next/address".into(),
                    "\"1.2.3\" is not a valid ipv4".into()
                ),
                (Location::Body, "/probe/next/id".into(), "required property is missing".into()),
            ],
            "{version}"
        );
    }
}

#[test]
fn nullable_and_merge_patch_bodies() {
    for version in VERSIONS {
        let routes = load(version, false);
        let patch = [("content-type", "application/merge-patch+json")];
        request(&routes, Method::PATCH, "/experiments/e1", &patch, r#"{"notes": null}"#).unwrap();
        let got = body_details(
            request(&routes, Method::PATCH, "/experiments/e1", &patch, r#"{"notes": 5, "x": 1}"#)
                .unwrap_err(),
        );
        assert_eq!(
            got,
            [
                (
                    Location::Body,
                    "/notes".into(),
                    "expected one of null, string, got integer".into()
                ),
                (Location::Body, "/x".into(), "property is not allowed".into()),
            ],
            "{version}"
        );

        let r = request(&routes, Method::PATCH, "/experiments/e1", &[JSON], "{}").unwrap_err();
        assert_eq!(r.status, 415, "{version}");
        let expected = "content type \"application/json\" is not accepted; \
            expected application/merge-patch+json";
        assert_eq!(r.message, expected);
        let r = request(&routes, Method::PATCH, "/experiments/e1", &patch, "").unwrap_err();
        assert_eq!(r.details[0].message, "request body is required");
    }
}

#[test]
fn non_json_media_types_are_accepted_without_body_validation() {
    for version in VERSIONS {
        let routes = load(version, false);
        let multipart = [("content-type", "multipart/form-data; boundary=x")];
        request(&routes, Method::POST, "/uploads", &multipart, "--x--").unwrap();
        let got = body_details(
            request(&routes, Method::POST, "/uploads", &[JSON], r#"{"url": "no"}"#).unwrap_err(),
        );
        assert_eq!(got, [(Location::Body, "/url".into(), "\"no\" is not a valid uri".into())]);
        let r = request(&routes, Method::POST, "/uploads", &[("content-type", "text/csv")], "")
            .unwrap_err();
        assert_eq!(r.status, 415);
    }
}

#[test]
fn strict_mode_denies_undeclared_query_parameters() {
    for version in VERSIONS {
        let lenient = load(version, false);
        request(&lenient, Method::GET, "/experiments?debug=1", &[], "").unwrap();

        let strict = load(version, true);
        assert!(strict.strict());
        let got = details(
            request(&strict, Method::GET, "/experiments?limit=5&debug=1", &[], "").unwrap_err(),
        );
        assert_eq!(got, [(Location::Query, "/debug".into(), "parameter is not allowed".into())]);
    }
}

fn write_doc(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn broken_documents_name_the_file_and_pointer() {
    let (_dir, path) = write_doc(
        "openapi: 3.1.0\npaths:\n  /a:\n    post:\n      requestBody:\n        content:\n          \
         application/json:\n            schema: {$ref: '#/components/schemas/A'}\n\
         components:\n  schemas:\n    A: {type: object, properties: {n: {maxLength: -2}}}\n",
    );
    match OpenApiDocument::load(&path, false).unwrap_err() {
        OpenApiError::Schema { path: p, pointer, .. } => {
            assert_eq!(p, path);
            assert_eq!(pointer, "/components/schemas/A/properties/n/maxLength");
        }
        other => panic!("{other}"),
    }

    let (_dir, path) = write_doc(
        "openapi: 3.0.1\npaths:\n  /a/{id}:\n    get:\n      parameters:\n        - {name: id, \
         in: path, required: true, schema: {type: strin}}\n",
    );
    let err = OpenApiDocument::load(&path, false).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("at /paths/~1a~1{id}/get/parameters/0/schema/type"), "{text}");

    let (_dir, path) = write_doc(
        "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      parameters:\n        \
         - $ref: 'other.yaml#/P'\n",
    );
    let text = OpenApiDocument::load(&path, false).unwrap_err().to_string();
    assert!(
        text.ends_with("at /paths/~1a/get/parameters/0: unsupported $ref \"other.yaml#/P\""),
        "{text}"
    );

    let (_dir, path) = write_doc("swagger: '2.0'\npaths: {}\n");
    let err = OpenApiDocument::load(&path, false).unwrap_err();
    assert!(matches!(err, OpenApiError::Version { .. }), "{err}");

    let (_dir, path) = write_doc(
        "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters:\n        \
         - {name: f, in: query, style: deepObject}\n",
    );
    let text = OpenApiDocument::load(&path, false).unwrap_err().to_string();
    assert!(text.ends_with("parameter style \"deepObject\" is not supported"), "{text}");
}
