//! Sessions: an access token (issued here) plus a rotating refresh token
//! ([`maigie_services::accounts::sessions`]).

use std::net::IpAddr;

use chrono::Utc;
use maigie_domain::Tier;
use maigie_services::accounts::sessions::{self, Opened, SessionClient};
use maigie_store::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

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

/// The response for a session just opened or refreshed: its refresh token and a new
/// access token for its account.
pub fn respond(state: &AppState, opened: Opened) -> Result<AuthResponse, ApiError> {
    let user = &opened.user;
    let tier: Tier = user.tier.parse().map_err(ApiError::internal)?;
    let (access_token, _) = state.jwt.issue(
        user.id,
        tier,
        user.session_epoch,
        Some(opened.family_id),
        !user.email_verified,
    )?;
    Ok(AuthResponse {
        user: UserView::try_from(user)?,
        access_token,
        refresh_token: opened.refresh_token,
        token_type: "Bearer",
        expires_in: state.jwt.ttl().as_secs(),
    })
}

/// Starts a new session for `user` and answers its tokens.
pub async fn start(
    state: &AppState,
    user: &UserRow,
    client: SessionClient<'_>,
) -> Result<AuthResponse, ApiError> {
    let opened =
        sessions::open(&state.services, user.clone(), client, refresh_expiry(state)).await?;
    respond(state, opened)
}

/// When a refresh token made now expires (`JWT_REFRESH_TTL_SECS`).
pub fn refresh_expiry(state: &AppState) -> chrono::DateTime<Utc> {
    let ttl = chrono::Duration::from_std(state.settings.refresh_ttl)
        .unwrap_or_else(|_| chrono::Duration::days(30));
    Utc::now() + ttl
}

/// The signing-in client (`User-Agent` and address), for handlers that start or
/// refresh a session.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<IpAddr>,
}

impl ClientInfo {
    #[must_use]
    pub fn client(&self) -> SessionClient<'_> {
        SessionClient {
            user_agent: self.user_agent.as_deref(),
            ip: self.ip,
        }
    }
}

impl axum::extract::FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The address as the rate limiter sees it (same proxy rules).
        let mut probe = axum::http::Request::new(());
        *probe.headers_mut() = parts.headers.clone();
        if let Some(info) = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        {
            probe.extensions_mut().insert(*info);
        }
        Ok(Self {
            user_agent: crate::auth::handlers::user_agent(&parts.headers).map(str::to_owned),
            ip: crate::http::client_ip(&probe, state.settings.trust_proxy_hops),
        })
    }
}
