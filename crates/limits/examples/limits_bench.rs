//! Decisions per second and latency of the memory and Redis stores.
//!
//! Usage: `limits_bench [REDIS_URL]` (see bench/limits/run.sh, which starts a private
//! redis-server). Prints one line per scenario: decisions/s, p50 and p99 latency, and the
//! admitted count of an exactness check.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rampart_limits::{Attributes, CompiledLimits, Limiter, LimitsConfig, Policy, SystemClock};

const MEMORY: &str = r#"
rate_limits:
  - name: per-ip
    key: [client_ip]
    algorithm: {gcra: {rate: 1000000, per: second, burst: 1000000}}
  - name: per-ip-daily
    key: [client_ip]
    algorithm: {quota: {limit: 1000000000, period: day}}
"#;

fn redis_yaml(url: &str, max_batch: usize) -> String {
    format!(
        "redis:\n  url: {url}\n  max_batch: {max_batch}\n  response_timeout: 2s\n\
         rate_limits:\n\
         \x20 - name: per-ip\n    key: [client_ip]\n    store: redis\n\
         \x20   algorithm: {{gcra: {{rate: 1000000, per: second, burst: 1000000}}}}\n\
         \x20 - name: exact\n    key: [client_ip]\n    store: redis\n\
         \x20   algorithm: {{quota: {{limit: 20000, period: day}}}}\n"
    )
}

/// The policies one scenario checks, shared by its tasks.
type Policies = Arc<Vec<Arc<Policy>>>;

struct Run {
    decisions: usize,
    admitted: usize,
    elapsed: Duration,
    cpu: Duration,
    latencies: Vec<Duration>,
}

/// This process's user + system CPU time, from /proc (Linux; zero elsewhere).
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return Duration::ZERO };
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10)
}

impl Run {
    fn print(&mut self, name: &str) {
        self.latencies.sort_unstable();
        let at = |q: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
            self.latencies.get(i).copied().unwrap_or_default()
        };
        let rate = self.decisions as f64 / self.elapsed.as_secs_f64();
        let cpu_us = self.cpu.as_secs_f64() * 1e6 / self.decisions as f64;
        println!(
            "{name:<34} {rate:>8.0} decisions/s  p50 {:>8.1?}  p99 {:>8.1?}  \
             client cpu {cpu_us:.2} µs/decision  admitted {}",
            at(0.5),
            at(0.99),
            self.admitted
        );
    }
}

/// `tasks` concurrent loops of `per_task` checks over `keys` distinct client addresses.
async fn drive(
    limiter: Arc<Limiter>,
    policies: Policies,
    tasks: usize,
    per_task: usize,
    keys: u32,
) -> Run {
    let start = Instant::now();
    let cpu_start = cpu_time();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let limiter = Arc::clone(&limiter);
        let policies = Arc::clone(&policies);
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_task);
            let mut admitted = 0;
            for i in 0..per_task {
                let n = ((t * per_task + i) as u32) % keys;
                let attrs = Attributes::for_ip(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)));
                let began = Instant::now();
                admitted += usize::from(limiter.check(&policies, &attrs).await.allowed);
                latencies.push(began.elapsed());
            }
            (admitted, latencies)
        }));
    }
    let mut run = Run {
        decisions: tasks * per_task,
        admitted: 0,
        elapsed: Duration::ZERO,
        cpu: Duration::ZERO,
        latencies: Vec::new(),
    };
    for handle in handles {
        let Ok((admitted, latencies)) = handle.await else { continue };
        run.admitted += admitted;
        run.latencies.extend(latencies);
    }
    run.elapsed = start.elapsed();
    run.cpu = cpu_time().saturating_sub(cpu_start);
    run
}

/// Resets Redis command statistics, or returns the microseconds spent in scripts since.
async fn server_stats(url: &str, reset: bool) -> Result<f64, String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let mut conn = client.get_multiplexed_async_connection().await.map_err(|e| e.to_string())?;
    if reset {
        let _: () = redis::cmd("CONFIG")
            .arg("RESETSTAT")
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(0.0);
    }
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let usec = info
        .lines()
        .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
        .filter_map(|l| l.split(',').find_map(|f| f.strip_prefix("usec=")))
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    Ok(usec)
}

fn setup(yaml: &str, names: &[&str]) -> Result<(Arc<Limiter>, Policies), String> {
    let config = LimitsConfig::from_yaml(yaml).map_err(|e| e.to_string())?;
    let limits = CompiledLimits::compile(&config, "").map_err(|e| e.to_string())?;
    let limiter = Limiter::new(&limits, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let policies = names.iter().filter_map(|n| limits.policy(n).cloned()).collect();
    Ok((Arc::new(limiter), Arc::new(policies)))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let (limiter, policies) = setup(MEMORY, &["per-ip", "per-ip-daily"])?;
    drive(Arc::clone(&limiter), Arc::clone(&policies), 2, 200_000, 100_000).await;
    drive(limiter, policies, 4, 500_000, 100_000).await.print("memory, 2 policies, 4 tasks");

    let Some(url) = std::env::args().nth(1) else {
        println!("no redis url given: skipping the redis scenarios");
        return Ok(());
    };
    for (batch, tasks) in [(128, 256), (128, 64), (1, 256)] {
        let (limiter, policies) = setup(&redis_yaml(&url, batch), &["per-ip"])?;
        drive(Arc::clone(&limiter), Arc::clone(&policies), tasks, 200, 10_000).await;
        server_stats(&url, true).await?;
        let mut run = drive(limiter, policies, tasks, 200_000 / tasks * 2, 10_000).await;
        run.print(&format!("redis, max_batch {batch}, {tasks} tasks"));
        let server_us = server_stats(&url, false).await? / run.decisions as f64;
        println!("{:<34} server time {server_us:.2} µs/decision", "");
    }

    let (limiter, policies) = setup(&redis_yaml(&url, 128), &["exact"])?;
    let run = drive(limiter, policies, 256, 200, 1).await;
    println!("redis exactness: 51200 concurrent checks on a 20000 quota admitted {}", run.admitted);
    Ok(())
}
