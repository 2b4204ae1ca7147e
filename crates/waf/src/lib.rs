//! rampart's SecLang engine: loads ModSecurity v3 rule files such as the OWASP Core Rule Set
//! and inspects HTTP transactions with them, phase by phase.
//!
//! ```no_run
//! use rampart_waf::{LoadOptions, TransactionInfo, WafEngine};
//! let engine = WafEngine::from_str(
//!     "SecRuleEngine On\nSecRule ARGS \"@contains evil\" \"id:1,phase:1,deny,status:403\"",
//!     &LoadOptions::default(),
//! )?;
//! let mut tx = engine.transaction(TransactionInfo {
//!     client_ip: "127.0.0.1".parse()?,
//!     client_port: 40000,
//!     server_port: 8080,
//!     request_id: "r1".into(),
//! });
//! tx.process_request_line("GET", "/?q=evil", "HTTP/1.1");
//! assert!(tx.process_request_headers().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod config;
pub mod engine;
pub mod ftw;
pub mod parser;
pub mod rule;

pub use config::{LoadError, RuleSet};
pub use engine::{
    AnomalyScores, InspectionStats, Intervention, InterventionAction, LoadOptions, RuleMatch,
    Transaction, TransactionInfo, WafEngine,
};
pub use parser::ParseError;
