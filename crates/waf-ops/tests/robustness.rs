#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Hostile input never panics: every transformation, operator and body parser runs over
//! deterministic pseudo-random inputs built from the bytes their parsers care about.

use std::borrow::Cow;
use std::path::Path;

use rampart_waf_ops::body::{
    parse_json_partial, parse_multipart, parse_urlencoded, parse_xml, JsonLimits, MultipartLimits,
    XmlLimits,
};
use rampart_waf_ops::{Captures, CompileContext, Operator, Transform};

/// A xorshift generator: the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Up to `max` bytes, drawn from `alphabet` and the occasional arbitrary byte.
    fn bytes(&mut self, alphabet: &[u8], max: usize) -> Vec<u8> {
        let len = (self.next() % (max as u64 + 1)) as usize;
        (0..len)
            .map(|_| {
                let r = self.next();
                if r.is_multiple_of(8) {
                    (r >> 8) as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect()
    }
}

const ESCAPES: &[u8] =
    b"%uU+&#;xX\\0123456789abcdefABCDEF/.*-<>!'\" \t\r\n\x00\xc0\xaf\xe0\x80\xff";

#[test]
fn transformations_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let input = rng.bytes(ESCAPES, 64);
        for t in Transform::all() {
            let out = t.apply(Cow::Borrowed(&input));
            assert!(out.len() <= input.len() * 8 + 64, "{} grew too much", t.name());
        }
    }
}

#[test]
fn operators_never_panic() {
    let ctx = CompileContext { base_dir: Path::new(".") };
    let ops: Vec<Operator> = [
        ("rx", "(?i)(a+)(b)?\\x{bc}"),
        ("pm", "select union <script"),
        ("containsWord", "or"),
        ("within", "GET POST"),
        ("validateByteRange", "32-126"),
        ("validateUrlEncoding", ""),
        ("validateUtf8Encoding", ""),
        ("ipMatch", "10.0.0.0/8,::1"),
        ("lt", "5"),
        ("eq", "0"),
        ("detectSQLi", ""),
        ("detectXSS", ""),
    ]
    .iter()
    .map(|(n, p)| Operator::compile(n, p, &ctx).unwrap())
    .collect();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut caps = Captures::new();
    for _ in 0..3000 {
        let input = rng.bytes(b"'\"<>=;-#()abc0123 .:/%", 48);
        for op in &ops {
            let _ = op.matches(&input, Some(&mut caps));
        }
    }
}

#[test]
fn body_parsers_never_panic() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let json_alphabet = b"{}[]:,\"\\u0123456789abcdefeE+-.truefalsenull \n";
    let xml_alphabet = b"<>/=\"'?!&;#x[]-abc DOCTYPE ENTITY CDATA\n";
    let mp_alphabet = b"-XyZ\r\n:;=\" Content-Disposition form-data name filename\t";
    let ct = "multipart/form-data; boundary=XyZ";
    for _ in 0..3000 {
        let _ = parse_urlencoded(&rng.bytes(b"&=%+abc;\x00", 64), b'&');
        let _ = parse_json_partial(&rng.bytes(json_alphabet, 96), &JsonLimits::default());
        let _ = parse_xml(&rng.bytes(xml_alphabet, 96), &XmlLimits::default());
        let _ = parse_multipart(&rng.bytes(mp_alphabet, 160), ct, &MultipartLimits::default());
    }
}

#[test]
fn multipart_survives_structured_mutations() {
    let base = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"f\"\r\n\
                 Content-Type: text/plain\r\n\r\nbody\r\n--XyZ--\r\n";
    let mut rng = Rng(0x0bad_5eed_1234_4321);
    for _ in 0..5000 {
        let mut body = base.to_vec();
        for _ in 0..(rng.next() % 4 + 1) {
            let at = (rng.next() as usize) % body.len();
            match rng.next() % 3 {
                0 => body[at] = b"\r\n-\"; \0"[(rng.next() % 7) as usize],
                1 => {
                    body.remove(at);
                }
                _ => body.insert(at, b"\r\n-\""[(rng.next() % 4) as usize]),
            }
        }
        let m = parse_multipart(
            &body,
            "multipart/form-data; boundary=XyZ",
            &MultipartLimits::default(),
        );
        assert!(m.args.len() + m.files.len() <= 2);
    }
}
