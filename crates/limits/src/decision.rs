//! The result of checking a request against its policies, and its HTTP header rendering.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

/// Why a request was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// A GCRA throttle is exhausted (event `rate_limited`).
    RateLimited,
    /// A quota is used up for the period (event `quota_exceeded`).
    QuotaExceeded,
    /// The policy's store is unreachable and it fails closed.
    StoreUnavailable,
}

impl DenyReason {
    /// The security event name for this denial.
    pub fn event_name(self) -> &'static str {
        match self {
            DenyReason::RateLimited => "rate_limited",
            DenyReason::QuotaExceeded => "quota_exceeded",
            DenyReason::StoreUnavailable => "limit_store_unavailable",
        }
    }
}

/// One policy's state after a request, as advertised in headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyStatus {
    /// Policy name.
    pub policy: Arc<str>,
    /// The key the request was counted under (API keys appear as their id).
    pub key: String,
    /// Burst or quota limit.
    pub limit: u64,
    /// Requests still admitted.
    pub remaining: u64,
    /// Until full replenishment (GCRA) or the end of the period (quota).
    #[serde(serialize_with = "secs")]
    pub reset: Duration,
    /// The policy's window (burst × interval, or the period length).
    #[serde(serialize_with = "secs")]
    pub window: Duration,
    /// Whether this policy admitted the request.
    pub allowed: bool,
    /// Whether the policy's headers go on allowed responses.
    #[serde(skip)]
    pub headers: bool,
    /// True when the answer came from the local fallback because Redis was unreachable.
    pub fallback: bool,
}

/// The limiter's answer for one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    /// Whether every applicable policy admitted the request (and it was counted).
    pub allowed: bool,
    /// Why it was denied, when it was.
    pub reason: Option<DenyReason>,
    /// The deciding policy's status: the denying one, or the one closest to its limit.
    pub deciding: Option<PolicyStatus>,
    /// Wait before retrying (denials only); rounded up to whole seconds in `Retry-After`.
    pub retry_after: Option<Duration>,
    /// Every applicable policy's status, in the order the policies were given.
    pub statuses: Vec<PolicyStatus>,
}

impl Decision {
    /// A decision for a request no policy applies to.
    pub fn unlimited() -> Self {
        Self { allowed: true, ..Self::default() }
    }

    /// The deciding policy's name, for events and logs.
    pub fn policy(&self) -> Option<&str> {
        self.deciding.as_ref().map(|s| &*s.policy)
    }

    /// Response headers: `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-
    /// headers, structured-field lists of quoted policy names with `q`/`w` and `r`/`t`
    /// parameters), plus `Retry-After` on denials.
    ///
    /// Allowed responses list the policies with `headers: true`; denials always list the
    /// denying policy.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let shown: Vec<&PolicyStatus> =
            self.statuses.iter().filter(|s| s.headers || (!self.allowed && !s.allowed)).collect();
        let mut out = Vec::with_capacity(3);
        if !shown.is_empty() {
            out.push(("RateLimit-Policy", join(&shown, policy_item)));
            out.push(("RateLimit", join(&shown, limit_item)));
        }
        if let Some(wait) = self.retry_after {
            out.push(("Retry-After", ceil_secs(wait).to_string()));
        }
        out
    }
}

/// Current counters of one policy for one key, for `GET /keys/{id}/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyUsage {
    /// Policy name.
    pub policy: Arc<str>,
    /// Burst or quota limit.
    pub limit: u64,
    /// Requests counted in the current period (quota) or burst in use (GCRA).
    pub used: u64,
    /// Requests still admitted now.
    pub remaining: u64,
    /// Until full replenishment or the end of the period, in seconds.
    #[serde(serialize_with = "secs")]
    pub reset: Duration,
}

fn join(shown: &[&PolicyStatus], item: fn(&PolicyStatus) -> String) -> String {
    shown.iter().map(|s| item(s)).collect::<Vec<_>>().join(", ")
}

fn policy_item(status: &PolicyStatus) -> String {
    format!("{};q={};w={}", sf_string(&status.policy), status.limit, ceil_secs(status.window))
}

fn limit_item(status: &PolicyStatus) -> String {
    format!("{};r={};t={}", sf_string(&status.policy), status.remaining, ceil_secs(status.reset))
}

/// A structured-field string: quoted, with `"` and `\` escaped (names are ASCII already).
fn sf_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| (' '..='~').contains(c)) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Whole seconds, rounded up so a client waiting that long is admitted.
pub(crate) fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(ceil_secs(*d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(name: &str, remaining: u64, allowed: bool, headers: bool) -> PolicyStatus {
        PolicyStatus {
            policy: Arc::from(name),
            key: "ip=10.0.0.1".into(),
            limit: 10,
            remaining,
            reset: Duration::from_millis(2500),
            window: Duration::from_secs(60),
            allowed,
            headers,
            fallback: false,
        }
    }

    #[test]
    fn allowed_headers_list_every_shown_policy() {
        let decision = Decision {
            allowed: true,
            statuses: vec![status("per-ip", 7, true, true), status("hidden", 1, true, false)],
            ..Decision::default()
        };
        let headers = decision.headers();
        assert_eq!(
            headers,
            vec![
                ("RateLimit-Policy", "\"per-ip\";q=10;w=60".to_string()),
                ("RateLimit", "\"per-ip\";r=7;t=3".to_string()),
            ]
        );
    }

    #[test]
    fn denial_shows_the_denying_policy_and_retry_after() {
        let denied = status("daily", 0, false, false);
        let decision = Decision {
            allowed: false,
            reason: Some(DenyReason::QuotaExceeded),
            deciding: Some(denied.clone()),
            retry_after: Some(Duration::from_millis(1200)),
            statuses: vec![status("per-ip", 3, true, true), denied],
        };
        let headers = decision.headers();
        assert_eq!(headers[0].1, "\"per-ip\";q=10;w=60, \"daily\";q=10;w=60");
        assert_eq!(headers[1].1, "\"per-ip\";r=3;t=3, \"daily\";r=0;t=3");
        assert_eq!(headers[2], ("Retry-After", "2".to_string()));
    }
}
