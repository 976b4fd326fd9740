//! HTTP plumbing shared by every route: extractors, middleware, client IPs.

pub mod access;
pub mod extract;
pub mod headers;
pub mod idempotency;
pub mod input;
pub mod rate_limit;

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, header};

/// The client's IP, for per-IP limits.
///
/// `proxy_hops` is how many reverse proxies we own in front of the app
/// (`TRUST_PROXY_HOPS`). Each appends the address it was connected from to
/// `X-Forwarded-For`, so the N-th entry from the right is the address our outermost
/// proxy saw: the client. Entries left of it were written by the client and are never
/// used. With fewer entries than hops (a request that skipped a proxy), the rightmost
/// one is taken: it was still written by our nearest proxy. With `0`, no header, or an
/// unparsable entry, the socket peer is the client.
pub fn client_ip<B>(req: &Request<B>, proxy_hops: u8) -> Option<IpAddr> {
    let forwarded = (proxy_hops > 0)
        .then(|| forwarded_client(req.headers(), usize::from(proxy_hops)))
        .flatten();
    forwarded.or_else(|| {
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    })
}

/// The entry `hops` from the right of every `X-Forwarded-For` line joined in order.
fn forwarded_client(headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    // Fewer entries than hops: the rightmost, never one further left.
    let index = entries
        .len()
        .checked_sub(hops)
        .or(entries.len().checked_sub(1))?;
    parse_ip(entries.get(index)?)
}

/// `1.2.3.4`, `2001:db8::1`, or with a port as some proxies write it (`1.2.3.4:5678`,
/// `[2001:db8::1]:5678`).
fn parse_ip(entry: &str) -> Option<IpAddr> {
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip_of(forwarded: &[&str], hops: u8) -> Option<IpAddr> {
        let mut req = Request::builder();
        for line in forwarded {
            req = req.header("x-forwarded-for", *line);
        }
        let mut req = req.body(()).expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 9, 9, 9], 4000))));
        client_ip(&req, hops)
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn the_client_ip_is_the_nth_forwarded_entry_from_the_right() {
        let cases: [(&[&str], u8, &str); 11] = [
            (&["6.6.6.6, 1.1.1.1"], 0, "10.9.9.9"),
            (&["6.6.6.6, 1.1.1.1"], 1, "1.1.1.1"),
            (&["6.6.6.6, 1.1.1.1, 2.2.2.2"], 2, "1.1.1.1"),
            (&["6.6.6.6", "1.1.1.1"], 1, "1.1.1.1"),
            (&["6.6.6.6", "1.1.1.1, 2.2.2.2"], 2, "1.1.1.1"),
            (&["1.1.1.1"], 3, "1.1.1.1"),
            (&["6.6.6.6, 1.1.1.1"], 3, "1.1.1.1"),
            (&[], 1, "10.9.9.9"),
            (&["6.6.6.6, not-an-ip"], 1, "10.9.9.9"),
            (&["6.6.6.6, 1.1.1.1:4711"], 1, "1.1.1.1"),
            (&["6.6.6.6, [2001:db8::1]:4711"], 1, "2001:db8::1"),
        ];
        for (forwarded, hops, expected) in cases {
            assert_eq!(
                ip_of(forwarded, hops),
                ip(expected),
                "{forwarded:?} with {hops} hops"
            );
        }
    }
}
