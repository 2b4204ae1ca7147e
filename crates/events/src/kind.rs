//! What a security event records ([`EventType`]) and how much it matters ([`Severity`]).

use serde::{Deserialize, Serialize, Serializer};

/// The decision or occurrence a [`crate::SecurityEvent`] records.
///
/// Serialized as a stable snake_case string; `docs/events.md` lists when each is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A request passed every stage and was proxied; carries the identity if any.
    RequestAllowed,
    /// A credential was missing, malformed, expired or did not verify (HTTP 401).
    AuthenticationFailed,
    /// An authenticated identity lacked a required scope (HTTP 403).
    Forbidden,
    /// The upstream refused, failed or timed out (HTTP 502, 503 or 504).
    UpstreamFailure,
    /// The gateway denied a malformed or unsafe request (smuggling, limits, no route).
    RequestDenied,
    /// A new configuration was validated and swapped in.
    ConfigReloaded,
    /// A new configuration failed validation; the previous one keeps serving.
    ConfigRejected,
    /// A rate limit denied the request (HTTP 429).
    RateLimited,
    /// A usage-plan quota denied the request (HTTP 429).
    QuotaExceeded,
    /// The request did not match its JSON Schema or OpenAPI description (HTTP 400).
    ValidationFailed,
    /// A WAF rule matched; `details.rule_ids` names the rules.
    Waf,
    /// An authorization policy denied the request (HTTP 403).
    PolicyDenied,
    /// An authorization policy in audit mode would have denied the request.
    PolicyAudit,
    /// A TLS or mTLS handshake failed before any request was read.
    TlsHandshakeFailed,
    /// An event type added by a later stage; the name must be a fixed snake_case constant.
    Custom(&'static str),
}

impl EventType {
    /// The stable name written in the `event_type` field.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RequestAllowed => "request_allowed",
            Self::AuthenticationFailed => "authentication_failed",
            Self::Forbidden => "forbidden",
            Self::UpstreamFailure => "upstream_failure",
            Self::RequestDenied => "request_denied",
            Self::ConfigReloaded => "config_reloaded",
            Self::ConfigRejected => "config_rejected",
            Self::RateLimited => "rate_limited",
            Self::QuotaExceeded => "quota_exceeded",
            Self::ValidationFailed => "validation_failed",
            Self::Waf => "waf",
            Self::PolicyDenied => "policy_denied",
            Self::PolicyAudit => "policy_audit",
            Self::TlsHandshakeFailed => "tls_handshake_failed",
            Self::Custom(name) => name,
        }
    }

    /// The severity an event of this type gets unless its stage chooses another.
    pub fn default_severity(&self) -> Severity {
        match self {
            Self::RequestAllowed | Self::ConfigReloaded | Self::PolicyAudit | Self::Custom(_) => {
                Severity::Info
            }
            Self::RateLimited
            | Self::QuotaExceeded
            | Self::ValidationFailed
            | Self::TlsHandshakeFailed => Severity::Low,
            Self::AuthenticationFailed
            | Self::Forbidden
            | Self::UpstreamFailure
            | Self::RequestDenied
            | Self::PolicyDenied => Severity::Medium,
            Self::Waf | Self::ConfigRejected => Severity::High,
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How urgently a security event needs a person's attention.
///
/// Ordered from least to most severe, so `severity >= Severity::High` works as a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A normal decision worth recording; no threat indicated.
    Info,
    /// A denial that is common and usually benign in isolation.
    Low,
    /// A denial that may indicate probing or misuse, or a failure that degrades service.
    Medium,
    /// A likely attack, such as a WAF match, or a security change that did not take effect.
    High,
    /// An attack or failure that needs action now.
    Critical,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_and_custom_names_pass_through() {
        assert_eq!(EventType::TlsHandshakeFailed.as_str(), "tls_handshake_failed");
        assert_eq!(EventType::Custom("anomaly_detected").as_str(), "anomaly_detected");
        let json = serde_json::to_string(&EventType::PolicyAudit).unwrap();
        assert_eq!(json, "\"policy_audit\"");
    }

    #[test]
    fn severities_order_and_serialize_lowercase() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(serde_json::to_string(&Severity::Medium).unwrap(), "\"medium\"");
        assert_eq!(serde_json::from_str::<Severity>("\"high\"").unwrap(), Severity::High);
        assert!(serde_json::from_str::<Severity>("\"High\"").is_err());
        assert_eq!(EventType::RateLimited.to_string(), "rate_limited");
        assert_eq!(EventType::Waf.default_severity(), Severity::High);
        assert_eq!(EventType::RequestAllowed.default_severity(), Severity::Info);
    }
}
