//! Response inspection: phases 3 (status and headers), 4 (body) and 5 (logging) on the
//! upstream's response, in the transaction the request phases left open.
//!
//! Only bodies of the listed media types, not content-encoded, are buffered: up to
//! `max_body_bytes` are read and inspected before anything is sent to the client, and the rest
//! (if any) follows uninspected, as ModSecurity's `SecResponseBodyLimitAction ProcessPartial`
//! does. Other bodies stream through unread; phase 4 then sees no body.

use http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use http::{Response, StatusCode};
use rampart_events::{EventType, Severity};
use rampart_waf::{Intervention, Transaction};

use super::{denial, event_details, protocol, WafExchange, WafStage};
use crate::config::model::{WafMode, WafResponseConfig};
use crate::pipeline::{Denial, RequestContext, StageEvent};
use crate::proxy::BodyPrefix;
use crate::respond::ResponseBody;

/// A route's response inspection settings, ready for the hot path.
#[derive(Debug)]
pub(super) struct ResponseInspection {
    max_body_bytes: u64,
    mime_types: Vec<String>,
}

impl ResponseInspection {
    pub(super) fn new(config: &WafResponseConfig) -> Self {
        let mime_types = config.mime_types.iter().map(|t| t.to_ascii_lowercase()).collect();
        Self { max_body_bytes: config.max_body_bytes, mime_types }
    }

    /// Whether the body of a response with these headers is read and inspected.
    fn reads_body(&self, headers: &http::HeaderMap) -> bool {
        let encoded = headers
            .get(CONTENT_ENCODING)
            .is_some_and(|value| !value.as_bytes().eq_ignore_ascii_case(b"identity"));
        if encoded {
            return false;
        }
        let Some(content_type) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        self.mime_types.iter().any(|listed| listed.eq_ignore_ascii_case(media_type))
    }
}

/// Whether `text` is a `type/subtype` media type (RFC 6838 name characters, no parameters).
pub(super) fn is_media_type(text: &str) -> bool {
    let name = |part: &str| {
        (1..=127).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match text.split_once('/') {
        Some((kind, subtype)) => name(kind) && name(subtype),
        None => false,
    }
}

impl WafStage {
    /// Runs phases 3 to 5 on the upstream's response; denies it in block mode when a rule
    /// denies (CRS: the outbound anomaly score reached its threshold).
    pub(super) async fn inspect_response(
        &self,
        ctx: &mut RequestContext,
        response: Response<ResponseBody>,
    ) -> Result<Response<ResponseBody>, Box<Denial>> {
        let Some(inspection) = &self.response else { return Ok(response) };
        let Some(mut exchange) = ctx.waf_exchange.take() else { return Ok(response) };
        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            return Ok(response);
        }

        let (head, body) = response.into_parts();
        let phase3 = exchange.tx().with(|tx| response_head(tx, &head));
        let (body, intervention) = match phase3 {
            Some(intervention) => (body, Some(intervention)),
            None => {
                let body = if inspection.reads_body(&head.headers) {
                    read_body(&mut exchange, body, inspection.max_body_bytes).await?
                } else {
                    body
                };
                (body, exchange.tx().with(|tx| tx.process_response_body()))
            }
        };
        exchange.tx().with(|tx| tx.process_logging());

        match self.record(ctx, exchange, intervention) {
            Some(denial) => Err(Box::new(denial)),
            None => Ok(Response::from_parts(head, body)),
        }
    }

    /// Records the transaction's matches in the request's single `waf` event (completing the
    /// one the request phases recorded), or returns the denial that carries them.
    fn record(
        &self,
        ctx: &mut RequestContext,
        mut exchange: WafExchange,
        intervention: Option<Intervention>,
    ) -> Option<Denial> {
        let (details, matched) = event_details(exchange.tx().get(), self.mode, true);
        let pending = exchange.event_index.filter(|&index| {
            ctx.events.get(index).is_some_and(|event| event.event_type == EventType::Waf)
        });

        if let Some(intervention) = intervention.filter(|_| self.mode == WafMode::Block) {
            if let Some(index) = pending {
                ctx.events.remove(index);
            }
            return Some(denial(&intervention, details));
        }
        match pending {
            Some(index) => ctx.events[index].details = details,
            None if matched => {
                let severity = Some(Severity::Medium);
                ctx.events.push(StageEvent { event_type: EventType::Waf, severity, details });
            }
            None => {}
        }
        None
    }
}

/// Feeds the status line and headers to the transaction and runs phase 3.
fn response_head(tx: &mut Transaction<'_>, head: &http::response::Parts) -> Option<Intervention> {
    tx.process_response_status(head.status.as_u16(), protocol(head.version));
    for (name, value) in &head.headers {
        tx.add_response_header(name.as_str(), value.as_bytes());
    }
    tx.process_response_headers()
}

/// Reads up to `limit` bytes of the body into the transaction; returns the whole body again.
async fn read_body(
    exchange: &mut WafExchange,
    body: ResponseBody,
    limit: u64,
) -> Result<ResponseBody, Box<Denial>> {
    let prefix = BodyPrefix::read(body, limit).await.map_err(|_| Box::new(upstream_failed()))?;
    exchange.tx().with(|tx| prefix.data().for_each(|chunk| tx.append_response_body(chunk)));
    Ok(prefix.into_body())
}

/// The upstream broke off its body while it was read for inspection.
fn upstream_failed() -> Denial {
    Denial::new(StatusCode::BAD_GATEWAY, "upstream_error", "the upstream failed to answer")
        .event(EventType::UpstreamFailure)
        .detail("reason", "protocol")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_checked() {
        for good in ["text/html", "application/vnd.api+json", "text/x-c"] {
            assert!(is_media_type(good), "{good}");
        }
        for bad in ["text", "text/html; charset=utf-8", "text/\"x\"", "/html", "text/", ""] {
            assert!(!is_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn only_listed_unencoded_types_are_read() {
        let inspection = ResponseInspection::new(&WafResponseConfig::default());
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = http::HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, http::HeaderValue::from_static(value));
            }
            map
        };
        assert!(inspection.reads_body(&headers(&[("content-type", "text/HTML; charset=utf-8")])));
        assert!(inspection.reads_body(&headers(&[("content-type", "application/json")])));
        assert!(!inspection.reads_body(&headers(&[("content-type", "image/png")])));
        assert!(!inspection.reads_body(&headers(&[])));
        let gzipped = headers(&[("content-type", "text/html"), ("content-encoding", "gzip")]);
        assert!(!inspection.reads_body(&gzipped));
        let identity = headers(&[("content-type", "text/html"), ("content-encoding", "identity")]);
        assert!(inspection.reads_body(&identity));
    }
}
