//! rampart-audit: a static security auditor for Kubernetes and Istio manifests.
//!
//! It reads manifests (YAML, JSON, multi-document, `kind: List`) with line numbers,
//! runs checks (Pod Security Standards, versioned as Pod Security Admission enforces
//! them; workload hardening; RBAC; NetworkPolicy; Istio) and renders findings as text,
//! JSON or SARIF 2.1.0. It depends on neither tokio nor hyper.
//!
//! The binary calls [`cli::run`] with [`cli::AuditArgs`]; libraries can use
//! [`manifest::load_paths`] or [`manifest::load_str`], then [`engine::audit`], then a
//! renderer in [`output`].
//!
//! Known gaps: the NetworkPolicy summary in [`reach`] describes peers by selector and
//! does not resolve them against other namespaces' labels; YAML merge keys (`<<`) are
//! kept as ordinary keys, not merged.

pub mod checks;
pub mod cli;
pub mod engine;
pub mod finding;
pub mod manifest;
pub mod output;
pub mod reach;
pub mod suppress;

pub use cli::{run, AuditArgs};
pub use engine::{audit, AuditOptions, Report};
pub use finding::{Finding, PssLevel, PssVersion, Severity};
