//! Inspection cost per request with CRS at paranoia level 1 in blocking mode, in-process:
//! `cargo run --release -p rampart-waf --example inspect_bench [ITERATIONS]`.
//! Prints p50/p99 in microseconds for three benign traffic shapes.

use std::path::PathBuf;
use std::time::Instant;

use rampart_waf::{LoadOptions, TransactionInfo, WafEngine};

const PREAMBLE: &str = "SecRuleEngine On\nSecRequestBodyAccess On\n\
    SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \
    \"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n";

struct Shape {
    name: &'static str,
    method: &'static str,
    uri: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn shapes() -> Vec<Shape> {
    // About 4 KB of JSON: 110 small objects.
    let items: Vec<String> =
        (0..110).map(|i| format!("{{\"id\":{i},\"name\":\"item {i}\"}}")).collect();
    let json = format!("{{\"items\":[{}]}}", items.join(","));
    let form = (0..640).map(|i| format!("field{i}=value{i:090}")).collect::<Vec<_>>().join("&");
    vec![
        Shape {
            name: "small GET",
            method: "GET",
            uri: "/api/items?page=2&sort=name&q=shoes".into(),
            content_type: None,
            body: Vec::new(),
        },
        Shape {
            name: "4 KB JSON POST",
            method: "POST",
            uri: "/api/items".into(),
            content_type: Some("application/json"),
            body: json.into_bytes(),
        },
        Shape {
            name: "64 KB form POST",
            method: "POST",
            uri: "/submit".into(),
            content_type: Some("application/x-www-form-urlencoded"),
            body: form.into_bytes(),
        },
    ]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let crs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs");
    let dir = std::env::temp_dir().join(format!("rampart-waf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let preamble = dir.join("preamble.conf");
    std::fs::write(&preamble, PREAMBLE)?;
    let mut files = vec![preamble, crs.join("crs-setup.conf.example")];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(crs.join("rules"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    rules.sort();
    files.extend(rules);

    let started = Instant::now();
    let engine = WafEngine::from_files(&files, &LoadOptions::default())?;
    println!("load: {} rules in {:?}", engine.rules().rule_count, started.elapsed());

    for shape in shapes() {
        let mut micros = Vec::with_capacity(iterations);
        for i in 0..iterations {
            let t = Instant::now();
            let denied = inspect(&engine, &shape, i);
            micros.push(t.elapsed().as_secs_f64() * 1e6);
            if denied {
                return Err(format!("benign request denied: {}", shape.name).into());
            }
        }
        micros.sort_by(f64::total_cmp);
        let p50 = micros[micros.len() / 2];
        let p99 = micros[micros.len() * 99 / 100];
        println!("{:>16}: p50 {p50:>8.1} us   p99 {p99:>8.1} us", shape.name);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn inspect(engine: &WafEngine, shape: &Shape, i: usize) -> bool {
    let mut tx = engine.transaction(TransactionInfo {
        client_ip: std::net::IpAddr::from([10, 0, 0, 1]),
        client_port: 40_000,
        server_port: 8080,
        request_id: format!("bench-{i}"),
    });
    tx.process_request_line(shape.method, &shape.uri, "HTTP/1.1");
    tx.add_request_header("Host", b"api.example.com");
    tx.add_request_header("User-Agent", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0");
    tx.add_request_header("Accept", b"application/json");
    if let Some(ct) = shape.content_type {
        tx.add_request_header("Content-Type", ct.as_bytes());
        tx.add_request_header("Content-Length", shape.body.len().to_string().as_bytes());
    }
    if tx.process_request_headers().is_some() {
        return true;
    }
    tx.append_request_body(&shape.body);
    tx.process_request_body().is_some()
}
