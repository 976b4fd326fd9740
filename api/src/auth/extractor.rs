//! `AuthUser`: the authenticated caller, from `Authorization: Bearer <jwt>`.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use maigie_domain::Tier;
use uuid::Uuid;

use crate::auth::gate::Checked;
pub use crate::auth::gate::authenticate;
use crate::auth::jwt::Claims;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller, authenticated by a valid access token whose session has not ended
/// (see [`crate::auth::gate`]).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: Uuid,
    pub tier: Tier,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// The session (refresh-token family) the token belongs to.
    pub sid: Option<Uuid>,
    /// The account's session epoch the token was issued in.
    pub sep: i64,
    /// The account's address was not verified when the token was issued.
    pub unverified: bool,
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

    /// The claims of the token the caller presented.
    #[must_use]
    pub fn claims(&self) -> Claims {
        Claims {
            sub: self.id,
            iat: self.iat,
            exp: self.exp,
            jti: self.jti,
            tier: self.tier,
            sep: self.sep,
            sid: self.sid,
            unv: self.unverified,
        }
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
            sid: c.sid,
            sep: c.sep,
            unverified: c.unv,
            request_id: None,
        }
    }
}

/// What an account with an unverified address may still do under
/// `EMAIL_VERIFICATION=required`: its own account (read it, fix a mistyped address,
/// ask for the link again, change its password, sign out, delete it).
fn open_while_unverified(path: &str) -> bool {
    path == "/api/users/me"
        || path.starts_with("/api/users/me/email")
        || path.starts_with("/api/users/me/sessions")
        || path == "/api/users/me/password"
        || path.starts_with("/api/auth/")
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
        let checked = parts.extensions.get::<Checked>();
        let mut user = authenticate(state, token, checked).await?;
        if user.unverified
            && state.settings.accounts.require_verified_email
            && !open_while_unverified(parts.uri.path())
        {
            return Err(ApiError::forbidden(
                "email_unverified",
                "Verify your e-mail address first: use the link we mailed you (or ask for a \
                 new one with POST /api/users/me/email/verify/resend), then refresh your token.",
            ));
        }
        user.request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(user)
    }
}
