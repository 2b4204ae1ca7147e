//! An upstream response body read in part, so a stage can inspect its first bytes, and then
//! sent on whole: the frames read so far, followed by the unread rest as it streams.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::respond::ResponseBody;
use crate::upstream::BoxError;

/// The first frames of a body, read until at least `limit` data bytes or the end.
///
/// Memory: at most `limit` bytes plus one frame (the frame that crosses the limit is kept
/// whole; hyper bounds a frame by its read buffer).
#[derive(Debug)]
pub struct BodyPrefix {
    frames: VecDeque<Frame<Bytes>>,
    data_len: u64,
    rest: Option<ResponseBody>,
}

impl BodyPrefix {
    /// Reads frames from `body` until `limit` data bytes were seen or the body ended.
    pub async fn read(mut body: ResponseBody, limit: u64) -> Result<Self, BoxError> {
        let mut frames = VecDeque::new();
        let mut data_len = 0u64;
        while data_len < limit {
            let Some(frame) = body.frame().await else {
                return Ok(Self { frames, data_len, rest: None });
            };
            let frame = frame?;
            if let Some(data) = frame.data_ref() {
                data_len += data.len() as u64;
            }
            frames.push_back(frame);
        }

        let rest = (!body.is_end_stream()).then_some(body);
        Ok(Self { frames, data_len, rest })
    }

    /// The data read, chunk by chunk, in order.
    pub fn data(&self) -> impl Iterator<Item = &Bytes> {
        self.frames.iter().filter_map(Frame::data_ref)
    }

    /// Whether the whole body was read.
    pub fn is_complete(&self) -> bool {
        self.rest.is_none()
    }

    /// The whole body again: the frames read, then the rest.
    pub fn into_body(self) -> ResponseBody {
        PrefixedBody { frames: self.frames, buffered: self.data_len, rest: self.rest }.boxed()
    }
}

/// Replays buffered frames, then polls the rest.
struct PrefixedBody {
    frames: VecDeque<Frame<Bytes>>,
    buffered: u64,
    rest: Option<ResponseBody>,
}

impl Body for PrefixedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if let Some(frame) = this.frames.pop_front() {
            if let Some(data) = frame.data_ref() {
                this.buffered -= data.len() as u64;
            }
            return Poll::Ready(Some(Ok(frame)));
        }
        match this.rest.as_mut() {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty() && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let Some(rest) = &self.rest else {
            return SizeHint::with_exact(self.buffered);
        };
        let rest = rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower().saturating_add(self.buffered));
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(self.buffered));
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    fn chunks(parts: &[&'static str]) -> ResponseBody {
        let frames: Vec<Result<Frame<Bytes>, BoxError>> =
            parts.iter().map(|p| Ok(Frame::data(Bytes::from_static(p.as_bytes())))).collect();
        StreamBody::new(futures_util::stream::iter(frames)).boxed()
    }

    #[tokio::test]
    async fn a_short_body_is_read_whole_and_replayed() {
        let body = Full::new(Bytes::from_static(b"hello")).map_err(|never| match never {});
        let prefix = BodyPrefix::read(body.boxed(), 100).await.unwrap();
        assert!(prefix.is_complete());
        let replayed = prefix.into_body();
        assert_eq!(replayed.size_hint().exact(), Some(5));
        assert_eq!(replayed.collect().await.unwrap().to_bytes(), "hello");
    }

    #[tokio::test]
    async fn reading_stops_at_the_limit_and_the_rest_follows() {
        let prefix = BodyPrefix::read(chunks(&["abc", "def", "ghi"]), 4).await.unwrap();
        assert!(!prefix.is_complete());
        let seen: Vec<&Bytes> = prefix.data().collect();
        assert_eq!(seen, [&Bytes::from_static(b"abc"), &Bytes::from_static(b"def")]);
        let whole = prefix.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(whole, "abcdefghi");
    }
}
