//! What a check reports: findings, severities, Pod Security levels and versions.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::manifest::ResourceRef;

/// How bad a finding is; ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing; rarely exploitable alone.
    Low,
    /// Weakens isolation or defence in depth.
    Medium,
    /// A direct path to compromise or escalation.
    High,
    /// Host or cluster takeover.
    Critical,
}

impl Severity {
    /// Lowercase name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PssLevel {
    /// Prevents known privilege escalations; minimally restrictive.
    Baseline,
    /// Current pod hardening best practice; includes baseline.
    Restricted,
}

impl PssLevel {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

/// The newest Kubernetes minor version whose Pod Security rules are implemented.
pub const LATEST_PSS_MINOR: u32 = 37;

/// A Pod Security Admission policy version, `v1.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PssVersion {
    minor: u32,
}

impl PssVersion {
    /// The newest known version (what `latest` means).
    pub const LATEST: PssVersion = PssVersion { minor: LATEST_PSS_MINOR };

    /// Version `v1.minor`; newer than the newest known is evaluated as the newest,
    /// as Pod Security Admission does.
    pub fn new(minor: u32) -> PssVersion {
        PssVersion { minor: minor.min(LATEST_PSS_MINOR) }
    }

    /// The minor number.
    pub fn minor(self) -> u32 {
        self.minor
    }
}

impl Default for PssVersion {
    fn default() -> Self {
        PssVersion::LATEST
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

/// A `--pss-version` value that is neither `latest` nor `v1.N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Pod Security version \"{0}\": use \"latest\" or \"v1.N\" (e.g. v1.30)")]
pub struct InvalidPssVersion(pub String);

impl FromStr for PssVersion {
    type Err = InvalidPssVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "latest" {
            return Ok(PssVersion::LATEST);
        }
        let minor = text.strip_prefix("v1.").and_then(|m| m.parse::<u32>().ok());
        minor.map(PssVersion::new).ok_or_else(|| InvalidPssVersion(text.to_string()))
    }
}

impl Serialize for PssVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The Pod Security control a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PssTag {
    /// Level of the control.
    pub level: PssLevel,
    /// The policy version evaluated.
    pub version: PssVersion,
}

/// One problem found in one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable check id, e.g. `PSS-RESTR-SECCOMP`.
    pub check: &'static str,
    /// Severity of the check.
    pub severity: Severity,
    /// The resource at fault.
    pub resource: ResourceRef,
    /// File of the resource (`-` for stdin).
    pub file: String,
    /// 1-based line where the resource starts.
    pub line: usize,
    /// What is wrong, naming the containers or rules at fault.
    pub message: String,
    /// How to fix it.
    pub remediation: &'static str,
    /// Set for Pod Security Standards controls.
    pub pss: Option<PssTag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!("latest".parse::<PssVersion>(), Ok(PssVersion::LATEST));
        assert_eq!("v1.24".parse::<PssVersion>().map(PssVersion::minor), Ok(24));
        assert_eq!("v1.99".parse::<PssVersion>(), Ok(PssVersion::LATEST));
        assert!("1.24".parse::<PssVersion>().is_err());
        assert!("v2.1".parse::<PssVersion>().is_err());
        assert!("v1.x".parse::<PssVersion>().is_err());
    }
}
