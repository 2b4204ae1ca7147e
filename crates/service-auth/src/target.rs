//! The base URL of the gateway and the request URIs built from it.

use http::uri::{PathAndQuery, Scheme};
use http::Uri;

use crate::error::ServiceCallError;

/// Scheme, authority and path prefix of the gateway, as given to the client.
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl {
    scheme: Scheme,
    authority: http::uri::Authority,
    prefix: String,
}

impl BaseUrl {
    /// Parses `http://host:port[/prefix]` or `https://...`; no query, no credentials.
    pub(crate) fn parse(url: &str) -> Result<Self, ServiceCallError> {
        let bad = |reason| ServiceCallError::BaseUrl { url: url.to_owned(), reason };
        let uri: Uri = url.parse().map_err(|_| bad("not a valid URL"))?;

        let scheme = uri.scheme().cloned().ok_or_else(|| bad("give http:// or https://"))?;
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(bad("the scheme must be http or https"));
        }
        let authority = uri.authority().cloned().ok_or_else(|| bad("the host is missing"))?;
        if authority.as_str().contains('@') {
            return Err(bad("credentials in the URL are not allowed"));
        }
        if uri.query().is_some() {
            return Err(bad("a query is not allowed in the base URL"));
        }

        let prefix = uri.path().trim_end_matches('/').to_owned();
        Ok(Self { scheme, authority, prefix })
    }

    /// Whether calls go over TLS.
    pub(crate) fn is_https(&self) -> bool {
        self.scheme == Scheme::HTTPS
    }

    /// The URI of `path` (absolute, optionally with a query) under the base URL.
    pub(crate) fn join(&self, path: &str) -> Result<Uri, ServiceCallError> {
        let bad = || ServiceCallError::Path { path: path.to_owned() };
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(bad());
        }
        let full: PathAndQuery = format!("{}{path}", self.prefix).parse().map_err(|_| bad())?;

        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(full)
            .build()
            .map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_under_the_base() {
        let base = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(base.join("/orders/1?x=2").unwrap(), "http://127.0.0.1:8080/orders/1?x=2");

        let prefixed = BaseUrl::parse("https://gw.internal/api").unwrap();
        assert!(prefixed.is_https());
        assert_eq!(prefixed.join("/orders").unwrap(), "https://gw.internal/api/orders");
    }

    #[test]
    fn refuses_unusable_urls_and_paths() {
        for url in ["gw:8080", "ftp://gw/", "http://user:pw@gw/", "http://gw/?a=1", "/x"] {
            assert!(BaseUrl::parse(url).is_err(), "{url}");
        }
        let base = BaseUrl::parse("http://gw").unwrap();
        for path in ["orders", "//evil.example/x", "/a b", ""] {
            assert!(base.join(path).is_err(), "{path}");
        }
    }
}
