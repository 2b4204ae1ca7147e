#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use rampart_path::{normalize_path, EncodedSlashes, PathError, PathOptions, PathParameters};

fn norm(raw: &str) -> Result<String, PathError> {
    normalize_path(raw, &PathOptions::default())
}

fn lenient() -> PathOptions {
    PathOptions {
        encoded_slashes: EncodedSlashes::KeepOpaque,
        path_parameters: PathParameters::Strip,
        merge_slashes: true,
    }
}

#[test]
fn plain_paths_are_unchanged() {
    for path in ["/", "/api", "/api/data/1", "/a/b/", "/a-b_c~d.e", "/x/%20y", "/q/a:b@c!$&'()*+,="]
    {
        assert_eq!(norm(path).unwrap(), path, "{path}");
    }
}

#[test]
fn merges_slashes() {
    assert_eq!(norm("//admin").unwrap(), "/admin");
    assert_eq!(norm("/a//b///c").unwrap(), "/a/b/c");
    assert_eq!(norm("//").unwrap(), "/");
    assert_eq!(norm("/a//").unwrap(), "/a/");
}

#[test]
fn keeps_slashes_when_merging_is_off() {
    let opts = PathOptions { merge_slashes: false, ..PathOptions::default() };
    assert_eq!(normalize_path("//admin", &opts).unwrap(), "//admin");
    assert_eq!(normalize_path("/a//..", &opts).unwrap(), "/a/");
}

#[test]
fn resolves_dot_segments() {
    assert_eq!(norm("/a/./b/../c").unwrap(), "/a/c");
    assert_eq!(norm("/a/b/..").unwrap(), "/a/");
    assert_eq!(norm("/a/.").unwrap(), "/a/");
    assert_eq!(norm("/a/b/../../c").unwrap(), "/c");
    assert_eq!(norm("/.../a").unwrap(), "/.../a");
    assert_eq!(norm("/..a/b..").unwrap(), "/..a/b..");
}

#[test]
fn clamps_climbs_above_the_root() {
    assert_eq!(norm("/..").unwrap(), "/");
    assert_eq!(norm("/../../etc/passwd").unwrap(), "/etc/passwd");
    assert_eq!(norm("/a/../../../b").unwrap(), "/b");
}

#[test]
fn resolves_encoded_dot_segments() {
    assert_eq!(norm("/a/%2e%2e/b").unwrap(), "/b");
    assert_eq!(norm("/a/%2E%2E/b").unwrap(), "/b");
    assert_eq!(norm("/a/.%2e/b").unwrap(), "/b");
    assert_eq!(norm("/a/%2e./b").unwrap(), "/b");
    assert_eq!(norm("/a/%2e/b").unwrap(), "/a/b");
    assert_eq!(norm("/%2e%2e").unwrap(), "/");
}

#[test]
fn decodes_only_unreserved_escapes() {
    assert_eq!(norm("/%61%64%6D%69%6E").unwrap(), "/admin");
    assert_eq!(norm("/%7e%2d%5f").unwrap(), "/~-_");
    assert_eq!(norm("/a%20b").unwrap(), "/a%20b");
    assert_eq!(norm("/a%3fb%3Bc%25").unwrap(), "/a%3Fb%3Bc%25");
    assert_eq!(norm("/%252e%252e/admin").unwrap(), "/%252e%252e/admin");
}

#[test]
fn overlong_utf8_stays_encoded() {
    assert_eq!(norm("/a/%c0%ae%c0%ae/admin").unwrap(), "/a/%C0%AE%C0%AE/admin");
    assert_eq!(norm("/%e0%80%ae").unwrap(), "/%E0%80%AE");
    assert_eq!(norm("/caf%c3%a9").unwrap(), "/caf%C3%A9");
}

#[test]
fn rejects_encoded_slashes_by_default() {
    assert_eq!(norm("/api/data/..%2f..%2fadmin"), Err(PathError::EncodedSlash { position: 12 }));
    assert_eq!(norm("/a%2Fb"), Err(PathError::EncodedSlash { position: 2 }));
    assert_eq!(norm("/a%5cb"), Err(PathError::EncodedBackslash { position: 2 }));
    assert_eq!(norm("/a\\..\\admin"), Err(PathError::Backslash { position: 2 }));
}

#[test]
fn keeps_encoded_slashes_opaque_when_configured() {
    let opts = lenient();
    assert_eq!(
        normalize_path("/api/data/..%2f..%2fadmin", &opts).unwrap(),
        "/api/data/..%2F..%2Fadmin"
    );
    assert_eq!(normalize_path("/a\\..\\admin", &opts).unwrap(), "/a%5C..%5Cadmin");
    assert_eq!(normalize_path("/a/%5c/b", &opts).unwrap(), "/a/%5C/b");
}

#[test]
fn rejects_path_parameters_by_default() {
    assert_eq!(norm("/public/..;/internal"), Err(PathError::PathParameter { position: 10 }));
    assert_eq!(norm("/a;jsessionid=1"), Err(PathError::PathParameter { position: 2 }));
}

#[test]
fn strips_path_parameters_before_dot_segments() {
    let opts = lenient();
    assert_eq!(normalize_path("/public/..;/internal", &opts).unwrap(), "/internal");
    assert_eq!(normalize_path("/a;x=1/b;y/c", &opts).unwrap(), "/a/b/c");
    assert_eq!(normalize_path("/a/;x/b", &opts).unwrap(), "/a/b");
    assert_eq!(normalize_path("/a/.;x/b", &opts).unwrap(), "/a/b");
    assert_eq!(normalize_path("/a%3bx/b", &opts).unwrap(), "/a%3Bx/b");
}

#[test]
fn rejects_fragments_and_controls() {
    assert_eq!(norm("/x#/../admin"), Err(PathError::Fragment { position: 2 }));
    assert_eq!(norm("/a%00b"), Err(PathError::EncodedControlCharacter { position: 2 }));
    assert_eq!(norm("/a%0d%0aX"), Err(PathError::EncodedControlCharacter { position: 2 }));
    assert_eq!(norm("/a%7F"), Err(PathError::EncodedControlCharacter { position: 2 }));
    assert_eq!(norm("/a\0b"), Err(PathError::ControlCharacter { position: 2 }));
    assert_eq!(norm("/a b"), Err(PathError::ControlCharacter { position: 2 }));
    assert_eq!(norm("/a\tb"), Err(PathError::ControlCharacter { position: 2 }));
    assert_eq!(norm("/café"), Err(PathError::NonAscii { position: 4 }));
}

#[test]
fn fragments_are_rejected_even_inside_stripped_parameters() {
    assert_eq!(normalize_path("/a;x#y/b", &lenient()), Err(PathError::Fragment { position: 4 }));
}

#[test]
fn rejects_invalid_percent_encoding() {
    assert_eq!(norm("/a%"), Err(PathError::InvalidPercentEncoding { position: 2 }));
    assert_eq!(norm("/a%4"), Err(PathError::InvalidPercentEncoding { position: 2 }));
    assert_eq!(norm("/a%zz"), Err(PathError::InvalidPercentEncoding { position: 2 }));
    assert_eq!(norm("/a%%41"), Err(PathError::InvalidPercentEncoding { position: 2 }));
    assert_eq!(norm("/a%+1"), Err(PathError::InvalidPercentEncoding { position: 2 }));
}

#[test]
fn rejects_targets_that_are_not_origin_form() {
    assert_eq!(norm(""), Err(PathError::Empty));
    assert_eq!(norm("*"), Err(PathError::AsteriskForm));
    assert_eq!(norm("admin"), Err(PathError::NotAbsolute));
    assert_eq!(norm("http://x/admin"), Err(PathError::NotAbsolute));
    assert_eq!(norm("%2fadmin"), Err(PathError::NotAbsolute));
}

#[test]
fn every_error_is_a_bad_request() {
    assert_eq!(norm("/a%").unwrap_err().status_code(), 400);
    let message = norm("/x#").unwrap_err().to_string();
    assert!(message.starts_with("request path contains a fragment"), "{message}");
}

#[test]
fn options_deserialize_from_yaml() {
    let opts: PathOptions =
        serde_yaml_ng::from_str("encoded_slashes: keep_opaque\npath_parameters: strip\n").unwrap();
    assert_eq!(opts, PathOptions { merge_slashes: true, ..lenient() });
    let empty: PathOptions = serde_yaml_ng::from_str("{}").unwrap();
    assert_eq!(empty, PathOptions::default());
    assert!(serde_yaml_ng::from_str::<PathOptions>("merge_slash: false").is_err());
    assert!(serde_yaml_ng::from_str::<PathOptions>("encoded_slashes: decode").is_err());
}
