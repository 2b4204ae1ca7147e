#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A few CRS corpus tests end to end: the albedo backend on a socket, `rampart serve` with the
//! corpus configuration on one detect-mode route writing events to a file, and `rampart waf
//! ftw --target --events`, which sends each test over TCP and judges the gateway's waf events.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Kills the gateway when the test ends, whatever happens.
struct Gateway {
    child: Child,
    address: SocketAddr,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn crs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs").canonicalize().unwrap()
}

fn config(albedo: SocketAddr, events: &Path) -> String {
    let crs = crs_dir();
    format!(
        r#"
listeners: [{{name: corpus, address: "127.0.0.1:0"}}]
admin: {{address: "127.0.0.1:0"}}
events: {{sink: file, path: "{events}"}}
upstreams: {{albedo: {{targets: ["{albedo}"]}}}}
routes:
  - name: corpus
    match: {{path: "/*"}}
    upstream: albedo
    max_body_bytes: 13107200
    waf:
      mode: detect
      rules:
        - "{crs}/regression-setup.conf"
        - "{crs}/crs-setup.conf.example"
        - "{crs}/rules/*.conf"
      response: {{inspect: true}}
"#,
        events = events.display(),
        crs = crs.display(),
    )
}

/// Starts `rampart serve` and reads its listener address from the JSON log.
fn start_gateway(config: &Path) -> Gateway {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--log-format", "json", "--config"])
        .arg(config)
        .env("RAMPART_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    // Loading CRS in a debug build takes a while; poll the log with a generous deadline.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let Ok(line) = received.recv_timeout(Duration::from_millis(200)) else { continue };
        let log: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let fields = &log["fields"];
        if fields["message"] == "listening" && fields["listener"] == "corpus" {
            let address = fields["address"].as_str().unwrap().parse().unwrap();
            return Gateway { child, address };
        }
        seen.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("rampart serve did not start listening; its log:\n{}", seen.join("\n"));
}

fn ftw(gateway: &Gateway, events: &Path, filter: &str) -> (i32, String) {
    let crs = crs_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["waf", "ftw", "--show-failures", "--target"])
        .arg(format!("http://{}", gateway.address))
        .arg("--events")
        .arg(events)
        .arg("--tests")
        .arg(crs.join("tests/regression/tests"))
        .arg("--overrides")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../waf/ftw-overrides.yaml"))
        .args(["--filter", filter])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap(), format!("{stdout}{stderr}"))
}

#[test]
fn corpus_tests_run_through_the_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let albedo = rampart_waf::ftw::backend::spawn("127.0.0.1:0".parse().unwrap()).unwrap();
    let events = dir.path().join("events.jsonl");
    let config_file = dir.path().join("rampart.yaml");
    std::fs::write(&config_file, config(albedo, &events)).unwrap();
    let gateway = start_gateway(&config_file);

    let (code, report) = ftw(&gateway, &events, FILTER);
    let last = report.lines().rev().find(|l| l.ends_with("skipped")).unwrap_or_default();
    assert_eq!(last, EXPECTED_LAST, "{report}");
    assert_eq!(code, 1, "failures make the exit status 1: {report}");
    for line in EXPECTED_LINES {
        assert!(report.lines().any(|l| l.starts_with(line)), "no line {line:?} in:\n{report}");
    }

    // Every stage's events were found by request id in the gateway's file.
    let text = std::fs::read_to_string(&events).unwrap();
    assert!(text.contains(r#""request_id":"ftw-942100-1-0""#), "{text}");
}

/// One test per request family (protocol, LFI, RCE, PHP, XSS, SQLi, Java, blocking
/// evaluation), plus tests that show each kind of difference the runner tells apart.
const FILTER: &str = "^(920170-1|930100-1|932160-1|933100-1|942100-1|944100-1|949110-4\
                      |920100-1|920100-5|920430-3|941100-1|951110-1|980170-1)$";
const EXPECTED_LAST: &str = "10 passed, 3 failed, 0 skipped";
const EXPECTED_LINES: &[&str] = &[
    "family 942: 1 passed, 0 failed, 0 skipped",
    "family 949: 1 passed, 0 failed, 0 skipped",
    // hyper refuses `"` in a request target and an unknown version with a bare 400.
    "refused by the HTTP layer (2):",
    "  920430-3 missing [920430] unexpected [] refused by the HTTP layer: 400",
    "  941100-1 missing [941100] unexpected [] refused by the HTTP layer: 400",
    // CONNECT: the gateway is no tunnel and answers 405 before the WAF.
    "denied by the gateway before the WAF (1):",
    "  920100-5 missing [920100] unexpected [] denied by the gateway before the WAF: 405",
    // With `response: {inspect: true}` the response and logging phases run end to end.
    "family 951: 1 passed, 0 failed, 0 skipped",
    "family 980: 1 passed, 0 failed, 0 skipped",
];
