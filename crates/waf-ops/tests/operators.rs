#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Operators through the public API, with real data files for the `FromFile` variants.

use std::path::Path;

use rampart_waf_ops::{Captures, CompileContext, Operator, OperatorError};

fn compile(name: &str, param: &str) -> Operator {
    let ctx = CompileContext { base_dir: Path::new(".") };
    Operator::compile(name, param, &ctx).unwrap_or_else(|e| panic!("@{name} {param}: {e}"))
}

#[test]
fn pm_from_file_reads_relative_data_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("words.data"), "# scanners\nnikto\n\nsqlmap\r\n").unwrap();
    std::fs::write(dir.path().join("more.data"), "Havij\n").unwrap();
    let ctx = CompileContext { base_dir: dir.path() };
    let op = Operator::compile("pmFromFile", "words.data more.data", &ctx).unwrap();
    let mut caps = Captures::new();
    assert!(op.matches(b"Mozilla (SQLMap 1.0)", Some(&mut caps)));
    assert_eq!(caps.get(0), Some(&b"SQLMap"[..]));
    assert!(op.matches(b"havij", None));
    assert!(!op.matches(b"# scanners", None));
    assert!(op.supports_capture());
    let pmf = Operator::compile("pmf", "words.data", &ctx).unwrap();
    assert!(pmf.matches(b"nikto/2.1", None));
}

#[test]
fn missing_data_file_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = CompileContext { base_dir: dir.path() };
    let err = Operator::compile("pmFromFile", "absent.data", &ctx).unwrap_err();
    assert!(matches!(err, OperatorError::DataFile { operator: "pmFromFile", .. }));
    assert!(err.to_string().contains("absent.data"), "{err}");
}

#[test]
fn ip_match_from_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ips.txt"), "# office\n192.168.0.0/16\n2001:db8::/48\n")
        .unwrap();
    let ctx = CompileContext { base_dir: dir.path() };
    let op = Operator::compile("ipMatchFromFile", "ips.txt", &ctx).unwrap();
    assert!(op.matches(b"192.168.10.1", None));
    assert!(op.matches(b"2001:db8:0:1::5", None));
    assert!(!op.matches(b"10.0.0.1", None));
    std::fs::write(dir.path().join("bad.txt"), "300.1.1.1\n").unwrap();
    assert!(Operator::compile("ipMatchF", "bad.txt", &ctx).is_err());
}

#[test]
fn crs_style_operators() {
    assert!(compile("rx", "(?i)<script[^>]*>").matches(b"<SCRIPT src=x>", None));
    assert!(compile("pm", "AppleWebKit Android").matches(b"Mozilla AppleWebKit", None));
    assert!(compile("within", "|GET|POST|").matches(b"POST", None));
    assert!(!compile("within", "GET POST").matches(b"PUT", None));
    assert!(compile("endsWith", ".php").matches(b"index.php", None));
    assert!(compile("beginsWith", "/admin").matches(b"/admin/x", None));
    assert!(compile("streq", "0").matches(b"0", None));
    assert!(compile("contains", "..").matches(b"a/../b", None));
    assert!(compile("validateByteRange", "1-255").matches(b"a\0b", None));
    assert!(compile("validateUrlEncoding", "").matches(b"%G1", None));
    assert!(compile("validateUtf8Encoding", "").matches(b"\xc0\xaf", None));
    assert!(compile("lt", "5").matches(b"4", None));
    assert!(compile("ge", "1").matches(b"1", None));
    assert!(compile("gt", "0").matches(b"12 files", None));
    assert!(compile("eq", "1").matches(b"1", None));
    assert!(compile("ipMatch", "127.0.0.1,::1").matches(b"::1", None));
    assert!(compile("detectSQLi", "").matches(b"1 UNION SELECT 1,2,3--", None));
    assert!(compile("detectXSS", "").matches(b"<svg onload=alert(1)>", None));
}

#[test]
fn captures_are_reset_between_calls() {
    let op = compile("rx", "(a)(b)?");
    let mut caps = Captures::new();
    assert!(op.matches(b"ab", Some(&mut caps)));
    assert_eq!(caps.len(), 3);
    assert!(op.matches(b"a", Some(&mut caps)));
    assert_eq!(caps.get(2), None);
    assert!(!op.matches(b"zzz", Some(&mut caps)));
    assert!(caps.is_empty());
}

#[test]
fn capture_support_follows_modsecurity() {
    for (name, param) in [("rx", "a"), ("pm", "a"), ("detectSQLi", ""), ("detectXSS", "")] {
        assert!(compile(name, param).supports_capture(), "@{name}");
    }
    for (name, param) in [("contains", "a"), ("streq", "a"), ("within", "a"), ("eq", "1")] {
        assert!(!compile(name, param).supports_capture(), "@{name}");
    }
    let mut caps = Captures::new();
    let xss = compile("detectXSS", "");
    assert!(xss.matches(b"<script>alert(1)</script>", Some(&mut caps)));
    assert_eq!(caps.get(0), Some(&b"<script>alert(1)</script>"[..]));
    let mut caps = Captures::new();
    caps.set(0, b"stale");
    assert!(compile("contains", "b").matches(b"abc", Some(&mut caps)));
    assert!(caps.is_empty());
}

#[test]
fn compiled_operators_are_shareable_across_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Operator>();
    shareable::<Captures>();
    shareable::<rampart_waf_ops::Transform>();
    let op = std::sync::Arc::new(compile("rx", "(?i)union\\s+select"));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let op = std::sync::Arc::clone(&op);
            std::thread::spawn(move || op.matches(b"1 UNION  SELECT 2", None))
        })
        .collect();
    for w in workers {
        assert!(w.join().unwrap());
    }
}
