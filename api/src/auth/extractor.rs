//! `AuthUser`: the authenticated caller, from `Authorization: Bearer <jwt>`.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use maigie_domain::Tier;
use redis::AsyncCommands;
use uuid::Uuid;

use crate::auth::jwt::Claims;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller, authenticated by a valid, unrevoked access token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: Uuid,
    pub tier: Tier,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// The request's `x-request-id` (set by the edge layer), for the use-cases' logs and
    /// audit entries.
    pub request_id: Option<String>,
}

impl AuthUser {
    /// The caller as the use-cases know them, reached over REST.
    #[must_use]
    pub fn ctx(&self) -> maigie_services::Ctx {
        maigie_services::Ctx::new(self.id, self.tier, maigie_services::Source::Rest)
            .with_request_id(self.request_id.clone())
    }

    /// Whether the token was issued within `secs` seconds (a recent sign-in), for
    /// sensitive changes that have no other confirmation.
    #[must_use]
    pub fn signed_in_within(&self, secs: i64) -> bool {
        chrono::Utc::now().timestamp() - self.iat <= secs
    }
}

impl From<Claims> for AuthUser {
    fn from(c: Claims) -> Self {
        Self {
            id: c.sub,
            tier: c.tier,
            jti: c.jti,
            iat: c.iat,
            exp: c.exp,
            request_id: None,
        }
    }
}

/// The bearer token in `Authorization`, if any (scheme matched case-insensitively).
#[must_use]
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Redis key marking a token id as revoked (logout, password change).
pub fn revoked_key(state: &AppState, jti: Uuid) -> String {
    state.redis_key(&format!("revoked:{jti}"))
}

/// Verifies a token and checks the revocation list. If Redis is unreachable the
/// check is skipped (logged): tokens are short-lived, and an outage of the cache
/// must not take the whole API down.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    let claims = state.jwt.verify(token)?;
    tracing::Span::current().record("user_id", tracing::field::display(claims.sub));
    let mut redis = state.redis.clone();
    match redis
        .exists::<_, bool>(revoked_key(state, claims.jti))
        .await
    {
        Ok(true) => Err(ApiError::unauthorized(
            "token_revoked",
            "The access token has been revoked.",
        )),
        Ok(false) => Ok(claims.into()),
        Err(err) => {
            tracing::warn!(error = %err, "revocation check skipped: Redis unavailable");
            Ok(claims.into())
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthorized(
                "missing_token",
                "Send an access token in `Authorization: Bearer <token>`.",
            )
        })?;
        let mut user = authenticate(state, token).await?;
        user.request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(user)
    }
}
