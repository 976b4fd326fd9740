//! Rate limiting shared by every API instance: GCRA in a Redis Lua script — the same
//! script call that checks the token's session (see [`crate::auth::gate`]).
//!
//! Buckets: per client IP on `/api/auth/*`; per account at the sign-in limit for the
//! authenticated routes that check a password; per user (limit by tier) for requests
//! with a valid token; per IP for other anonymous requests (`/metrics` too: its token
//! cannot be guessed at leisure). Health, readiness,
//! docs and the signed Stripe webhook are exempt. Every limited response carries `RateLimit-Limit`,
//! `RateLimit-Remaining` and `RateLimit-Reset`; a refusal is a 429 with
//! `Retry-After`. If Redis is unreachable, requests pass (logged): availability of
//! the API wins over strict limits during a cache outage.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::extractor::bearer;
use crate::auth::gate::{self, Bucket, Checked};
use crate::auth::jwt::Claims;
use crate::error::ApiError;
use crate::http::client_ip;
use crate::state::AppState;

/// Stripe's webhook is exempt too: it is authenticated by its signature, and Stripe
/// delivers bursts from a few addresses (a 429 would only delay them).
const EXEMPT: [&str; 8] = [
    "/health",
    "/ready",
    "/docs",
    "/openapi.json",
    "/asyncapi",
    "/asyncapi.json",
    "/",
    "/api/webhooks/stripe",
];

/// Authenticated routes that check the account's password: limited like sign-in
/// (`RATE_LIMIT_AUTH_PER_MINUTE`, per account), not like ordinary requests.
const PASSWORD_CHECKED: [(Method, &str); 3] = [
    (Method::DELETE, "/api/users/me"),
    (Method::POST, "/api/users/me/password"),
    (Method::POST, "/api/users/me/email"),
];

/// The request's bucket, and the claims of its token when it carries a valid one.
fn bucket(state: &AppState, req: &Request) -> Option<(Bucket, Option<Claims>)> {
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
    let bucket = |key: String, per_minute: u32| Bucket {
        key: state.redis_key(&key),
        per_minute,
    };
    if path.starts_with("/api/auth/") {
        return Some((
            bucket(format!("rl:auth:{ip}"), limits.auth_per_minute),
            None,
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
        Some(c)
            if PASSWORD_CHECKED
                .iter()
                .any(|(m, p)| m == req.method() && *p == path) =>
        {
            (
                bucket(format!("rl:auth:user:{}", c.sub), limits.auth_per_minute),
                Some(c),
            )
        }
        Some(c) => (
            bucket(format!("rl:user:{}", c.sub), limits.for_tier(c.tier)),
            Some(c),
        ),
        None => (
            bucket(format!("rl:anon:{ip}"), limits.anonymous_per_minute),
            None,
        ),
    })
}

fn header(n: i64) -> HeaderValue {
    HeaderValue::from(n.max(0))
}

pub async fn rate_limit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some((bucket, claims)) = bucket(&state, &req) else {
        return next.run(req).await;
    };
    let (standing, decision) = match gate::run(&state, claims.as_ref(), Some(&bucket)).await {
        Ok(outcome) => outcome,
        Err(err) => {
            tracing::warn!(error = %err, "rate limiter unavailable; request allowed");
            return next.run(req).await;
        }
    };
    if let Some(claims) = &claims {
        // Passed on, so that authenticating this request costs no second round trip.
        let standing = match standing {
            Some(standing) => Some(standing),
            None => gate::resolve(&state, claims).await.ok(),
        };
        if let Some(standing) = standing {
            req.extensions_mut().insert(Checked {
                jti: claims.jti,
                standing,
            });
        }
    }
    let Some(decision) = decision else {
        return next.run(req).await;
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

/// GCRA on the Redis clock (so instances agree), shared by every bucket script:
/// `take(key, interval_ms, burst, units)` grants up to `units` requests one by one
/// while the bucket allows, and answers how many, the bucket's theoretical arrival
/// time after them, the time now, and the wait for the next request (0: none).
pub(crate) const GCRA: &str = r"
local function take(key, interval, limit, units)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local granted = 0
  while granted < units and tat + interval - limit * interval <= now do
    tat = tat + interval
    granted = granted + 1
  end
  if granted > 0 then
    redis.call('SET', key, tat, 'PX', tat - now)
  end
  local retry = 0
  if granted < units then
    retry = tat + interval - limit * interval - now
  end
  return granted, tat, now, retry
end
";

/// KEYS[1] the bucket; ARGV interval ms, burst, units. Answers {granted,
/// retry_after_ms}.
const CHARGE: &str = r"
local granted, _, _, retry = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return {granted, retry}
";

/// Loaded once (its SHA-1 is computed once, and Redis runs it by that hash).
static CHARGE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(&format!("{GCRA}{CHARGE}")));

/// Charges `units` requests of the user's bucket (e.g. the messages of one MCP batch),
/// in one script call; answers how many, from the first, fit and the wait for the
/// next (seconds).
pub async fn charge_user(
    state: &AppState,
    user_id: uuid::Uuid,
    tier: maigie_domain::Tier,
    units: u32,
) -> Result<(u32, u64), redis::RedisError> {
    let key = state.redis_key(&format!("rl:user:{user_id}"));
    let limit = state.settings.rate_limits.for_tier(tier).max(1);
    let interval_ms = (60_000 / i64::from(limit)).max(1);
    let (granted, retry_after_ms): (u32, i64) = CHARGE_SCRIPT
        .key(key)
        .arg(interval_ms)
        .arg(limit)
        .arg(units)
        .invoke_async(&mut state.redis.clone())
        .await?;
    let secs = if granted < units {
        u64::try_from((retry_after_ms + 999) / 1000)
            .unwrap_or(1)
            .max(1)
    } else {
        0
    };
    Ok((granted, secs))
}

/// Charges one request of an hourly bucket `key` (e.g. reset mails per address):
/// `per_hour` a rolling hour, all at once at most. 429 with `Retry-After` when spent;
/// a Redis outage lets the request through (the per-IP limit still held it).
pub async fn charge_hourly(state: &AppState, key: &str, per_hour: u32) -> Result<(), ApiError> {
    let limit = per_hour.max(1);
    let interval_ms = 3_600_000 / i64::from(limit);
    let outcome: Result<(u32, i64), _> = CHARGE_SCRIPT
        .key(state.redis_key(key))
        .arg(interval_ms)
        .arg(limit)
        .arg(1)
        .invoke_async(&mut state.redis.clone())
        .await;
    match outcome {
        Ok((0, retry_after_ms)) => Err(ApiError::RateLimited {
            retry_after_secs: u64::try_from((retry_after_ms + 999) / 1000)
                .unwrap_or(1)
                .max(1),
        }),
        Ok(_) => Ok(()),
        Err(err) => {
            tracing::warn!(error = %err, "hourly limit unavailable; request allowed");
            Ok(())
        }
    }
}
