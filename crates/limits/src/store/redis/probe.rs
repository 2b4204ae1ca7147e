//! One policy of one decision, addressed to Redis, and how it is written into the script
//! call.
//!
//! Values stay numeric until the command is encoded (no per-probe formatting into strings):
//! GCRA sends its interval in microseconds (fractional) and its burst; a quota sends its
//! limit and the end of its period in microseconds since the epoch.

use crate::algorithm::Algorithm;
use crate::period::Window;

/// What the script evaluates for one key.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Check {
    /// GCRA: emission interval (µs) and burst.
    Gcra { interval_us: f64, burst: u64 },
    /// Quota: limit per period and the period's end (µs since the epoch).
    Quota { limit: u64, end_us: u64 },
}

/// One policy of one request, addressed to Redis.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisProbe {
    /// Full Redis key: `<prefix>{<identity>}:<policy>[:<period start>]`.
    pub key: String,
    check: Check,
}

impl RedisProbe {
    /// The probe for `identity` under policy `policy`, evaluated at `now` (ns).
    pub fn new(
        prefix: &str,
        policy: &str,
        identity: &str,
        algorithm: &Algorithm,
        now: u64,
    ) -> Self {
        match algorithm {
            Algorithm::Gcra(gcra) => Self {
                key: format!("{prefix}{{{identity}}}:{policy}"),
                check: Check::Gcra {
                    interval_us: gcra.interval as f64 / 1000.0,
                    burst: gcra.burst,
                },
            },
            Algorithm::Quota(quota) => {
                let Window { start, end } = quota.window(now);
                Self {
                    key: format!("{prefix}{{{identity}}}:{policy}:{}", start / 1_000_000_000),
                    check: Check::Quota { limit: quota.limit, end_us: end / 1000 },
                }
            }
        }
    }

    /// Appends this probe's three script arguments: kind (`g` or `q`), `a`, `b`.
    pub(super) fn write_args(&self, cmd: &mut redis::Cmd) {
        match self.check {
            Check::Gcra { interval_us, burst } => cmd.arg("g").arg(interval_us).arg(burst),
            Check::Quota { limit, end_us } => cmd.arg("q").arg(limit).arg(end_us),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::Gcra;

    #[test]
    fn keys_carry_the_identity_as_hash_tag() {
        let gcra = Algorithm::Gcra(Gcra { interval: 500_000_000, burst: 5 });
        let probe = RedisProbe::new("rl:", "per-ip", "10.0.0.1", &gcra, 0);
        assert_eq!(probe.key, "rl:{10.0.0.1}:per-ip");
        assert_eq!(probe.check, Check::Gcra { interval_us: 500_000.0, burst: 5 });
    }
}
