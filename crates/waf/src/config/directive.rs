//! Applies directives one by one to a rule set under construction.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rampart_waf_ops::{CompileContext, Operator};

use super::links::LinkNumbering;
use super::settings::LimitAction;
use super::{Entry, LoadError, RuleSet, Settings};
use crate::parser::{parse_actions, parse_targets, ParseError, RawDirective};
use crate::rule::action::{parse_ranges, IdRange};
use crate::rule::{Actions, EngineMode, MacroString, Rule, RuleOperator, Target, TargetList};

type DirectiveResult = Result<(), (String, ParseError)>;

enum Pending {
    Rule(Box<Rule>),
    Marker(Arc<str>),
}

/// The rule set under construction.
#[derive(Default)]
pub(super) struct Builder {
    settings: Settings,
    default_actions: [Option<Actions>; 6],
    entries: Vec<Pending>,
    chain_open: bool,
    ids: HashSet<u64>,
}

impl Builder {
    /// Applies one directive; the error names the directive (and rule id when known).
    pub(super) fn directive(
        &mut self,
        d: &RawDirective,
        file: &Arc<str>,
        base: &Path,
    ) -> DirectiveResult {
        let name = d.name.to_ascii_lowercase();
        let here = |e| (d.name.clone(), e);
        match name.as_str() {
            "secrule" => self.sec_rule(d, file, base),
            "secaction" => {
                let [actions] = args::<1>(d).map_err(here)?;
                self.add_rule(None, "@unconditionalMatch", actions, d, file, base)
            }
            "secmarker" => {
                let [marker] = args::<1>(d).map_err(here)?;
                self.close_chain().map_err(here)?;
                self.entries.push(Pending::Marker(Arc::from(marker.as_str())));
                Ok(())
            }
            "secdefaultaction" => self.default_action(d).map_err(here),
            _ => self.setting_or_update(&name, d).map_err(here),
        }
    }

    fn sec_rule(&mut self, d: &RawDirective, file: &Arc<str>, base: &Path) -> DirectiveResult {
        match d.args.as_slice() {
            [targets, op] => self.add_rule(Some(targets), op, "", d, file, base),
            [targets, op, actions] => self.add_rule(Some(targets), op, actions, d, file, base),
            _ => Err((
                d.name.clone(),
                ParseError::ArgumentCount { expected: "2 or 3", found: d.args.len() },
            )),
        }
    }

    fn add_rule(
        &mut self,
        targets: Option<&String>,
        op: &str,
        actions: &str,
        d: &RawDirective,
        file: &Arc<str>,
        base: &Path,
    ) -> DirectiveResult {
        let raw_actions = parse_actions(actions).map_err(|e| (d.name.clone(), e))?;
        let id = raw_actions.iter().find(|a| a.name.eq_ignore_ascii_case("id"));
        let label = match id.and_then(|a| a.value.as_deref()) {
            Some(id) => format!("{} id:{}", d.name, id.trim()),
            None => d.name.clone(),
        };
        let fail = |e| (label.clone(), e);
        let actions = Actions::compile(&raw_actions).map_err(fail)?;

        let targets = match targets {
            Some(t) => TargetList::compile(&parse_targets(t).map_err(fail)?).map_err(fail)?,
            None => TargetList::default(),
        };
        let operator = compile_operator(op, base).map_err(fail)?;
        let rule = Rule {
            targets,
            operator,
            transforms: Vec::new(),
            log: true,
            chain: None,
            file: file.clone(),
            line: d.line,
            actions,
            link_id: 0,
            chain_id: 0,
        };
        self.push_rule(rule).map_err(fail)
    }

    fn push_rule(&mut self, rule: Rule) -> Result<(), ParseError> {
        let opens_chain = rule.actions.chain;
        if self.chain_open {
            let Some(Pending::Rule(head)) = self.entries.last_mut() else {
                return Err(ParseError::UnfinishedChain);
            };
            append_to_chain(head, rule);
        } else {
            let id = rule.actions.id.ok_or(ParseError::MissingId)?;
            if !self.ids.insert(id) {
                return Err(ParseError::DuplicateId(id));
            }
            self.entries.push(Pending::Rule(Box::new(rule)));
        }
        self.chain_open = opens_chain;
        Ok(())
    }

    fn close_chain(&mut self) -> Result<(), ParseError> {
        if self.chain_open {
            return Err(ParseError::UnfinishedChain);
        }
        Ok(())
    }

    fn default_action(&mut self, d: &RawDirective) -> Result<(), ParseError> {
        let [text] = args::<1>(d)?;
        let actions = Actions::compile(&parse_actions(text)?)?;
        let phase = actions.phase.unwrap_or(2) as usize;
        self.default_actions[phase] = Some(actions);
        Ok(())
    }

    fn setting_or_update(&mut self, name: &str, d: &RawDirective) -> Result<(), ParseError> {
        if self.update(name, d)? {
            return Ok(());
        }
        let s = &mut self.settings;
        match name {
            "secruleengine" => s.engine_mode = EngineMode::parse(one(d)?)?,
            "secrequestbodyaccess" => s.request_body_access = on_off(one(d)?)?,
            "secresponsebodyaccess" => s.response_body_access = on_off(one(d)?)?,
            "secrequestbodylimit" => s.request_body_limit = number(one(d)?)?,
            "secrequestbodynofileslimit" => s.request_body_no_files_limit = number(one(d)?)?,
            "secrequestbodylimitaction" => s.request_body_limit_action = limit_action(one(d)?)?,
            "secresponsebodylimit" => s.response_body_limit = number(one(d)?)?,
            "secresponsebodylimitaction" => s.response_body_limit_action = limit_action(one(d)?)?,
            "secrequestbodyjsondepthlimit" => s.json_depth_limit = number(one(d)?)? as usize,
            "secargumentslimit" => s.arguments_limit = number(one(d)?)? as usize,
            "seccollectiontimeout" => s.collection_timeout = number(one(d)?)?,
            "secwebappid" => s.web_app_id = one(d)?.clone(),
            "seccomponentsignature" => s.component_signatures.push(one(d)?.clone()),
            "secresponsebodymimetype" => {
                s.response_body_mime_types = d.args.iter().map(|m| m.to_ascii_lowercase()).collect()
            }
            "secargumentseparator" => {
                let sep = one(d)?;
                s.argument_separator = match sep.as_bytes() {
                    [b] => *b,
                    _ => return Err(bad(sep, "a single character")),
                };
            }
            _ if is_accepted_noop(name) => {
                tracing::debug!(directive = %d.name, "seclang directive accepted without effect");
            }
            _ => return Err(ParseError::UnknownDirective),
        }
        Ok(())
    }

    /// Handles SecRuleRemove* and SecRuleUpdate*; false when `name` is neither.
    fn update(&mut self, name: &str, d: &RawDirective) -> Result<bool, ParseError> {
        match name {
            "secruleremovebyid" => {
                let ranges: Vec<IdRange> = d
                    .args
                    .iter()
                    .map(|a| parse_ranges(a).ok_or_else(|| bad(a, "rule ids or ranges")))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .collect();
                self.remove(|r| ranges.iter().any(|range| range.contains(r.id())));
            }
            "secruleremovebytag" => {
                let tag = one(d)?.clone();
                self.remove(|r| r.has_tag(&tag));
            }
            "secruleremovebymsg" => {
                let msg = one(d)?.clone();
                self.remove(|r| {
                    r.actions.msg.as_ref().and_then(|m| m.as_literal()) == Some(msg.clone())
                });
            }
            "secruleupdatetargetbyid" => self.update_targets_by_id(d)?,
            "secruleupdatetargetbytag" => {
                let (tag, targets) = two(d)?;
                let (include, exclude) = split_targets(targets)?;
                self.for_each_head(|r| r.has_tag(tag), &include, &exclude);
            }
            "secruleupdateactionbyid" => self.update_actions(d)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn remove(&mut self, pred: impl Fn(&Rule) -> bool) {
        self.entries.retain(|e| !matches!(e, Pending::Rule(r) if pred(r)));
    }

    fn update_targets_by_id(&mut self, d: &RawDirective) -> Result<(), ParseError> {
        let (ids, targets) = two(d)?;
        let ranges = parse_ranges(ids).ok_or_else(|| bad(ids, "rule ids or ranges"))?;
        let (include, exclude) = split_targets(targets)?;
        let replaced = match d.args.get(2) {
            Some(text) => Some(parse_targets(text)?),
            None => None,
        };
        for entry in &mut self.entries {
            let Pending::Rule(rule) = entry else { continue };
            if !ranges.iter().any(|r| r.contains(rule.id())) {
                continue;
            }
            if let Some(replaced) = &replaced {
                let names: Vec<&str> = replaced.iter().map(|t| t.name.as_str()).collect();
                rule.targets.targets.retain(|t| !names.contains(&t.variable.name()));
            }
            rule.targets.targets.extend(include.iter().cloned());
            rule.targets.exclusions.extend(exclude.iter().cloned());
        }
        Ok(())
    }

    fn for_each_head(
        &mut self,
        pred: impl Fn(&Rule) -> bool,
        include: &[Target],
        exclude: &[crate::rule::Exclusion],
    ) {
        for entry in &mut self.entries {
            if let Pending::Rule(rule) = entry {
                if pred(rule) {
                    rule.targets.targets.extend(include.iter().cloned());
                    rule.targets.exclusions.extend(exclude.iter().cloned());
                }
            }
        }
    }

    fn update_actions(&mut self, d: &RawDirective) -> Result<(), ParseError> {
        let (id, text) = two(d)?;
        let id: u64 = id.trim().parse().map_err(|_| bad(id, "a rule id"))?;
        let new = Actions::compile(&parse_actions(text)?)?;
        let rule = self
            .entries
            .iter_mut()
            .find_map(|e| match e {
                Pending::Rule(r) if r.id() == id => Some(r),
                _ => None,
            })
            .ok_or(ParseError::NoSuchRule(id))?;
        merge_actions(&mut rule.actions, new);
        Ok(())
    }

    /// Resolves default actions into each rule and sorts rules into phases.
    pub(super) fn finish(self) -> Result<RuleSet, LoadError> {
        if self.chain_open {
            return Err(LoadError::Directive {
                file: "<end of configuration>".into(),
                line: 0,
                directive: "SecRule".into(),
                source: ParseError::UnfinishedChain,
            });
        }
        let mut set = RuleSet { settings: self.settings, ..RuleSet::default() };
        let mut numbering = LinkNumbering::default();
        for entry in self.entries {
            match entry {
                Pending::Marker(name) => {
                    for phase in set.phases.iter_mut().skip(1) {
                        phase.push(Entry::Marker(name.clone()));
                    }
                }
                Pending::Rule(mut rule) => {
                    let phase = rule.phase() as usize;
                    resolve_defaults(&mut rule, self.default_actions[phase].as_ref());
                    numbering.assign(&mut rule);
                    set.rule_count += 1;
                    set.phases[phase].push(Entry::Rule(Arc::new(*rule)));
                }
            }
        }
        set.default_actions = self.default_actions;
        (set.chains, set.link_count) = numbering.finish();
        Ok(set)
    }
}

fn append_to_chain(link: &mut Rule, rule: Rule) {
    match link.chain.as_mut() {
        Some(next) => append_to_chain(next, rule),
        None => link.chain = Some(Box::new(rule)),
    }
}

fn resolve_defaults(rule: &mut Rule, default: Option<&Actions>) {
    let mut transforms = Vec::new();
    if let Some(d) = default {
        if !rule.actions.transforms_reset {
            transforms.extend(d.transforms.iter().cloned());
        }
        if rule.actions.disruptive.is_none() {
            rule.actions.disruptive = d.disruptive.clone();
        }
    }
    transforms.extend(rule.actions.transforms.iter().cloned());
    rule.transforms = transforms;
    rule.log = rule.actions.log.or(default.and_then(|d| d.log)).unwrap_or(true);

    let mut link = rule.chain.as_deref_mut();
    while let Some(r) = link {
        r.transforms = r.actions.transforms.clone();
        link = r.chain.as_deref_mut();
    }
}

fn merge_actions(into: &mut Actions, new: Actions) {
    if new.disruptive.is_some() {
        into.disruptive = new.disruptive;
    }
    if new.status.is_some() {
        into.status = new.status;
    }
    if new.msg.is_some() {
        into.msg = new.msg;
    }
    if new.logdata.is_some() {
        into.logdata = new.logdata;
    }
    if new.severity.is_some() {
        into.severity = new.severity;
    }
    if new.log.is_some() {
        into.log = new.log;
    }
    if new.transforms_reset || !new.transforms.is_empty() {
        into.transforms = new.transforms;
        into.transforms_reset = new.transforms_reset;
    }
    into.tags.extend(new.tags);
    into.runtime.extend(new.runtime);
}

/// Parses an operator (`@rx a`, `!@eq 0`, or a bare regex) and compiles it when it is static.
fn compile_operator(text: &str, base: &Path) -> Result<RuleOperator, ParseError> {
    let text = text.trim_start();
    let (negated, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let (name, param) = match text.strip_prefix('@') {
        Some(rest) => {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (rest[..end].to_string(), rest[end..].trim_start())
        }
        None => ("rx".to_string(), text),
    };
    // A regex may contain `%{` that is no macro; such a parameter is taken literally.
    let macro_param = MacroString::parse(param).unwrap_or_else(|_| MacroString {
        pieces: vec![crate::rule::macros::Piece::Literal(param.to_string())],
    });
    let compiled = match macro_param.as_literal() {
        Some(literal) => Some(compile_static(&name, &literal, base)?),
        None => None,
    };
    Ok(RuleOperator { negated, name, param: macro_param, compiled })
}

fn compile_static(name: &str, param: &str, base: &Path) -> Result<Operator, ParseError> {
    let ctx = CompileContext { base_dir: base };
    Operator::compile(name, param, &ctx)
        .map_err(|e| ParseError::BadOperator { name: name.to_string(), reason: e.to_string() })
}

fn split_targets(text: &str) -> Result<(Vec<Target>, Vec<crate::rule::Exclusion>), ParseError> {
    let raw = parse_targets(text)?;
    let list = TargetList::compile(&raw)?;
    Ok((list.targets, list.exclusions))
}

fn args<const N: usize>(d: &RawDirective) -> Result<[&String; N], ParseError> {
    let v: Vec<&String> = d.args.iter().collect();
    let found = v.len();
    v.try_into().map_err(|_| ParseError::ArgumentCount { expected: count_name(N), found })
}

fn count_name(n: usize) -> &'static str {
    match n {
        1 => "1",
        2 => "2",
        _ => "3",
    }
}

fn one(d: &RawDirective) -> Result<&String, ParseError> {
    let [a] = args::<1>(d)?;
    Ok(a)
}

fn two(d: &RawDirective) -> Result<(&String, &String), ParseError> {
    match d.args.as_slice() {
        [a, b] | [a, b, _] => Ok((a, b)),
        _ => Err(ParseError::ArgumentCount { expected: "2", found: d.args.len() }),
    }
}

fn bad(value: &str, expected: &'static str) -> ParseError {
    ParseError::BadValue { value: value.to_string(), expected }
}

fn on_off(value: &str) -> Result<bool, ParseError> {
    match value.to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(bad(value, "On or Off")),
    }
}

fn number(value: &str) -> Result<u64, ParseError> {
    value.trim().parse().map_err(|_| bad(value, "a non-negative number"))
}

fn limit_action(value: &str) -> Result<LimitAction, ParseError> {
    match value.to_ascii_lowercase().as_str() {
        "reject" => Ok(LimitAction::Reject),
        "processpartial" => Ok(LimitAction::ProcessPartial),
        _ => Err(bad(value, "Reject or ProcessPartial")),
    }
}

/// Directives rampart accepts and ignores: audit and debug logging, upload storage and other
/// settings with no meaning for an in-process engine.
fn is_accepted_noop(name: &str) -> bool {
    name.starts_with("secauditlog")
        || name.starts_with("secdebuglog")
        || matches!(
            name,
            "secauditengine"
                | "sectmpdir"
                | "secdatadir"
                | "secuploaddir"
                | "secuploadkeepfiles"
                | "secuploadfilemode"
                | "secuploadfilelimit"
                | "sectmpsaveuploadedfiles"
                | "seccookieformat"
                | "secunicodemapfile"
                | "secunicodecodepage"
                | "secstatusengine"
                | "secserversignature"
                | "sechttpblkey"
                | "secgeolookupdb"
                | "secpcrematchlimit"
                | "secpcrematchlimitrecursion"
                | "secconnengine"
                | "secxmlexternalentity"
                | "secrequestbodyinmemorylimit"
                | "secremoterulesfailaction"
                | "secconnreadstatelimit"
                | "secconnwritestatelimit"
                | "secsensorid"
                | "secinterceptonerror"
                | "secstreaminbodyinspection"
                | "secstreamoutbodyinspection"
                | "secdisablebackendcompression"
                | "seccontentinjection"
                | "sechashengine"
                | "sechashkey"
                | "sechashparam"
                | "sechashmethodrx"
                | "sechashmethodpm"
                | "secresponsebodymimetypesclear"
        )
}
