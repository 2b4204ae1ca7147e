//! Typed rule actions, compiled from the raw action list.

use rampart_waf_ops::Transform;

use super::macros::MacroString;
use super::target::{compile_selector, Exclusion};
use super::variable::Variable;
use crate::parser::variables::parse_targets;
use crate::parser::{ParseError, RawAction};

/// What a rule does to the transaction when it (and its chain) matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disruptive {
    /// Continue.
    Pass,
    /// Do what the phase's SecDefaultAction says.
    Block,
    /// Stop with the rule's status (403 by default).
    Deny,
    /// Close the connection.
    Drop,
    /// Stop inspecting: the whole transaction, the phase, or the request phases.
    Allow(AllowScope),
    /// Redirect to a URL.
    Redirect(MacroString),
}

/// How far `allow` reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowScope {
    /// Every remaining phase.
    All,
    /// The rest of the current phase.
    Phase,
    /// The rest of the request phases.
    Request,
}

/// How `setvar` changes a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetVarOp {
    /// `name=value`.
    Set,
    /// `name=+value`.
    Add,
    /// `name=-value`.
    Sub,
    /// `!name`.
    Delete,
}

/// A `setvar` action.
#[derive(Debug, Clone)]
pub struct SetVar {
    /// The collection (TX, IP, GLOBAL, SESSION, USER, RESOURCE).
    pub collection: Variable,
    /// The member name, macro-expanded then lower-cased at run time.
    pub key: MacroString,
    /// The change.
    pub op: SetVarOp,
    /// The value, macro-expanded at run time.
    pub value: MacroString,
}

/// The rule engine's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineMode {
    /// Rules run and may deny.
    On,
    /// Rules do not run.
    Off,
    /// Rules run and log but never deny.
    DetectionOnly,
}

impl EngineMode {
    /// Parses On, Off or DetectionOnly (case-insensitive).
    pub fn parse(value: &str) -> Result<EngineMode, ParseError> {
        match value.to_ascii_lowercase().as_str() {
            "on" => Ok(EngineMode::On),
            "off" => Ok(EngineMode::Off),
            "detectiononly" => Ok(EngineMode::DetectionOnly),
            _ => Err(ParseError::BadValue {
                value: value.into(),
                expected: "On, Off or DetectionOnly",
            }),
        }
    }
}

/// A request body processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProcessor {
    /// application/x-www-form-urlencoded.
    UrlEncoded,
    /// multipart/form-data.
    Multipart,
    /// JSON.
    Json,
    /// XML.
    Xml,
}

impl BodyProcessor {
    /// The name ModSecurity gives the processor (REQBODY_PROCESSOR).
    pub fn name(&self) -> &'static str {
        match self {
            BodyProcessor::UrlEncoded => "URLENCODED",
            BodyProcessor::Multipart => "MULTIPART",
            BodyProcessor::Json => "JSON",
            BodyProcessor::Xml => "XML",
        }
    }
}

/// An inclusive range of rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdRange {
    /// The first id.
    pub first: u64,
    /// The last id.
    pub last: u64,
}

impl IdRange {
    /// Parses `N` or `N-M`.
    pub fn parse(text: &str) -> Option<IdRange> {
        let text = text.trim();
        match text.split_once('-') {
            Some((a, b)) => {
                Some(IdRange { first: a.trim().parse().ok()?, last: b.trim().parse().ok()? })
            }
            None => text.parse().ok().map(|id| IdRange { first: id, last: id }),
        }
    }

    /// Whether `id` is in the range.
    pub fn contains(&self, id: u64) -> bool {
        (self.first..=self.last).contains(&id)
    }
}

/// A `ctl` action: a change to this transaction's configuration.
#[derive(Debug, Clone)]
pub enum Ctl {
    /// Removes rules by id or id range for this transaction.
    RuleRemoveById(Vec<IdRange>),
    /// Removes rules carrying this tag.
    RuleRemoveByTag(String),
    /// Removes rules whose msg equals this text.
    RuleRemoveByMsg(String),
    /// Removes targets from rules by id.
    RuleRemoveTargetById(Vec<IdRange>, Vec<Exclusion>),
    /// Removes targets from rules carrying a tag.
    RuleRemoveTargetByTag(String, Vec<Exclusion>),
    /// Changes the engine mode.
    RuleEngine(EngineMode),
    /// Chooses the request body processor.
    RequestBodyProcessor(BodyProcessor),
    /// Turns request body inspection on or off.
    RequestBodyAccess(bool),
    /// Turns response body inspection on or off.
    ResponseBodyAccess(bool),
    /// Fills REQUEST_BODY even for processed bodies.
    ForceRequestBodyVariable(bool),
    /// Changes the request body limit.
    RequestBodyLimit(u64),
    /// Accepted and ignored (audit log and debug log settings): rampart has no audit log.
    NoOp(String),
}

/// An action run when its rule matches, in the order written.
#[derive(Debug, Clone)]
pub enum RuntimeAction {
    /// `setvar`.
    SetVar(SetVar),
    /// `expirevar:collection.key=seconds`.
    ExpireVar(Variable, MacroString, u64),
    /// `ctl`.
    Ctl(Ctl),
    /// `initcol:collection=key`.
    InitCol(Variable, MacroString),
    /// `setuid`.
    SetUid(MacroString),
    /// `setsid`.
    SetSid(MacroString),
    /// `setenv:name=value`.
    SetEnv(MacroString, MacroString),
}

/// Everything a rule's action list says, typed.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    /// `id`.
    pub id: Option<u64>,
    /// `phase` (1-5).
    pub phase: Option<u8>,
    /// `msg`.
    pub msg: Option<MacroString>,
    /// `logdata`.
    pub logdata: Option<MacroString>,
    /// `tag`s in order.
    pub tags: Vec<String>,
    /// `severity` (0 emergency .. 7 debug).
    pub severity: Option<u8>,
    /// `ver`.
    pub ver: Option<String>,
    /// `rev`.
    pub rev: Option<String>,
    /// `maturity`.
    pub maturity: Option<u8>,
    /// `accuracy`.
    pub accuracy: Option<u8>,
    /// Transformations after the last `t:none`.
    pub transforms: Vec<Transform>,
    /// Whether `t:none` appeared (drops the default action's transformations).
    pub transforms_reset: bool,
    /// The disruptive action, the last one written.
    pub disruptive: Option<Disruptive>,
    /// `status`.
    pub status: Option<u16>,
    /// `chain`.
    pub chain: bool,
    /// `capture`.
    pub capture: bool,
    /// `multiMatch`.
    pub multi_match: bool,
    /// `log` / `nolog`.
    pub log: Option<bool>,
    /// `auditlog` / `noauditlog`.
    pub audit_log: Option<bool>,
    /// `skip`.
    pub skip: u32,
    /// `skipAfter`.
    pub skip_after: Option<String>,
    /// `sanitiseMatched` and friends: matched values are masked in logs.
    pub sanitise: bool,
    /// Actions run on match, in order.
    pub runtime: Vec<RuntimeAction>,
}

impl Actions {
    /// Compiles a raw action list.
    pub fn compile(raw: &[RawAction]) -> Result<Actions, ParseError> {
        let mut actions = Actions::default();
        for action in raw {
            actions.add(action)?;
        }
        Ok(actions)
    }

    fn add(&mut self, action: &RawAction) -> Result<(), ParseError> {
        let name = action.name.to_ascii_lowercase();
        let value = action.value.as_deref().unwrap_or("");
        let bad = |reason| bad_value(&action.name, value, reason);

        match name.as_str() {
            "id" => self.id = Some(value.trim().parse().map_err(|_| bad("a rule id number"))?),
            "phase" => self.phase = Some(parse_phase(value).ok_or_else(|| bad("1-5"))?),
            "msg" => self.msg = Some(MacroString::parse(value)?),
            "logdata" => self.logdata = Some(MacroString::parse(value)?),
            "tag" => self.tags.push(value.to_string()),
            "severity" => self.severity = Some(parse_severity(value).ok_or_else(|| bad("0-7"))?),
            "ver" => self.ver = Some(value.to_string()),
            "rev" => self.rev = Some(value.to_string()),
            "maturity" => self.maturity = value.trim().parse().ok(),
            "accuracy" => self.accuracy = value.trim().parse().ok(),
            "t" => self.add_transform(value)?,
            "status" => {
                self.status = Some(value.trim().parse().map_err(|_| bad("an HTTP status"))?)
            }
            "chain" => self.chain = true,
            "capture" => self.capture = true,
            "multimatch" => self.multi_match = true,
            "log" => self.log = Some(true),
            "nolog" => self.log = Some(false),
            "auditlog" => self.audit_log = Some(true),
            "noauditlog" => self.audit_log = Some(false),
            "skip" => self.skip = value.trim().parse().map_err(|_| bad("a rule count"))?,
            "skipafter" => self.skip_after = Some(value.trim().to_string()),
            "sanitisematched"
            | "sanitisearg"
            | "sanitisematchedbytes"
            | "sanitiserequestheader"
            | "sanitiseresponseheader" => self.sanitise = true,
            _ => return self.add_disruptive_or_runtime(&name, action, value),
        }
        Ok(())
    }

    fn add_disruptive_or_runtime(
        &mut self,
        name: &str,
        action: &RawAction,
        value: &str,
    ) -> Result<(), ParseError> {
        let disruptive = match name {
            "pass" => Some(Disruptive::Pass),
            "block" => Some(Disruptive::Block),
            "deny" => Some(Disruptive::Deny),
            "drop" => Some(Disruptive::Drop),
            "allow" => Some(Disruptive::Allow(parse_allow(value))),
            "redirect" => Some(Disruptive::Redirect(MacroString::parse(value)?)),
            _ => None,
        };
        if let Some(d) = disruptive {
            self.disruptive = Some(d);
            return Ok(());
        }
        match name {
            "setvar" => self.runtime.push(RuntimeAction::SetVar(parse_setvar(value)?)),
            "expirevar" => self.runtime.push(parse_expirevar(value)?),
            "ctl" => self.runtime.push(RuntimeAction::Ctl(parse_ctl(value)?)),
            "initcol" => self.runtime.push(parse_initcol(value)?),
            "setuid" => self.runtime.push(RuntimeAction::SetUid(MacroString::parse(value)?)),
            "setsid" => self.runtime.push(RuntimeAction::SetSid(MacroString::parse(value)?)),
            "setenv" => {
                let (k, v) = value.split_once('=').unwrap_or((value, ""));
                let (k, v) = (MacroString::parse(k)?, MacroString::parse(v)?);
                self.runtime.push(RuntimeAction::SetEnv(k, v));
            }
            // Metadata and audit-log actions rampart accepts without effect.
            "auditlogparts" | "exec" | "append" | "prepend" | "xmlns" | "deprecatevar"
            | "setrsc" | "proxy" | "pause" => {}
            _ => return Err(ParseError::UnknownAction(action.name.clone())),
        }
        Ok(())
    }

    fn add_transform(&mut self, value: &str) -> Result<(), ParseError> {
        if value.eq_ignore_ascii_case("none") {
            self.transforms.clear();
            self.transforms_reset = true;
            return Ok(());
        }
        let t = Transform::from_name(value.trim())
            .ok_or_else(|| ParseError::UnknownTransform(value.to_string()))?;
        self.transforms.push(t);
        Ok(())
    }
}

fn bad_value(action: &str, value: &str, reason: &'static str) -> ParseError {
    ParseError::BadActionValue { action: action.into(), value: value.into(), reason }
}

fn parse_phase(value: &str) -> Option<u8> {
    match value.trim().to_ascii_lowercase().as_str() {
        "request" => Some(2),
        "response" => Some(4),
        "logging" => Some(5),
        other => other.parse().ok().filter(|p| (1..=5).contains(p)),
    }
}

fn parse_severity(value: &str) -> Option<u8> {
    const NAMES: [&str; 8] =
        ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];
    let value = value.trim();
    if let Ok(n) = value.parse::<u8>() {
        return (n < 8).then_some(n);
    }
    NAMES.iter().position(|n| n.eq_ignore_ascii_case(value)).map(|p| p as u8)
}

fn parse_allow(value: &str) -> AllowScope {
    match value.trim().to_ascii_lowercase().as_str() {
        "phase" => AllowScope::Phase,
        "request" => AllowScope::Request,
        _ => AllowScope::All,
    }
}

fn collection_of(name: &str, action: &str, whole: &str) -> Result<Variable, ParseError> {
    match name.trim().to_ascii_uppercase().as_str() {
        "TX" => Ok(Variable::Tx),
        "IP" => Ok(Variable::Ip),
        "GLOBAL" => Ok(Variable::Global),
        "SESSION" => Ok(Variable::Session),
        "USER" => Ok(Variable::User),
        "RESOURCE" => Ok(Variable::Resource),
        _ => Err(bad_value(action, whole, "a TX, IP, GLOBAL, SESSION, USER or RESOURCE variable")),
    }
}

fn parse_setvar(value: &str) -> Result<SetVar, ParseError> {
    let text = value.trim();
    let (delete, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (target, assigned) = text.split_once('=').unwrap_or((text, "1"));
    let (collection, key) = target
        .split_once('.')
        .ok_or_else(|| bad_value("setvar", value, "`collection.name=value`"))?;
    let collection = collection_of(collection, "setvar", value)?;
    let (op, rhs) = if delete {
        (SetVarOp::Delete, "")
    } else if let Some(rest) = assigned.strip_prefix('+') {
        (SetVarOp::Add, rest)
    } else if let Some(rest) = assigned.strip_prefix('-') {
        (SetVarOp::Sub, rest)
    } else {
        (SetVarOp::Set, assigned)
    };
    Ok(SetVar {
        collection,
        key: MacroString::parse(key.trim())?,
        op,
        value: MacroString::parse(rhs)?,
    })
}

fn parse_expirevar(value: &str) -> Result<RuntimeAction, ParseError> {
    let (target, seconds) = value.split_once('=').unwrap_or((value, "0"));
    let (collection, key) = target
        .split_once('.')
        .ok_or_else(|| bad_value("expirevar", value, "`collection.name=seconds`"))?;
    let collection = collection_of(collection, "expirevar", value)?;
    let seconds = seconds.trim().parse().map_err(|_| bad_value("expirevar", value, "seconds"))?;
    Ok(RuntimeAction::ExpireVar(collection, MacroString::parse(key.trim())?, seconds))
}

fn parse_initcol(value: &str) -> Result<RuntimeAction, ParseError> {
    let (collection, key) =
        value.split_once('=').ok_or_else(|| bad_value("initcol", value, "`collection=key`"))?;
    let collection = collection_of(collection, "initcol", value)?;
    Ok(RuntimeAction::InitCol(collection, MacroString::parse(key.trim())?))
}

fn parse_ctl(value: &str) -> Result<Ctl, ParseError> {
    let (option, arg) = value.split_once('=').unwrap_or((value, ""));
    let arg = arg.trim();
    let bad = |reason| bad_value("ctl", value, reason);
    let on_off = |arg: &str| match arg.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(bad("On or Off")),
    };

    Ok(match option.trim().to_ascii_lowercase().as_str() {
        "ruleremovebyid" => {
            Ctl::RuleRemoveById(parse_ranges(arg).ok_or_else(|| bad("ids or ranges"))?)
        }
        "ruleremovebytag" => Ctl::RuleRemoveByTag(arg.to_string()),
        "ruleremovebymsg" => Ctl::RuleRemoveByMsg(arg.to_string()),
        "ruleremovetargetbyid" => {
            let (ids, targets) = arg.split_once(';').ok_or_else(|| bad("`id;TARGET`"))?;
            let ids = parse_ranges(ids).ok_or_else(|| bad("ids or ranges"))?;
            Ctl::RuleRemoveTargetById(ids, parse_exclusions(targets)?)
        }
        "ruleremovetargetbytag" => {
            let (tag, targets) = arg.split_once(';').ok_or_else(|| bad("`tag;TARGET`"))?;
            Ctl::RuleRemoveTargetByTag(tag.to_string(), parse_exclusions(targets)?)
        }
        "ruleengine" => Ctl::RuleEngine(EngineMode::parse(arg)?),
        "requestbodyprocessor" => {
            Ctl::RequestBodyProcessor(match arg.to_ascii_uppercase().as_str() {
                "URLENCODED" => BodyProcessor::UrlEncoded,
                "MULTIPART" => BodyProcessor::Multipart,
                "JSON" => BodyProcessor::Json,
                "XML" => BodyProcessor::Xml,
                _ => return Err(bad("URLENCODED, MULTIPART, JSON or XML")),
            })
        }
        "requestbodyaccess" => Ctl::RequestBodyAccess(on_off(arg)?),
        "responsebodyaccess" => Ctl::ResponseBodyAccess(on_off(arg)?),
        "forcerequestbodyvariable" => Ctl::ForceRequestBodyVariable(on_off(arg)?),
        "requestbodylimit" => Ctl::RequestBodyLimit(arg.parse().map_err(|_| bad("a byte count"))?),
        "auditengine" | "auditlogparts" | "debugloglevel" | "hashengine" | "hashenforcement" => {
            Ctl::NoOp(option.to_string())
        }
        _ => return Err(bad("a known ctl option")),
    })
}

/// Parses `1,2,100-200` (also space-separated).
pub fn parse_ranges(text: &str) -> Option<Vec<IdRange>> {
    text.split([',', ' ']).filter(|s| !s.trim().is_empty()).map(IdRange::parse).collect()
}

/// Parses the target part of a ctl or SecRuleUpdateTarget (`ARGS:foo|REQUEST_COOKIES:/x/`)
/// into exclusions; a leading `!` is allowed and ignored.
pub fn parse_exclusions(text: &str) -> Result<Vec<Exclusion>, ParseError> {
    let mut out = Vec::new();
    for raw in parse_targets(text)? {
        let variable = Variable::from_name(&raw.name)
            .ok_or_else(|| ParseError::UnknownVariable(raw.name.clone()))?;
        let selector = compile_selector(raw.selector.as_ref())?;
        out.push(Exclusion { variable, selector });
    }
    Ok(out)
}
