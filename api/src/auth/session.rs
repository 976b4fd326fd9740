//! Sessions: an access token plus a rotating refresh token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use maigie_domain::Tier;
use maigie_store::tokens::{self, NewRefreshToken};
use maigie_store::users::UserRow;
use rand::RngCore;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use crate::views::UserView;

/// What register, login, refresh and OAuth sign-in answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    pub user: UserView,
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Single use: exchange it at `/api/auth/refresh` for a new pair.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
}

/// 256 random bits, URL-safe.
#[must_use]
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The access-token half of a response, for a user and an already-stored refresh token.
pub fn respond(
    state: &AppState,
    user: &UserRow,
    refresh_token: String,
) -> Result<AuthResponse, ApiError> {
    let tier: Tier = user.tier.parse().map_err(ApiError::internal)?;
    let (access_token, _) = state.jwt.issue(user.id, tier)?;
    Ok(AuthResponse {
        user: UserView::try_from(user)?,
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.jwt.ttl().as_secs(),
    })
}

/// Starts a new session (a new refresh-token family) for `user`.
pub async fn start(
    state: &AppState,
    user: &UserRow,
    user_agent: Option<&str>,
) -> Result<AuthResponse, ApiError> {
    let refresh_token = new_refresh_token();
    tokens::insert(
        &state.db,
        NewRefreshToken {
            user_id: user.id,
            family_id: Uuid::new_v4(),
            token: &refresh_token,
            expires_at: refresh_expiry(state),
            user_agent,
        },
    )
    .await?;
    respond(state, user, refresh_token)
}

pub fn refresh_expiry(state: &AppState) -> chrono::DateTime<Utc> {
    let ttl = chrono::Duration::from_std(state.settings.refresh_ttl)
        .unwrap_or_else(|_| chrono::Duration::days(30));
    Utc::now() + ttl
}
