//! The one Redis call an authenticated request costs: the token's deny-list entries
//! (its own id, its session), the account's session epoch and the rate-limit bucket,
//! checked by one Lua script. The rate-limit layer runs it for every request and
//! leaves the outcome in the request's extensions; the `AuthUser` extractor and the
//! WebSocket upgrade read it there, and run the script themselves (without a bucket)
//! only where the layer did not (exempt routes, Redis unreachable).
//!
//! The epoch lives in PostgreSQL (`users.session_epoch`) and is cached in Redis for
//! a few minutes; a miss, or Redis being unreachable, is answered from PostgreSQL, so
//! an ended session stays ended through a cache outage.

use std::sync::LazyLock;

use maigie_store::sessions;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::auth::jwt::Claims;
use crate::error::ApiError;
use crate::http::rate_limit::GCRA;
use crate::state::AppState;

/// KEYS: 1 the token's deny-list entry, 2 its session's, 3 the cached epoch, 4 the
/// bucket. ARGV: 1 the token's epoch (`-1`: no token to check), 2 the bucket's
/// interval in ms, 3 its burst (`0`: no bucket). Answers {standing, allowed,
/// remaining, retry_after_ms, reset_ms}; standing 0 live, 1 revoked, 2 ended,
/// 3 epoch not cached. The bucket is [`GCRA`]'s, the same as every other bucket's.
const SCRIPT: &str = r"
local standing = 0
if ARGV[1] ~= '-1' then
  if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then
    standing = 1
  else
    local cached = redis.call('GET', KEYS[3])
    if not cached then
      standing = 3
    elseif tonumber(cached) > tonumber(ARGV[1]) then
      standing = 2
    end
  end
end
local limit = tonumber(ARGV[3])
if limit == 0 then
  return {standing, 1, 0, 0, 0}
end
local interval = tonumber(ARGV[2])
local granted, tat, now, retry = take(KEYS[4], interval, limit, 1)
if granted == 0 then
  return {standing, 0, 0, retry, tat - now}
end
return {standing, 1, math.floor((now - (tat - limit * interval)) / interval), 0, tat - now}
";

/// Loaded once (its SHA-1 is computed once, and Redis runs it by that hash).
static CHECK: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{GCRA}{SCRIPT}")));

/// Where a token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Live,
    /// Signed out (this token or its session).
    Revoked,
    /// Every session of the account ended after it was issued.
    Ended,
}

/// A rate-limit bucket: its Redis key and how many requests a minute it allows.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub key: String,
    pub per_minute: u32,
}

/// What the bucket said.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: i64,
    pub retry_after_ms: i64,
    pub reset_ms: i64,
}

/// The standing of the request's token as the rate-limit layer found it.
#[derive(Debug, Clone, Copy)]
pub struct Checked {
    pub jti: Uuid,
    pub standing: Standing,
}

/// Runs the script for `claims` (if any) and `bucket` (if any). `Ok(None)` standing:
/// there was no token, or its epoch is not cached (see [`resolve`]).
pub async fn run(
    state: &AppState,
    claims: Option<&Claims>,
    bucket: Option<&Bucket>,
) -> Result<(Option<Standing>, Option<Decision>), redis::RedisError> {
    let (limit, interval_ms) = bucket.map_or((0, 1), |b| {
        let limit = b.per_minute.max(1);
        (limit, (60_000 / i64::from(limit)).max(1))
    });
    let mut script = CHECK.prepare_invoke();
    match claims {
        Some(c) => {
            script
                .key(state.redis_key(&format!("revoked:{}", c.jti)))
                .key(c.sid.map_or_else(
                    || state.redis_key("ended:none"),
                    |sid| state.events.ended_session_key(sid),
                ))
                .key(state.events.epoch_key(c.sub))
                .arg(c.sep);
        }
        None => {
            script.key("").key("").key("").arg(-1);
        }
    }
    script
        .key(bucket.map_or("", |b| b.key.as_str()))
        .arg(interval_ms)
        .arg(limit);
    let (standing, allowed, remaining, retry_after_ms, reset_ms): (i64, i64, i64, i64, i64) =
        script.invoke_async(&mut state.redis.clone()).await?;
    let standing = match (claims, standing) {
        (None, _) | (_, 3) => None,
        (_, 1) => Some(Standing::Revoked),
        (_, 2) => Some(Standing::Ended),
        _ => Some(Standing::Live),
    };
    let decision = bucket.map(|_| Decision {
        allowed: allowed == 1,
        limit,
        remaining,
        retry_after_ms,
        reset_ms,
    });
    Ok((standing, decision))
}

/// The standing of a token whose account epoch is not cached (or Redis is
/// unreachable): read from PostgreSQL, and cached again for the next requests.
pub async fn resolve(state: &AppState, claims: &Claims) -> Result<Standing, ApiError> {
    let Some(epoch) = sessions::epoch(&state.db, claims.sub).await? else {
        return Ok(Standing::Ended);
    };
    if let Err(err) = state.events.cache_epoch(claims.sub, epoch).await {
        tracing::warn!(error = %err, "could not cache a session epoch");
    }
    Ok(if claims.sep < epoch {
        Standing::Ended
    } else {
        Standing::Live
    })
}

/// The error for a token that is not live.
#[must_use]
pub fn refusal(standing: Standing) -> Option<ApiError> {
    match standing {
        Standing::Live => None,
        Standing::Revoked => Some(ApiError::unauthorized(
            "token_revoked",
            "The access token has been revoked.",
        )),
        Standing::Ended => Some(ApiError::unauthorized(
            "session_ended",
            "This session has ended (signed out everywhere, password changed or account \
             removed). Sign in again.",
        )),
    }
}

/// Verifies a token and its standing — from `checked` when the rate-limit layer has
/// already run the script for this very token, else with one script call of its own
/// (or PostgreSQL, if Redis is unreachable: the deny-list of single tokens cannot be
/// read then, ended sessions still can).
pub async fn authenticate(
    state: &AppState,
    token: &str,
    checked: Option<&Checked>,
) -> Result<AuthUser, ApiError> {
    let claims = state.jwt.verify(token)?;
    tracing::Span::current().record("user_id", tracing::field::display(claims.sub));
    let standing = match checked {
        Some(c) if c.jti == claims.jti => c.standing,
        _ => match run(state, Some(&claims), None).await {
            Ok((Some(standing), _)) => standing,
            Ok((None, _)) => resolve(state, &claims).await?,
            Err(err) => {
                tracing::warn!(error = %err, "token deny-list unavailable; epoch read from PostgreSQL");
                resolve(state, &claims).await?
            }
        },
    };
    match refusal(standing) {
        Some(err) => Err(err),
        None => {
            crate::http::access::identify(claims.sub);
            Ok(claims.into())
        }
    }
}
