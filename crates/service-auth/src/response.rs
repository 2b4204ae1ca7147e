//! A complete response from another service.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// Status, headers and the whole (bounded) body of a response.
#[derive(Debug, Clone)]
pub struct ServiceResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl ServiceResponse {
    /// The status code; a 401 or 403 from the gateway means the token or policy denied the call.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (a gateway denial carries `WWW-Authenticate` with the reason).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body bytes.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
