//! Micro-benchmark of the WAF building blocks (no criterion; std timers, median of runs).
//!
//! Run: `cargo run --release -p rampart-waf-ops --example micro_bench`
//! It reads the CRS rules from ../shared/crs to time every CRS operator on one input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/crs/mod.rs"]
mod crs;

use std::borrow::Cow;
use std::hint::black_box;
use std::time::Instant;

use rampart_waf_ops::body::{
    parse_json, parse_multipart, parse_urlencoded, JsonLimits, MultipartLimits,
};
use rampart_waf_ops::{CompileContext, Operator, Transform};

const RUNS: usize = 7;

/// Median nanoseconds per call of `f` over `RUNS` runs of `iters` calls.
fn time(iters: usize, mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[RUNS / 2]
}

fn report(name: &str, ns: f64) {
    if ns >= 10_000.0 {
        println!("{name:<58} {:>10.1} us", ns / 1000.0);
    } else {
        println!("{name:<58} {ns:>10.0} ns");
    }
}

fn main() {
    let benign = b"user=alice&page=2&sort=name".as_slice();
    let value = b"The quick brown fox jumps over the lazy dog 12345".as_slice();
    let attack = b"1' UNION SELECT password FROM users--%20%3Cscript%3E".as_slice();

    transforms(value, attack);
    operators(value, attack);
    bodies(benign);
}

fn transforms(value: &[u8], attack: &[u8]) {
    let chain: Vec<Transform> = [
        "utf8toUnicode",
        "urlDecodeUni",
        "htmlEntityDecode",
        "jsDecode",
        "cssDecode",
        "removeNulls",
    ]
    .iter()
    .map(|n| Transform::from_name(n).unwrap())
    .collect();
    for (label, input) in [("benign 49 B", value), ("encoded attack 52 B", attack)] {
        let ns = time(200_000, || {
            let mut v = Cow::Borrowed(black_box(input));
            for t in &chain {
                v = t.apply(v);
            }
            black_box(v);
        });
        report(&format!("941100 transformation chain, {label}"), ns);
    }
}

fn operators(value: &[u8], attack: &[u8]) {
    let rules = crs::root().join("rules");
    let ctx = CompileContext { base_dir: &rules };
    let start = Instant::now();
    let ops: Vec<Operator> = crs::operators(&rules)
        .into_iter()
        .filter(|o| !o.param.contains("%{"))
        .map(|o| Operator::compile(&o.name, &o.param, &ctx).unwrap())
        .collect();
    println!("compiled {} CRS operators in {:.0} ms", ops.len(), start.elapsed().as_millis());
    for (label, input) in [("benign 49 B", value), ("attack 52 B", attack)] {
        let ns = time(200, || {
            for op in &ops {
                black_box(op.matches(black_box(input), None));
            }
        });
        report(&format!("all CRS operators on one {label}"), ns);
    }
    for name in ["detectSQLi", "detectXSS"] {
        let op = Operator::compile(name, "", &ctx).unwrap();
        report(
            &format!("@{name} on benign 49 B"),
            time(100_000, || {
                black_box(op.matches(black_box(value), None));
            }),
        );
    }
}

fn bodies(benign: &[u8]) {
    let json = json_4k();
    report(
        "parse_json 4 KB",
        time(5_000, || {
            black_box(parse_json(black_box(&json), &JsonLimits::default()).unwrap());
        }),
    );
    let form = form_64k(benign);
    report(
        "parse_urlencoded 64 KB",
        time(500, || {
            black_box(parse_urlencoded(black_box(&form), b'&'));
        }),
    );
    let (ct, body) = multipart_8k();
    report(
        "parse_multipart 8 KB (3 fields, 1 file)",
        time(5_000, || {
            black_box(parse_multipart(black_box(&body), ct, &MultipartLimits::default()));
        }),
    );
}

fn json_4k() -> Vec<u8> {
    let mut s = String::from("{\"items\":[");
    let mut i = 0;
    while s.len() < 4000 {
        s.push_str(&format!("{{\"id\":{i},\"name\":\"item number {i}\",\"ok\":true}},"));
        i += 1;
    }
    s.push_str("{}]}");
    s.into_bytes()
}

fn form_64k(pair: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < 64 * 1024 {
        out.extend_from_slice(pair);
        out.push(b'&');
    }
    out
}

fn multipart_8k() -> (&'static str, Vec<u8>) {
    let mut body = String::new();
    for (name, value) in [("a", "alpha"), ("b", "beta"), ("c", "gamma")] {
        body.push_str(&format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n");
    body.push_str("Content-Type: text/plain\r\n\r\n");
    body.push_str(&"line of text\r\n".repeat(560));
    body.push_str("--XyZ--\r\n");
    ("multipart/form-data; boundary=XyZ", body.into_bytes())
}
