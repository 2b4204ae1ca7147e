//! Multipart processor tests: well-formed bodies and each strictness flag.

use super::*;

const CT: &str = "multipart/form-data; boundary=XyZ";

fn parse(body: &str) -> Multipart {
    parse_multipart(body.as_bytes(), CT, &MultipartLimits::default())
}

fn crlf(body: &str) -> String {
    body.replace('\n', "\r\n")
}

fn error_of(m: &Multipart) -> Option<String> {
    m.error.as_ref().map(ToString::to_string)
}

#[test]
fn well_formed_body() {
    let m = parse(&crlf(
        "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nline1\nline2\n--XyZ\n\
         Content-Disposition: form-data; name=\"f\"; filename=\"x.php\"\n\
         Content-Type: text/plain\n\n<?php echo 1; ?>\n--XyZ--\n",
    ));
    assert_eq!(error_of(&m), None);
    assert_eq!(m.args, vec![(b"a".to_vec(), b"line1\r\nline2".to_vec())]);
    assert_eq!(m.files.len(), 1);
    assert_eq!(m.files[0].name, b"f");
    assert_eq!(m.files[0].filename, b"x.php");
    assert_eq!(m.files[0].size, 16);
    assert_eq!(m.files[0].content_type.as_deref(), Some(&b"text/plain"[..]));
    assert_eq!(m.combined_file_size(), 16);
    assert_eq!(m.names, vec![b"a".to_vec(), b"f".to_vec()]);
    assert_eq!(m.filenames, vec![b"x.php".to_vec()]);
    assert_eq!(m.filename, b"x.php");
    let headers: Vec<_> =
        m.part_headers.iter().map(|(n, l)| (n.as_slice(), l.as_slice())).collect();
    assert_eq!(
        headers,
        vec![
            (&b"a"[..], &b"Content-Disposition: form-data; name=\"a\""[..]),
            (b"f", b"Content-Disposition: form-data; name=\"f\"; filename=\"x.php\""),
            (b"f", b"Content-Type: text/plain"),
        ]
    );
    assert!(!m.flags.strict_error());
    assert!(!m.flags.unmatched_boundary);
    assert_eq!(m.flags.unmatched_boundary_code, 2);
    assert!(m.flags.values().contains(&("MULTIPART_UNMATCHED_BOUNDARY", 2)));
    assert!(m.flags.variables().contains(&("MULTIPART_STRICT_ERROR", false)));
}

#[test]
fn lf_and_mixed_line_endings() {
    let m = parse("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XyZ--\n");
    assert!(m.flags.lf_line && !m.flags.crlf_lf_lines && m.flags.strict_error());
    assert_eq!(m.args, vec![(b"a".to_vec(), b"v".to_vec())]);
    let m = parse("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\n\r\nv\r\n--XyZ--\r\n");
    assert!(m.flags.lf_line && m.flags.crlf_lf_lines);
}

#[test]
fn data_before_and_after() {
    let body = crlf("junk\n--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XyZ--\nafter");
    let m = parse(&body);
    assert!(m.flags.data_before && m.flags.data_after && m.flags.strict_error());
    assert_eq!(error_of(&m), None);
}

#[test]
fn truncated_body_publishes_nothing() {
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nvalue"));
    assert_eq!(
        error_of(&m).as_deref(),
        Some("Multipart parsing error: Multipart: Final boundary missing.")
    );
    assert!(m.args.is_empty());
    let m = parse("no boundary at all\r\n");
    assert_eq!(
        error_of(&m).as_deref(),
        Some("Multipart parsing error: Multipart: No boundaries found in payload.")
    );
}

#[test]
fn final_boundary_without_line_break() {
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n").add("--XyZ--"));
    assert_eq!(error_of(&m), None);
    assert_eq!(m.args, vec![(b"a".to_vec(), b"v".to_vec())]);
}

trait Add {
    fn add(self, tail: &str) -> String;
}

impl Add for String {
    fn add(mut self, tail: &str) -> String {
        self.push_str(tail);
        self
    }
}

#[test]
fn missing_disposition_is_a_soft_error() {
    let m = parse(&crlf("--XyZ\nContent-Type: text/plain\n\nv\n--XyZ--\n"));
    let err = error_of(&m).unwrap_or_default();
    assert!(err.starts_with("Multipart parsing error: Multipart: "), "{err}");
    assert!(m.args.is_empty());
}

#[test]
fn header_folding_and_quoting() {
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data;\n name='a'\n\nv\n--XyZ--\n"));
    assert!(m.flags.header_folding && !m.flags.invalid_header_folding);
    assert!(m.flags.invalid_quoting && m.flags.strict_error());
    assert_eq!(m.args, vec![(b"a".to_vec(), b"v".to_vec())]);
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data;\n\x0bname=a\n\nv\n--XyZ--\n"));
    assert!(m.flags.invalid_header_folding);
}

#[test]
fn unmatched_and_quoted_boundaries() {
    // ModSecurity v3 resets the flag to 2 at every later matching boundary, so a value of 1
    // survives only when no boundary follows the look-alike.
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx --XyZ y\n"));
    assert!(m.flags.unmatched_boundary);
    assert_eq!(m.flags.unmatched_boundary_code, 1);
    let m =
        parse(&crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx --XyZ y\n--XyZ--\n"));
    assert!(!m.flags.unmatched_boundary);
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n--Other\n--XyZ--\n"));
    assert_eq!(m.flags.unmatched_boundary_code, 2);
    let quoted = "multipart/form-data; boundary=\"XyZ\"";
    let body = crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XyZ--\n");
    let m = parse_multipart(body.as_bytes(), quoted, &MultipartLimits::default());
    assert!(m.flags.boundary_quoted && m.flags.strict_error());
    assert_eq!(m.args.len(), 1);
}

#[test]
fn boundary_with_trailing_garbage_is_an_error() {
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XyZ junk\n"));
    assert!(m.flags.error && m.flags.strict_error());
    assert!(error_of(&m).unwrap_or_default().contains("Invalid boundary"));
}

#[test]
fn part_without_name_is_invalid() {
    let m = parse(&crlf("--XyZ\nContent-Disposition: form-data\n\nv\n--XyZ--\n"));
    assert!(m.flags.invalid_part || error_of(&m).is_some());
}

#[test]
fn bad_content_type() {
    let m = parse_multipart(b"--x--\r\n", "multipart/form-data", &MultipartLimits::default());
    assert!(m.flags.error && m.flags.strict_error());
    assert_eq!(
        error_of(&m).as_deref(),
        Some("Multipart parsing error: Multipart: Boundary not found in C-T.")
    );
}

#[test]
fn long_header_line_and_part_limit() {
    let long = "x".repeat(5000);
    let m = parse(&crlf(&format!(
        "--XyZ\nContent-Disposition: form-data; name=\"{long}\"\n\nv\n--XyZ--\n"
    )));
    assert!(m.flags.error);
    let limits = MultipartLimits { max_parts: 1, ..MultipartLimits::default() };
    let body = crlf(
        "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XyZ\n\
         Content-Disposition: form-data; name=\"b\"\n\nw\n--XyZ--\n",
    );
    let m = parse_multipart(body.as_bytes(), CT, &limits);
    assert!(m.flags.error && m.args.is_empty());
}

#[test]
fn file_limit() {
    let limits = MultipartLimits { max_files: 1, ..MultipartLimits::default() };
    let body = crlf(
        "--XyZ\nContent-Disposition: form-data; name=\"a\"; filename=\"1\"\n\nv\n--XyZ\n\
         Content-Disposition: form-data; name=\"b\"; filename=\"2\"\n\nw\n--XyZ--\n",
    );
    let m = parse_multipart(body.as_bytes(), CT, &limits);
    assert!(m.flags.file_limit_exceeded && m.flags.strict_error());
    assert_eq!(m.files.len(), 2);
}
