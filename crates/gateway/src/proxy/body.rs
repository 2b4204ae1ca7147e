//! The client's request body on its way upstream: size-limited, with client faults recorded.

use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;

use crate::upstream::BoxError;

/// The client's request body as it leaves the pipeline: still streaming, or read whole because a
/// stage inspected it.
#[derive(Debug)]
pub enum ClientBody {
    /// Not read yet; streamed to the upstream under the route's size limit.
    Streaming(Incoming),
    /// Read whole (within the route's limit) for a stage; replayable on retries.
    Buffered(Bytes),
}

/// A fault of the client's body, as opposed to an upstream failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFault {
    /// More bytes than the route allows.
    TooLarge,
    /// The body's framing was invalid (bad chunk size, early close).
    Malformed,
}

/// Shared record of a body fault, read after the upstream exchange fails.
#[derive(Debug, Clone, Default)]
pub struct FaultFlag(Arc<AtomicU8>);

impl FaultFlag {
    fn set(&self, fault: BodyFault) {
        let code = match fault {
            BodyFault::TooLarge => 1,
            BodyFault::Malformed => 2,
        };
        self.0.store(code, Ordering::Relaxed);
    }

    /// The recorded fault, if any.
    pub fn get(&self) -> Option<BodyFault> {
        match self.0.load(Ordering::Relaxed) {
            1 => Some(BodyFault::TooLarge),
            2 => Some(BodyFault::Malformed),
            _ => None,
        }
    }
}

/// Error yielded when the body breaks its limit.
#[derive(Debug, thiserror::Error)]
#[error("request body exceeds the limit of {0} bytes")]
pub struct TooLarge(u64);

pin_project! {
    /// Streams the client's body, failing once it passes the limit.
    pub struct GuardedBody {
        #[pin]
        inner: Incoming,
        limit: u64,
        seen: u64,
        fault: FaultFlag,
    }
}

impl GuardedBody {
    /// Wraps a body with a byte limit; the flag tells afterwards whether the client was at fault.
    pub fn new(inner: Incoming, limit: u64) -> (Self, FaultFlag) {
        let fault = FaultFlag::default();
        (Self { inner, limit, seen: 0, fault: fault.clone() }, fault)
    }
}

impl Body for GuardedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    *this.seen += data.len() as u64;
                    if *this.seen > *this.limit {
                        this.fault.set(BodyFault::TooLarge);
                        return Poll::Ready(Some(Err(Box::new(TooLarge(*this.limit)))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => {
                this.fault.set(BodyFault::Malformed);
                Poll::Ready(Some(Err(Box::new(error))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
