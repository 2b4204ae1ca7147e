//! Inspection cost per request with CRS at paranoia level 1 in blocking mode, in-process:
//! `cargo run --release -p rampart-waf --example inspect_bench [ITERATIONS [SHAPE]]` (SHAPE:
//! run only the shapes whose name contains it, e.g. `JSON`, for profiling).
//!
//! The three shapes are those of `bench/waf` (run.sh and requests.lua): the small GET with four
//! query arguments, the 4 KB JSON order and the 64 KB urlencoded form, with the same headers.
//! The bodies are the exact bytes `bench/waf/bodies.py` writes (it is run into a temporary
//! directory, so `python3` is needed). The rules are loaded behind the directives rampart's
//! gateway puts in front of a route's rules (body limit 1 MiB, the XML/JSON body processor
//! rules, paranoia level 1, threshold 5). Prints p50/p99 in microseconds per shape.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rampart_waf::{InspectionStats, LoadOptions, Transaction, TransactionInfo, WafEngine};

/// What rampart's gateway puts in front of a route's rules (`pipeline/waf.rs`, `directives`),
/// for a route with `mode: block`, `paranoia_level: 1` and `max_body_bytes: 1048576`.
const PREAMBLE: &str = "SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 1048576
SecRequestBodyNoFilesLimit 1048576
SecRule REQUEST_HEADERS:Content-Type \"^(?:application(?:/soap\\+|/)|text/)xml\" \
\"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"
SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \
\"id:200002,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"
SecRule REQUEST_HEADERS:Content-Type \"^application/[a-z0-9.-]+[+]json\" \
\"id:200003,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"
SecRule REQBODY_ERROR \"!@eq 0\" \
\"id:200004,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body'\"
SecRule MULTIPART_STRICT_ERROR \"!@eq 0\" \
\"id:200005,phase:2,t:none,log,deny,status:400,msg:'Multipart body failed strict validation'\"
SecAction \"id:200006,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=1\"
SecAction \"id:200007,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=5\"
";

/// The headers every request of `bench/waf/requests.lua` carries.
const HEADERS: &[(&str, &str)] = &[
    ("Host", "shop.example.com"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    ("Accept", "text/html,application/json;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "en-US,en;q=0.5"),
];

struct Shape {
    name: &'static str,
    method: &'static str,
    uri: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn shapes(bodies: &Path) -> Result<Vec<Shape>, Box<dyn std::error::Error>> {
    Ok(vec![
        Shape {
            name: "small GET",
            method: "GET",
            uri: "/waf/search?q=blue+shirt&page=2&sort=price&lang=en",
            content_type: None,
            body: Vec::new(),
        },
        Shape {
            name: "4 KB JSON POST",
            method: "POST",
            uri: "/waf/orders",
            content_type: Some("application/json"),
            body: std::fs::read(bodies.join("order.json"))?,
        },
        Shape {
            name: "64 KB form POST",
            method: "POST",
            uri: "/waf/survey",
            content_type: Some("application/x-www-form-urlencoded"),
            body: std::fs::read(bodies.join("form.txt"))?,
        },
    ])
}

/// Runs `bench/waf/bodies.py` into `dir`.
fn write_bodies(root: &Path, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let script = root.join("bench/waf/bodies.py");
    let status = Command::new("python3").arg(&script).arg(dir).status()?;
    if !status.success() {
        return Err(format!("{} failed: {status}", script.display()).into());
    }
    Ok(())
}

fn rule_files(dir: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let crs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs");
    let preamble = dir.join("preamble.conf");
    std::fs::write(&preamble, PREAMBLE)?;
    let mut files = vec![preamble, crs.join("crs-setup.conf.example")];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(crs.join("rules"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    rules.sort();
    files.extend(rules);
    Ok(files)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let only = std::env::args().nth(2).unwrap_or_default();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("rampart-waf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    write_bodies(&root, &dir)?;

    let started = Instant::now();
    let engine = WafEngine::from_files(&rule_files(&dir)?, &LoadOptions::default())?;
    println!("load: {} rules in {:?}", engine.rules().rule_count, started.elapsed());

    for shape in shapes(&dir)?.into_iter().filter(|s| s.name.contains(&only)) {
        let stats = inspect_stats(&engine, &shape);
        println!(
            "{:>16}: {} (rule, value) pairs, {} operators run, {} skipped by the prefilter",
            shape.name, stats.values_tested, stats.operators_run, stats.prefilter_skips
        );
        let mut micros = Vec::with_capacity(iterations);
        let cpu_before = thread_cpu_nanos();
        for i in 0..iterations {
            let t = Instant::now();
            let outcome = inspect(&engine, &shape, i);
            micros.push(t.elapsed().as_secs_f64() * 1e6);
            if let Some(why) = outcome {
                return Err(format!("benign request flagged: {}: {why}", shape.name).into());
            }
        }
        let cpu = (thread_cpu_nanos().saturating_sub(cpu_before)) as f64 / iterations as f64 / 1e3;
        micros.sort_by(f64::total_cmp);
        let p50 = micros[micros.len() / 2];
        let p99 = micros[micros.len() * 99 / 100];
        println!(
            "{:>16}: p50 {p50:>8.1} us   p99 {p99:>8.1} us   cpu mean {cpu:>8.1} us",
            shape.name
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// CPU time of this thread so far, in nanoseconds (Linux `/proc/thread-self/schedstat`; 0
/// elsewhere). On a shared machine, wall-clock percentiles include time spent waiting for a
/// CPU; the CPU time per request does not.
fn thread_cpu_nanos() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    text.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Inspects one request; Some(reason) when a rule denied it or any rule matched it.
fn inspect(engine: &WafEngine, shape: &Shape, i: usize) -> Option<String> {
    let tx = run(engine, shape, i);
    if let Some(i) = tx.intervention() {
        return Some(format!("denied by rule {}", i.rule_id));
    }
    let logged: Vec<u64> = tx.matches().iter().filter(|m| m.logged).map(|m| m.rule_id).collect();
    (!logged.is_empty()).then(|| format!("rules matched: {logged:?}"))
}

fn inspect_stats(engine: &WafEngine, shape: &Shape) -> InspectionStats {
    run(engine, shape, 0).stats()
}

/// Feeds one request through phases 1 and 2.
fn run<'e>(engine: &'e WafEngine, shape: &Shape, i: usize) -> Transaction<'e> {
    let mut tx = engine.transaction(TransactionInfo {
        client_ip: std::net::IpAddr::from([10, 0, 0, 1]),
        client_port: 40_000,
        server_port: 8080,
        request_id: format!("bench-{i}"),
    });
    tx.process_request_line(shape.method, shape.uri, "HTTP/1.1");
    for (name, value) in HEADERS {
        tx.add_request_header(name, value.as_bytes());
    }
    if let Some(ct) = shape.content_type {
        tx.add_request_header("Content-Length", shape.body.len().to_string().as_bytes());
        tx.add_request_header("Content-Type", ct.as_bytes());
    }
    if tx.process_request_headers().is_none() {
        tx.append_request_body(&shape.body);
        tx.process_request_body();
    }
    tx
}
