//! HTTP plumbing shared by every route: extractors, middleware, client IPs.

pub mod extract;
pub mod headers;
pub mod idempotency;
pub mod input;
pub mod rate_limit;

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, header};

/// The client's IP: the first `X-Forwarded-For` hop when behind a trusted proxy,
/// else the socket peer.
pub fn client_ip<B>(req: &Request<B>, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// Whether `Accept` asks for JSON and not for an event stream (the chat message route
/// streams otherwise).
#[must_use]
pub fn wants_json_only(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/event-stream"))
}
