//! Sessions: an access token plus a rotating refresh token.

use std::net::IpAddr;

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

/// The access-token half of a response, for a user and an already-stored refresh token
/// of session `family_id`.
pub fn respond(
    state: &AppState,
    user: &UserRow,
    refresh_token: String,
    family_id: Uuid,
) -> Result<AuthResponse, ApiError> {
    let tier: Tier = user.tier.parse().map_err(ApiError::internal)?;
    let (access_token, _) = state.jwt.issue(
        user.id,
        tier,
        user.session_epoch,
        Some(family_id),
        !user.email_verified,
    )?;
    Ok(AuthResponse {
        user: UserView::try_from(user)?,
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.jwt.ttl().as_secs(),
    })
}

/// Who is signing in: the client's `User-Agent` and address, kept with the session.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client<'a> {
    pub user_agent: Option<&'a str>,
    pub ip: Option<IpAddr>,
}

/// Starts a new session (a new refresh-token family) for `user`.
pub async fn start(
    state: &AppState,
    user: &UserRow,
    client: Client<'_>,
) -> Result<AuthResponse, ApiError> {
    let refresh_token = new_refresh_token();
    let family_id = Uuid::new_v4();
    tokens::insert(
        &state.db,
        NewRefreshToken {
            user_id: user.id,
            family_id,
            token: &refresh_token,
            expires_at: refresh_expiry(state),
            user_agent: client.user_agent,
            ip: client.ip,
        },
    )
    .await?;
    respond(state, user, refresh_token, family_id)
}

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
    pub fn client(&self) -> Client<'_> {
        Client {
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
