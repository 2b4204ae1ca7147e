//! Protocol upgrades (WebSocket): the 101 answer is passed on and the two connections spliced.

use http::header::{HeaderValue, CONNECTION, UPGRADE};
use http::{Request, Response};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

use crate::forwarding::X_REQUEST_ID;
use crate::pipeline::RequestContext;
use crate::respond::ResponseBody;

/// Takes the client side's pending upgrade when the request asks for one.
pub fn take_client_upgrade<B>(request: &mut Request<B>) -> Option<OnUpgrade> {
    let asks = request.headers().get_all(CONNECTION).iter().any(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(',').any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
        })
    });
    (asks && request.headers().contains_key(UPGRADE)).then(|| hyper::upgrade::on(request))
}

/// Answers the client with the upstream's 101 and copies bytes both ways once both sides switch.
pub fn splice(
    mut response: Response<Incoming>,
    client: OnUpgrade,
    ctx: &RequestContext,
) -> Response<ResponseBody> {
    let upstream = hyper::upgrade::on(&mut response);
    let request_id = ctx.request_id.clone();
    tokio::spawn(async move {
        let (client, upstream) = match tokio::try_join!(client, upstream) {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(error = %error, "protocol upgrade failed");
                return;
            }
        };
        let mut client = TokioIo::new(client);
        let mut upstream = TokioIo::new(upstream);
        if let Err(error) = tokio::io::copy_bidirectional(&mut client, &mut upstream).await {
            tracing::debug!(error = %error, "upgraded connection closed with an error");
        }
    });

    let (mut head, _body) = response.into_parts();
    let protocol = head.headers.get(UPGRADE).cloned();
    crate::forwarding::strip_hop_by_hop(&mut head.headers);
    head.headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    if let Some(protocol) = protocol {
        head.headers.insert(UPGRADE, protocol);
    }
    head.headers.insert(&X_REQUEST_ID, request_id);
    let body = Empty::new().map_err(|never| match never {}).boxed();
    Response::from_parts(head, body)
}
