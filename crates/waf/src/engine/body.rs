//! Request body processing: picks the processor and fills ARGS_POST, FILES, XML, MULTIPART_*.

use rampart_waf_ops::body::{
    parse_json_partial, parse_multipart, parse_urlencoded, parse_xml, JsonLimits, Multipart,
    MultipartLimits, XmlLimits,
};

use super::request::lossy_pair;
use super::transaction::{FileInfo, Transaction};
use crate::rule::action::BodyProcessor;

impl Transaction<'_> {
    /// Runs the body processor chosen by ctl or by Content-Type, as ModSecurity v3 does.
    pub(crate) fn process_body(&mut self) {
        self.body.processed = true;
        if !self.body_access {
            return;
        }
        let processor = self.body.processor.or(self.body.default_processor);
        let raw = std::mem::take(&mut self.body.raw);
        match processor {
            Some(BodyProcessor::UrlEncoded) => self.urlencoded(&raw),
            Some(BodyProcessor::Json) => self.json(&raw),
            Some(BodyProcessor::Xml) => self.xml(&raw),
            Some(BodyProcessor::Multipart) => self.multipart(&raw),
            None => {}
        }
        self.body.raw = raw;
    }

    fn remaining_args(&self) -> usize {
        self.engine.rules.settings.arguments_limit.saturating_sub(self.args_get.len())
    }

    fn urlencoded(&mut self, raw: &[u8]) {
        let parsed = parse_urlencoded(raw, self.engine.rules.settings.argument_separator);
        self.urlencoded_error |= parsed.invalid_encoding;
        let limit = self.remaining_args();
        self.body.args_post = parsed.args.into_iter().take(limit).map(lossy_pair).collect();
    }

    fn json(&mut self, raw: &[u8]) {
        let limits = JsonLimits {
            max_depth: self.engine.rules.settings.json_depth_limit,
            max_args: self.remaining_args(),
            ..JsonLimits::default()
        };
        let parsed = parse_json_partial(raw, &limits);
        self.body.args_post = parsed.args;
        if !raw.is_empty() {
            self.body.error = parsed.error.map(|e| e.to_string());
        }
    }

    fn xml(&mut self, raw: &[u8]) {
        match parse_xml(raw, &XmlLimits::default()) {
            Ok(content) => {
                self.body.xml_text = Some(content.root_text);
                self.body.xml_attr = content.attribute_values;
            }
            Err(e) => self.body.error = Some(e.to_string()),
        }
    }

    fn multipart(&mut self, raw: &[u8]) {
        let content_type = self
            .header(b"content-type")
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default();
        let parsed = parse_multipart(raw, &content_type, &MultipartLimits::default());
        self.fill_multipart(parsed);
    }

    fn fill_multipart(&mut self, parsed: Multipart) {
        let limit = self.remaining_args();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        self.body.args_post = parsed.args.into_iter().take(limit).map(lossy_pair).collect();
        self.body.files = parsed
            .files
            .iter()
            .map(|f| FileInfo { field: text(&f.name), filename: f.filename.clone(), size: f.size })
            .collect();
        self.body.part_headers = parsed.part_headers.into_iter().map(lossy_pair).collect();
        if !parsed.name.is_empty() {
            self.body.multipart_names = vec![(text(&parsed.name), parsed.name.clone())];
        }
        if !parsed.filename.is_empty() {
            self.body.multipart_filenames = vec![(text(&parsed.filename), parsed.filename.clone())];
        }
        for (name, on) in parsed.flags.variables() {
            self.body.multipart_flags.insert(name, u8::from(on));
        }
        self.body.error = parsed.error.map(|e| e.to_string());
    }
}
