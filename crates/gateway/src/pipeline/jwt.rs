//! The authenticate stage for JWT bearer tokens (RFC 6750 responses).

use std::sync::Arc;

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderName, HeaderValue, StatusCode};
use rampart_auth::{JwtAuthenticator, ProviderSet, ScopeRequirement, TokenError, VerifiedToken};
use rampart_events::EventType;
use serde_json::Value;

use super::{Denial, Flow, RequestContext, Stage, StageFuture};
use crate::metrics::Metrics;

/// Verifies the bearer token against the route's providers, then its scopes.
#[derive(Debug)]
pub struct JwtStage {
    authenticator: Arc<JwtAuthenticator>,
    providers: ProviderSet,
    audiences: Vec<String>,
    scopes: Option<ScopeRequirement>,
    forward_claims: Vec<(HeaderName, String)>,
    forward_authorization: bool,
    realm: String,
    metrics: Arc<Metrics>,
}

/// The pieces of a route's JWT settings the stage needs, already validated.
#[derive(Debug)]
pub struct JwtStageConfig {
    /// Providers accepted on the route, resolved against the authenticator.
    pub providers: ProviderSet,
    /// Audiences the route requires besides the providers' (empty: none).
    pub audiences: Vec<String>,
    /// Scopes required.
    pub scopes: Option<ScopeRequirement>,
    /// Upstream header to claim name.
    pub forward_claims: Vec<(HeaderName, String)>,
    /// Whether Authorization goes upstream.
    pub forward_authorization: bool,
    /// Realm for `WWW-Authenticate`.
    pub realm: String,
}

impl JwtStage {
    /// A stage for one route.
    pub fn new(
        authenticator: Arc<JwtAuthenticator>,
        config: JwtStageConfig,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            authenticator,
            providers: config.providers,
            audiences: config.audiences,
            scopes: config.scopes,
            forward_claims: config.forward_claims,
            forward_authorization: config.forward_authorization,
            realm: config.realm,
            metrics,
        }
    }

    async fn decide(&self, ctx: &mut RequestContext, head: &http::request::Parts) -> Flow {
        ctx.upstream_header_removals.extend(self.forward_claims.iter().map(|(h, _)| h.clone()));
        if !self.forward_authorization {
            ctx.upstream_header_removals.push(AUTHORIZATION);
        }

        let token = match bearer_token(&head.headers) {
            Ok(Some(token)) => token,
            Ok(None) => return self.missing_token(),
            Err(denial) => return self.count(*denial, "malformed_authorization_header"),
        };

        let verified = match self.authenticator.verify_with(token, &self.providers).await {
            Ok(verified) => verified,
            Err(error) => return self.invalid_token(&error),
        };

        if !self.audience_accepted(&verified) {
            let error = TokenError::WrongAudience { provider: verified.provider().to_owned() };
            return self.invalid_token(&error);
        }

        ctx.identity = Some(verified.clone());
        if let Some(required) = &self.scopes {
            if let Err(missing) = required.check(&verified) {
                return self.insufficient_scope(&verified, &missing.to_string(), required);
            }
        }

        match self.forward(ctx, &verified) {
            Ok(()) => Flow::Continue,
            Err(claim) => self.unforwardable_claim(claim),
        }
    }

    /// Whether the token's `aud` (a string or an array) names one of the route's audiences.
    fn audience_accepted(&self, token: &VerifiedToken) -> bool {
        if self.audiences.is_empty() {
            return true;
        }
        let named = |aud: &str| self.audiences.iter().any(|wanted| wanted == aud);
        match token.claim("aud") {
            Some(Value::String(aud)) => named(aud),
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(named),
            _ => false,
        }
    }

    /// Sets the forwarded claims as upstream headers. A claim that is present but cannot be a
    /// header value (a control character such as CR or LF) fails the request, rather than
    /// reaching the service without the identity it expects; returns that claim's name.
    fn forward<'a>(
        &'a self,
        ctx: &mut RequestContext,
        token: &VerifiedToken,
    ) -> Result<(), &'a str> {
        for (header, claim) in &self.forward_claims {
            let Some(value) = token.claims().get(claim) else { continue };
            match claim_header_value(value) {
                Some(Ok(value)) => ctx.upstream_headers.push((header.clone(), value)),
                Some(Err(())) => return Err(claim),
                None => {}
            }
        }
        Ok(())
    }

    fn unforwardable_claim(&self, claim: &str) -> Flow {
        let description = "the token holds a claim that cannot be forwarded as a header";
        let challenge = format!(
            "Bearer realm=\"{}\", error=\"invalid_token\", error_description=\"{}\"",
            self.realm, description
        );
        let denial = Denial::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
            .event(EventType::AuthenticationFailed)
            .detail("reason", "unforwardable_claim")
            .detail("claim", claim)
            .header(WWW_AUTHENTICATE, header_value(&challenge));
        self.count(denial, "unforwardable_claim")
    }

    fn missing_token(&self) -> Flow {
        let challenge = format!("Bearer realm=\"{}\"", self.realm);
        let denial =
            Denial::new(StatusCode::UNAUTHORIZED, "unauthorized", "a bearer token is required")
                .event(EventType::AuthenticationFailed)
                .detail("reason", "missing_token")
                .header(WWW_AUTHENTICATE, header_value(&challenge));
        self.count(denial, "missing_token")
    }

    fn invalid_token(&self, error: &TokenError) -> Flow {
        let description = error.description();
        let challenge = format!(
            "Bearer realm=\"{}\", error=\"invalid_token\", error_description=\"{}\"",
            self.realm, description
        );
        let denial = Denial::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
            .event(EventType::AuthenticationFailed)
            .detail("reason", error.reason())
            .header(WWW_AUTHENTICATE, header_value(&challenge));
        self.count(denial, error.reason())
    }

    fn insufficient_scope(
        &self,
        token: &VerifiedToken,
        missing: &str,
        required: &ScopeRequirement,
    ) -> Flow {
        let scope = required.scopes().join(" ");
        let challenge = format!(
            "Bearer realm=\"{}\", error=\"insufficient_scope\", \
             error_description=\"the token lacks a required scope\", scope=\"{}\"",
            self.realm, scope
        );
        let denial = Denial::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "the token lacks a required scope",
        )
        .event(EventType::Forbidden)
        .detail("reason", "insufficient_scope")
        .detail("missing_scopes", missing)
        .detail("provider", token.provider())
        .header(WWW_AUTHENTICATE, header_value(&challenge));
        self.count(denial, "insufficient_scope")
    }

    fn count(&self, denial: Denial, reason: &str) -> Flow {
        self.metrics.auth_failure(reason);
        Flow::deny(denial)
    }
}

impl Stage for JwtStage {
    fn name(&self) -> &'static str {
        "authenticate_jwt"
    }

    fn on_request<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        Box::pin(self.decide(ctx, head))
    }
}

/// The bearer token of a request: `Ok(None)` when there is no bearer credential at all.
fn bearer_token(headers: &http::HeaderMap) -> Result<Option<&str>, Box<Denial>> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(Box::new(invalid_request("send exactly one Authorization header")));
    }

    let Ok(text) = value.to_str() else {
        return Err(Box::new(invalid_request("the Authorization header is not valid ASCII")));
    };
    let Some((scheme, rest)) = text.split_once(' ') else { return Ok(None) };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }

    let token = rest.trim_matches(' ');
    if token.is_empty() || !token.bytes().all(is_token68) {
        return Err(Box::new(invalid_request("the bearer token is malformed")));
    }
    Ok(Some(token))
}

fn is_token68(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

fn invalid_request(message: &'static str) -> Denial {
    let challenge = format!("Bearer error=\"invalid_request\", error_description=\"{message}\"");
    Denial::new(StatusCode::BAD_REQUEST, "invalid_request", message)
        .event(EventType::AuthenticationFailed)
        .detail("reason", "malformed_authorization_header")
        .header(WWW_AUTHENTICATE, header_value(&challenge))
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
}

/// The header value of a claim; None for a null claim, an error for text a header cannot hold.
fn claim_header_value(claim: &Value) -> Option<Result<HeaderValue, ()>> {
    let text = match claim {
        Value::String(text) => text.clone(),
        Value::Null => return None,
        other => other.to_string(),
    };
    Some(HeaderValue::from_str(&text).map_err(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for value in values {
            map.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn extracts_bearer_tokens() {
        assert_eq!(bearer_token(&headers(&["Bearer abc.def.ghi"])).unwrap(), Some("abc.def.ghi"));
        assert_eq!(bearer_token(&headers(&["bearer  abc"])).unwrap(), Some("abc"));
        assert_eq!(bearer_token(&headers(&[])).unwrap(), None);
        assert_eq!(bearer_token(&headers(&["Basic dXNlcjpwYXNz"])).unwrap(), None);
    }

    #[test]
    fn malformed_credentials_are_invalid_requests() {
        let denial = bearer_token(&headers(&["Bearer a", "Bearer b"])).unwrap_err();
        assert_eq!(denial.status, StatusCode::BAD_REQUEST);
        assert!(bearer_token(&headers(&["Bearer a b"])).is_err());
        assert!(bearer_token(&headers(&["Bearer "])).is_err());
    }
}
