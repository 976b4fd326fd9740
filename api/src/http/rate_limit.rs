//! Rate limiting shared by every API instance: GCRA in a Redis Lua script.
//!
//! Buckets: per client IP on `/api/auth/*`; per user (limit by tier) for requests with
//! a valid token; per IP for other anonymous requests. Health, readiness, metrics,
//! docs and the signed Stripe webhook are exempt. Every limited response carries `RateLimit-Limit`,
//! `RateLimit-Remaining` and `RateLimit-Reset`; a refusal is a 429 with
//! `Retry-After`. If Redis is unreachable, requests pass (logged): availability of
//! the API wins over strict limits during a cache outage.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::extractor::bearer;
use crate::error::ApiError;
use crate::http::client_ip;
use crate::state::AppState;

/// GCRA: one request costs `interval` ms of the bucket; `limit` requests may burst.
/// Returns {allowed, remaining, retry_after_ms, reset_ms}. Uses the Redis clock so
/// every instance agrees.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - limit * interval
if allow_at > now then
  return {0, 0, allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
local remaining = math.floor((now - allow_at) / interval)
return {1, remaining, 0, new_tat - now}
";

/// Stripe's webhook is exempt too: it is authenticated by its signature, and Stripe
/// delivers bursts from a few addresses (a 429 would only delay them).
const EXEMPT: [&str; 6] = [
    "/health",
    "/ready",
    "/metrics",
    "/docs",
    "/openapi.json",
    "/api/webhooks/stripe",
];

struct Decision {
    allowed: bool,
    limit: u32,
    remaining: i64,
    retry_after_ms: i64,
    reset_ms: i64,
}

async fn consume(
    state: &AppState,
    key: &str,
    per_minute: u32,
) -> Result<Decision, redis::RedisError> {
    let limit = per_minute.max(1);
    let interval_ms = 60_000 / i64::from(limit);
    let (allowed, remaining, retry_after_ms, reset_ms): (i64, i64, i64, i64) =
        redis::Script::new(GCRA)
            .key(key)
            .arg(interval_ms.max(1))
            .arg(limit)
            .invoke_async(&mut state.redis.clone())
            .await?;
    Ok(Decision {
        allowed: allowed == 1,
        limit,
        remaining,
        retry_after_ms,
        reset_ms,
    })
}

fn bucket(state: &AppState, req: &Request) -> Option<(String, u32)> {
    let path = req.uri().path();
    if EXEMPT
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    {
        return None;
    }
    let limits = state.settings.rate_limits;
    let ip = client_ip(req, state.settings.trust_proxy_hops)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    if path.starts_with("/api/auth/") {
        return Some((
            state.redis_key(&format!("rl:auth:{ip}")),
            limits.auth_per_minute,
        ));
    }
    let claims = bearer(req.headers())
        .or_else(|| {
            // The WebSocket handshake may carry its token in the query.
            req.uri()
                .query()?
                .split('&')
                .find_map(|kv| kv.strip_prefix("access_token="))
        })
        .and_then(|token| state.jwt.verify(token).ok());
    Some(match claims {
        Some(c) => (
            state.redis_key(&format!("rl:user:{}", c.sub)),
            limits.for_tier(c.tier),
        ),
        None => (
            state.redis_key(&format!("rl:anon:{ip}")),
            limits.anonymous_per_minute,
        ),
    })
}

fn header(n: i64) -> HeaderValue {
    HeaderValue::from(n.max(0))
}

pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some((key, per_minute)) = bucket(&state, &req) else {
        return next.run(req).await;
    };
    let decision = match consume(&state, &key, per_minute).await {
        Ok(d) => d,
        Err(err) => {
            tracing::warn!(error = %err, "rate limiter unavailable; request allowed");
            return next.run(req).await;
        }
    };
    let mut response = if decision.allowed {
        next.run(req).await
    } else {
        let retry_after_secs = u64::try_from((decision.retry_after_ms + 999) / 1000)
            .unwrap_or(1)
            .max(1);
        ApiError::RateLimited { retry_after_secs }.into_response()
    };
    let h = response.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from(decision.limit));
    h.insert("ratelimit-remaining", header(decision.remaining));
    h.insert("ratelimit-reset", header((decision.reset_ms + 999) / 1000));
    response
}
