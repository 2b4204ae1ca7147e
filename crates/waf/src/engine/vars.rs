//! Resolves a rule target to the values it names in this transaction.

use std::borrow::Cow;

use super::transaction::{Pairs, Transaction};
use crate::rule::action::BodyProcessor;
use crate::rule::{Rule, Selector, Target, Variable};

/// One value a target resolved to; its name (`ARGS:q`) is built only when it matches.
#[derive(Debug, Clone)]
pub(crate) struct Value<'a> {
    pub prefix: &'static str,
    pub key: Option<&'a str>,
    pub value: Cow<'a, [u8]>,
    /// Borrowed from request data that no rule can change during a phase, so its address
    /// identifies it within the phase (see the transformation cache).
    pub stable: bool,
}

impl Value<'_> {
    /// The name ModSecurity reports: `COLLECTION:key` or the variable name.
    pub(crate) fn name(&self) -> String {
        match self.key {
            Some(key) => format!("{}:{key}", self.prefix),
            None => self.prefix.to_string(),
        }
    }
}

/// Decides whether member `key` of `variable` is excluded.
pub(crate) type Excluded<'x> = &'x dyn Fn(Variable, &str) -> bool;

impl<'e> Transaction<'e> {
    /// Appends the values of `target` (or their count) to `out`.
    pub(crate) fn resolve<'s>(
        &'s self,
        target: &Target,
        rule: &Rule,
        excluded: Excluded<'_>,
        out: &mut Vec<Value<'s>>,
    ) {
        let start = out.len();
        if target.variable.is_collection() {
            self.resolve_collection(target, rule, excluded, out);
        } else if let Some(value) = self.scalar(target.variable) {
            if !excluded(target.variable, "") {
                out.push(Value { prefix: target.variable.name(), key: None, value, stable: false });
            }
        }
        if is_request_data(target.variable) {
            for value in &mut out[start..] {
                value.stable = matches!(value.value, Cow::Borrowed(_));
            }
        }
        if target.count {
            let n = out.len() - start;
            out.truncate(start);
            out.push(Value {
                prefix: target.variable.name(),
                key: None,
                stable: false,
                value: Cow::Owned(n.to_string().into_bytes()),
            });
        }
    }

    fn resolve_collection<'s>(
        &'s self,
        target: &Target,
        rule: &Rule,
        excluded: Excluded<'_>,
        out: &mut Vec<Value<'s>>,
    ) {
        use Variable::*;
        let v = target.variable;
        let sel = &target.selector;
        let mut push = |key: &'s str, value: Cow<'s, [u8]>| {
            if sel.selects(key) && !excluded(v, key) {
                out.push(Value { prefix: v.name(), key: Some(key), value, stable: false });
            }
        };
        match v {
            Args => {
                pairs(&self.args_get, &mut push);
                pairs(&self.body.args_post, &mut push);
            }
            ArgsGet => pairs(&self.args_get, &mut push),
            ArgsPost => pairs(&self.body.args_post, &mut push),
            ArgsNames => {
                names(&self.args_get, &mut push);
                names(&self.body.args_post, &mut push);
            }
            ArgsGetNames => names(&self.args_get, &mut push),
            ArgsPostNames => names(&self.body.args_post, &mut push),
            RequestHeaders => pairs(&self.request_headers, &mut push),
            RequestHeadersNames => names(&self.request_headers, &mut push),
            RequestCookies => pairs(&self.cookies, &mut push),
            RequestCookiesNames => names(&self.cookies, &mut push),
            ResponseHeaders => pairs(&self.response.headers, &mut push),
            ResponseHeadersNames => names(&self.response.headers, &mut push),
            MultipartPartHeaders => pairs(&self.body.part_headers, &mut push),
            MultipartName => pairs(&self.body.multipart_names, &mut push),
            MultipartFilename => pairs(&self.body.multipart_filenames, &mut push),
            MatchedVars => pairs(&self.matched_vars, &mut push),
            MatchedVarsNames => names(&self.matched_vars, &mut push),
            Tx => map(&self.tx, &mut push),
            Env => map(&self.env, &mut push),
            Files => {
                for f in &self.body.files {
                    push(&f.field, Cow::Borrowed(&f.filename));
                }
            }
            FilesNames => {
                for f in &self.body.files {
                    push(&f.field, Cow::Borrowed(f.field.as_bytes()));
                }
            }
            FilesSizes => {
                for f in &self.body.files {
                    push(&f.field, Cow::Owned(f.size.to_string().into_bytes()));
                }
            }
            Xml => self.resolve_xml(sel, excluded, out),
            Rule => rule_values(rule, &mut push),
            Ip | Global | Session | User | Resource => {
                if let Some((_, record)) = self.persistent.get(&v) {
                    map(&record.vars, &mut push);
                }
            }
            _ => {}
        }
    }

    fn resolve_xml<'s>(&'s self, sel: &Selector, excluded: Excluded<'_>, out: &mut Vec<Value<'s>>) {
        if excluded(Variable::Xml, "") {
            return;
        }
        let attributes = matches!(sel, Selector::Key(k) if k.contains('@'));
        if attributes {
            for a in &self.body.xml_attr {
                out.push(Value {
                    prefix: "XML",
                    key: None,
                    value: Cow::Borrowed(a),
                    stable: false,
                });
            }
        } else if let Some(text) = &self.body.xml_text {
            out.push(Value { prefix: "XML", key: None, value: Cow::Borrowed(text), stable: false });
        }
    }

    /// The value of a scalar variable; None when it is not set in this transaction.
    pub(crate) fn scalar(&self, v: Variable) -> Option<Cow<'_, [u8]>> {
        use Variable::*;
        let owned = |s: String| Some(Cow::Owned(s.into_bytes()));
        match v {
            RequestMethod => Some(Cow::Borrowed(self.method.as_bytes())),
            RequestProtocol => Some(Cow::Borrowed(self.protocol.as_bytes())),
            RequestUri => Some(Cow::Borrowed(&self.request_uri)),
            RequestUriRaw => Some(Cow::Borrowed(self.uri.as_bytes())),
            RequestFilename | PathInfo => Some(Cow::Borrowed(&self.path)),
            RequestBasename => Some(Cow::Borrowed(&self.basename)),
            RequestLine => Some(Cow::Borrowed(&self.request_line)),
            QueryString => Some(Cow::Borrowed(self.query.as_bytes())),
            RequestBody => self.request_body_variable(),
            RequestBodyLength => (self.body.processed && !self.body.raw.is_empty())
                .then_some(self.body.raw.len())
                .and_then(|n| owned(n.to_string())),
            ArgsCombinedSize => owned(self.args_combined_size().to_string()),
            FilesCombinedSize => {
                owned(self.body.files.iter().map(|f| f.size).sum::<usize>().to_string())
            }
            ReqbodyError | ReqbodyProcessorError => self.body.processed.then(|| {
                Cow::Borrowed(if self.body.error.is_some() { &b"1"[..] } else { &b"0"[..] })
            }),
            ReqbodyErrorMsg | ReqbodyProcessorErrorMsg => {
                self.body.error.as_deref().map(|e| Cow::Borrowed(e.as_bytes()))
            }
            ReqbodyProcessor => self
                .body
                .processor
                .or(self.body.default_processor)
                .map(|p| Cow::Borrowed(p.name().as_bytes())),
            InboundDataError => {
                self.body.processed.then(|| Cow::Borrowed(bool_flag(self.body.truncated)))
            }
            UrlencodedError => Some(Cow::Borrowed(bool_flag(self.urlencoded_error))),
            FullRequest => Some(Cow::Owned(self.full_request())),
            FullRequestLength => owned(self.full_request().len().to_string()),
            RemoteAddr | RemoteHost => owned(self.info.client_ip.to_string()),
            RemotePort => owned(self.info.client_port.to_string()),
            ServerPort => owned(self.info.server_port.to_string()),
            ServerName => self.server_name().map(Cow::Owned),
            UniqueId => Some(Cow::Borrowed(self.info.request_id.as_bytes())),
            ResponseStatus => (self.response.status != 0)
                .then(|| self.response.status.to_string())
                .and_then(owned),
            ResponseProtocol => Some(Cow::Borrowed(self.response.protocol.as_bytes())),
            ResponseBody => {
                self.response_body_visible().then(|| Cow::Borrowed(&self.response.body[..]))
            }
            ResponseContentLength => self
                .response_body_visible()
                .then(|| self.response.body.len().to_string())
                .and_then(owned),
            ResponseContentType => self.response_content_type().map(|t| Cow::Owned(t.into_bytes())),
            StatusLine => owned(format!("{} {}", self.response.protocol, self.response.status)),
            MatchedVar => Some(Cow::Borrowed(&self.matched_var.1)),
            MatchedVarName => Some(Cow::Borrowed(self.matched_var.0.as_bytes())),
            HighestSeverity => self.highest_severity.map(|s| s.to_string()).and_then(owned),
            WebAppId => Some(Cow::Borrowed(self.engine.rules.settings.web_app_id.as_bytes())),
            AuthType => self
                .header(b"authorization")
                .map(|a| Cow::Borrowed(a.split(|&b| b == b' ').next().unwrap_or_default())),
            Duration => {
                owned((self.engine.now_micros().saturating_sub(self.started_micros)).to_string())
            }
            ModsecBuild => owned("030009".to_string()),
            Time | TimeDay | TimeEpoch | TimeHour | TimeMin | TimeMon | TimeSec | TimeWday
            | TimeYear => owned(super::expand::time_var(v, self.started_micros)),
            MultipartBoundaryQuoted
            | MultipartBoundaryWhitespace
            | MultipartCrlfLfLines
            | MultipartDataAfter
            | MultipartDataBefore
            | MultipartFileLimitExceeded
            | MultipartHeaderFolding
            | MultipartInvalidHeaderFolding
            | MultipartInvalidPart
            | MultipartInvalidQuoting
            | MultipartLfLine
            | MultipartMissingSemicolon
            | MultipartStrictError
            | MultipartUnmatchedBoundary => self
                .body
                .multipart_flags
                .get(v.name())
                .map(|f| Cow::Owned(f.to_string().into_bytes())),
            _ => None,
        }
    }

    /// REQUEST_BODY: the raw body, except when the XML processor parsed it (then the markup is
    /// structure, inspected through XML:/* and XML://@*) unless ctl:forceRequestBodyVariable
    /// is on. libmodsecurity 3 always fills it, which makes CRS's Java rules (944100-944210)
    /// see element names as payload; CRS expects them not to.
    fn request_body_variable(&self) -> Option<Cow<'_, [u8]>> {
        if !self.body.processed || self.body.raw.is_empty() {
            return None;
        }
        let processor = self.body.processor.or(self.body.default_processor);
        if processor == Some(BodyProcessor::Xml) && !self.force_body_variable {
            return None;
        }
        Some(Cow::Borrowed(&self.body.raw))
    }

    fn args_combined_size(&self) -> usize {
        self.args_get.iter().chain(&self.body.args_post).map(|(k, v)| k.len() + v.len()).sum()
    }

    fn full_request(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in &self.request_headers {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v);
            out.push(b'\n');
        }
        out.extend_from_slice(b"\n\n");
        out.extend_from_slice(&self.body.raw);
        out
    }

    pub(crate) fn header(&self, lower: &[u8]) -> Option<&[u8]> {
        self.request_headers
            .iter()
            .find(|(k, _)| k.as_bytes().eq_ignore_ascii_case(lower))
            .map(|(_, v)| v.as_slice())
    }

    fn server_name(&self) -> Option<Vec<u8>> {
        let host = self.header(b"host")?;
        Some(host.split(|&b| b == b':').next().unwrap_or_default().to_vec())
    }

    /// RESPONSE_CONTENT_TYPE: the Content-Type header before any `;`.
    pub(crate) fn response_content_type(&self) -> Option<String> {
        let (_, v) =
            self.response.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type"))?;
        let text = String::from_utf8_lossy(v);
        Some(text.split(';').next().unwrap_or_default().to_string())
    }

    /// Whether the response body is inspected: access on and the type listed.
    pub(crate) fn response_body_visible(&self) -> bool {
        if !self.response_body_access || !self.response_body_ready {
            return false;
        }
        let types = &self.engine.rules.settings.response_body_mime_types;
        match self.response_content_type() {
            Some(t) => types.is_empty() || types.iter().any(|m| m.eq_ignore_ascii_case(t.trim())),
            None => types.is_empty(),
        }
    }
}

/// Variables backed by request data that is set before a phase and never changed by rules.
fn is_request_data(v: Variable) -> bool {
    use Variable::*;
    matches!(
        v,
        Args | ArgsGet
            | ArgsPost
            | ArgsNames
            | ArgsGetNames
            | ArgsPostNames
            | RequestHeaders
            | RequestHeadersNames
            | RequestCookies
            | RequestCookiesNames
            | RequestBody
            | RequestFilename
            | PathInfo
            | RequestUriRaw
            | RequestUri
            | RequestBasename
            | RequestLine
            | RequestMethod
            | RequestProtocol
            | QueryString
            | Xml
    )
}

fn bool_flag(on: bool) -> &'static [u8] {
    if on {
        b"1"
    } else {
        b"0"
    }
}

fn pairs<'s>(list: &'s Pairs, push: &mut impl FnMut(&'s str, Cow<'s, [u8]>)) {
    for (k, v) in list {
        push(k, Cow::Borrowed(v));
    }
}

fn names<'s>(list: &'s Pairs, push: &mut impl FnMut(&'s str, Cow<'s, [u8]>)) {
    for (k, _) in list {
        push(k, Cow::Borrowed(k.as_bytes()));
    }
}

fn map<'s>(
    map: &'s std::collections::BTreeMap<String, Vec<u8>>,
    push: &mut impl FnMut(&'s str, Cow<'s, [u8]>),
) {
    for (k, v) in map {
        push(k, Cow::Borrowed(v));
    }
}

fn rule_values<'s>(rule: &Rule, push: &mut impl FnMut(&'s str, Cow<'s, [u8]>)) {
    let a = &rule.actions;
    push("id", Cow::Owned(rule.id().to_string().into_bytes()));
    push("phase", Cow::Owned(rule.phase().to_string().into_bytes()));
    if let Some(s) = a.severity {
        push("severity", Cow::Owned(s.to_string().into_bytes()));
    }
    if let Some(m) = a.msg.as_ref().and_then(|m| m.as_literal()) {
        push("msg", Cow::Owned(m.into_bytes()));
    }
    if let Some(v) = &a.ver {
        push("ver", Cow::Owned(v.clone().into_bytes()));
    }
    if let Some(r) = &a.rev {
        push("rev", Cow::Owned(r.clone().into_bytes()));
    }
}
