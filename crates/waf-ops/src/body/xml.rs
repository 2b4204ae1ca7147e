//! XML body processor: text and attribute values for `XML:/*` and `XML://@*`.
//!
//! Security: no DTD is processed, so no entity (external or internal) is ever fetched or
//! expanded; only the five predefined entities and character references are decoded. A
//! reference to an entity declared in the document's DTD is kept as its literal text
//! (`&name;`), where libxml2 in ModSecurity would substitute an internal entity's text; this
//! keeps "billion laughs" and XXE payloads inert and still visible to rules.

mod entities;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::BodyError;

/// Caps for the XML processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting accepted.
    pub max_depth: usize,
    /// Most nodes (elements, attributes, text runs) accepted.
    pub max_nodes: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits { max_depth: 256, max_nodes: 100_000 }
    }
}

/// What the engine needs from an XML document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlContent {
    /// The root element's text content (all descendant text and CDATA, in order): the one
    /// value of `XML:/*`.
    pub root_text: Vec<u8>,
    /// Every attribute value in document order (namespace declarations excluded, as in
    /// libxml2): the values of `XML://@*`.
    pub attribute_values: Vec<Vec<u8>>,
}

/// Parses an XML body; a document that is not well-formed is an error.
pub fn parse_xml(body: &[u8], limits: &XmlLimits) -> Result<XmlContent, BodyError> {
    let mut walk = Walk { limits, content: XmlContent::default(), depth: 0, nodes: 0, roots: 0 };
    let mut reader = Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    loop {
        let event = reader.read_event().map_err(|e| BodyError::Xml {
            reason: format!("{e} at byte {}", reader.error_position()),
        })?;
        if matches!(event, Event::Eof) {
            break;
        }
        walk.event(event)?;
    }
    if walk.depth != 0 || walk.roots == 0 {
        return Err(xml_error("document has no complete root element"));
    }
    Ok(walk.content)
}

/// Collection state over the event stream.
struct Walk<'a> {
    limits: &'a XmlLimits,
    content: XmlContent,
    depth: usize,
    nodes: usize,
    roots: usize,
}

impl Walk<'_> {
    fn event(&mut self, event: Event<'_>) -> Result<(), BodyError> {
        match event {
            Event::Start(e) => {
                self.element(&e)?;
                self.depth += 1;
            }
            Event::Empty(e) => self.element(&e)?,
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::Text(t) => self.text(&t, true)?,
            Event::CData(t) => self.text(&t, false)?,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => {}
        }
        Ok(())
    }

    fn element(&mut self, e: &BytesStart<'_>) -> Result<(), BodyError> {
        if self.depth >= self.limits.max_depth {
            return Err(BodyError::XmlLimit { what: "levels", limit: self.limits.max_depth });
        }
        if self.depth == 0 {
            self.roots += 1;
            if self.roots > 1 {
                return Err(xml_error("extra content after the root element"));
            }
        }
        self.count_node()?;
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|e| xml_error(&e.to_string()))?;
            let key = attr.key.as_ref();
            if key == b"xmlns" || key.starts_with(b"xmlns:") {
                continue;
            }
            self.count_node()?;
            self.content.attribute_values.push(entities::unescape(&attr.value));
        }
        Ok(())
    }

    fn text(&mut self, raw: &[u8], escaped: bool) -> Result<(), BodyError> {
        if self.depth == 0 {
            if raw.iter().all(u8::is_ascii_whitespace) {
                return Ok(());
            }
            return Err(xml_error("text outside the root element"));
        }
        self.count_node()?;
        if escaped {
            self.content.root_text.extend(entities::unescape(raw));
        } else {
            self.content.root_text.extend_from_slice(raw);
        }
        Ok(())
    }

    fn count_node(&mut self) -> Result<(), BodyError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(BodyError::XmlLimit { what: "nodes", limit: self.limits.max_nodes });
        }
        Ok(())
    }
}

fn xml_error(reason: &str) -> BodyError {
    BodyError::Xml { reason: reason.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<XmlContent, BodyError> {
        parse_xml(s.as_bytes(), &XmlLimits::default())
    }

    #[test]
    fn text_and_attributes() {
        let c = parse(
            "<?xml version=\"1.0\"?>\n<root xmlns:x=\"u\" a=\"1 &amp; 2\"><x:b c='&#60;'>hi \
             <![CDATA[<raw>]]></x:b><!-- no -->&lt;t&gt;</root>\n",
        )
        .unwrap();
        assert_eq!(c.root_text, b"hi <raw><t>");
        assert_eq!(c.attribute_values, vec![b"1 & 2".to_vec(), b"<".to_vec()]);
    }

    #[test]
    fn entities_are_never_expanded() {
        let body = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY xxe SYSTEM \
                    \"file:///etc/passwd\"><!ENTITY a \"aaaa\">]><r>&xxe;&a;</r>";
        let c = parse(body).unwrap();
        assert_eq!(c.root_text, b"&xxe;&a;");
    }

    #[test]
    fn malformed_documents() {
        for bad in ["<a><b></a>", "<a>", "", "text", "<a></a><b></b>", "<a x=1></a>", "<a></a>x"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits() {
        let limits = XmlLimits { max_depth: 2, max_nodes: 100 };
        assert!(parse_xml(b"<a><b/></a>", &limits).is_ok());
        let err = parse_xml(b"<a><b><c/></b></a>", &limits).unwrap_err();
        assert_eq!(err, BodyError::XmlLimit { what: "levels", limit: 2 });
        let limits = XmlLimits { max_depth: 10, max_nodes: 3 };
        assert!(parse_xml(b"<a x='1' y='2' z='3'/>", &limits).is_err());
    }
}
