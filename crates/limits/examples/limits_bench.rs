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

fn redis_yaml(url: &str, max_batch: usize, connections: usize) -> String {
    format!(
        "redis:\n  url: {url}\n  max_batch: {max_batch}\n  connections: {connections}\n\
         \x20 response_timeout: 2s\n\
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

/// Redis's own figures: microseconds spent in scripts, and CPU seconds (user + system).
#[derive(Debug, Clone, Copy, Default)]
struct ServerStats {
    script_us: f64,
    cpu_secs: f64,
}

/// Resets Redis command statistics (when `reset`) and reads the server's counters.
async fn server_stats(url: &str, reset: bool) -> Result<ServerStats, String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let mut conn = client.get_multiplexed_async_connection().await.map_err(|e| e.to_string())?;
    let query = |args: &'static [&'static str]| {
        let mut cmd = redis::cmd(args[0]);
        cmd.arg(&args[1..]);
        cmd
    };
    if reset {
        let _: () = query(&["CONFIG", "RESETSTAT"])
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    let info: String =
        query(&["INFO", "all"]).query_async(&mut conn).await.map_err(|e| e.to_string())?;
    let field = |name: &str| -> f64 {
        info.lines()
            .filter_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .sum()
    };
    let script_us = info
        .lines()
        .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
        .filter_map(|l| l.split(',').find_map(|f| f.strip_prefix("usec=")))
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    Ok(ServerStats { script_us, cpu_secs: field("used_cpu_user") + field("used_cpu_sys") })
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
    let scenarios = [
        (128, 1, 16),
        (128, 1, 64),
        (128, 1, 256),
        (128, 1, 1024),
        (128, 2, 256),
        (128, 2, 1024),
        (512, 1, 1024),
        (1, 1, 256),
    ];
    for (batch, connections, tasks) in scenarios {
        let (limiter, policies) = setup(&redis_yaml(&url, batch, connections), &["per-ip"])?;
        drive(Arc::clone(&limiter), Arc::clone(&policies), tasks, 200, 10_000).await;
        let before_health = limiter.redis_health().unwrap_or_default();
        let before = server_stats(&url, true).await?;
        let per_task = (400_000 / tasks).max(1);
        let mut run = drive(Arc::clone(&limiter), policies, tasks, per_task, 10_000).await;
        let after = server_stats(&url, false).await?;
        let health = limiter.redis_health().unwrap_or_default();
        run.print(&format!("redis, batch {batch}, {connections} conn, {tasks} tasks"));
        let batches = health.batches.saturating_sub(before_health.batches).max(1);
        let sent = health.batched_decisions.saturating_sub(before_health.batched_decisions);
        let secs = run.elapsed.as_secs_f64();
        let server_cpu = after.cpu_secs - before.cpu_secs;
        println!(
            "{:<34} redis cpu {:.0}% ({:.2} µs/decision), script time {:.2} µs/decision, \
             mean batch {:.1}",
            "",
            server_cpu / secs * 100.0,
            server_cpu * 1e6 / run.decisions as f64,
            after.script_us / run.decisions as f64,
            sent as f64 / batches as f64,
        );
    }

    let (limiter, policies) = setup(&redis_yaml(&url, 128, 1), &["exact"])?;
    let run = drive(limiter, policies, 256, 200, 1).await;
    println!("redis exactness: 51200 concurrent checks on a 20000 quota admitted {}", run.admitted);
    Ok(())
}
