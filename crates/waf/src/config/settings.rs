//! Engine-wide settings set by SecLang directives (SecRuleEngine, SecRequestBodyLimit, ...).

use crate::rule::EngineMode;

/// What happens when a body exceeds its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitAction {
    /// Deny the transaction with 413.
    Reject,
    /// Inspect the part up to the limit.
    ProcessPartial,
}

/// Engine settings as the directives left them.
#[derive(Debug, Clone)]
pub struct Settings {
    /// SecRuleEngine (default On).
    pub engine_mode: EngineMode,
    /// SecRequestBodyAccess (default Off).
    pub request_body_access: bool,
    /// SecRequestBodyLimit in bytes (default 13107200).
    pub request_body_limit: u64,
    /// SecRequestBodyNoFilesLimit in bytes (default 1048576).
    pub request_body_no_files_limit: u64,
    /// SecRequestBodyLimitAction (default Reject).
    pub request_body_limit_action: LimitAction,
    /// SecRequestBodyJsonDepthLimit (default 10000).
    pub json_depth_limit: usize,
    /// SecArgumentsLimit (default 1000).
    pub arguments_limit: usize,
    /// SecResponseBodyAccess (default Off).
    pub response_body_access: bool,
    /// SecResponseBodyMimeType (default text/plain and text/html).
    pub response_body_mime_types: Vec<String>,
    /// SecResponseBodyLimit in bytes (default 524288).
    pub response_body_limit: u64,
    /// SecResponseBodyLimitAction (default ProcessPartial).
    pub response_body_limit_action: LimitAction,
    /// SecArgumentSeparator (default `&`).
    pub argument_separator: u8,
    /// SecCollectionTimeout in seconds (default 3600).
    pub collection_timeout: u64,
    /// SecWebAppId (default "default").
    pub web_app_id: String,
    /// SecComponentSignature values, in order.
    pub component_signatures: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            engine_mode: EngineMode::On,
            request_body_access: false,
            request_body_limit: 13_107_200,
            request_body_no_files_limit: 1_048_576,
            request_body_limit_action: LimitAction::Reject,
            json_depth_limit: 10_000,
            arguments_limit: 1000,
            response_body_access: false,
            response_body_mime_types: vec!["text/plain".into(), "text/html".into()],
            response_body_limit: 524_288,
            response_body_limit_action: LimitAction::ProcessPartial,
            argument_separator: b'&',
            collection_timeout: 3600,
            web_app_id: "default".into(),
            component_signatures: Vec::new(),
        }
    }
}
