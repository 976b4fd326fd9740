//! Register, login, refresh, logout.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header::USER_AGENT};
use maigie_domain::{DisplayName, Email, Role};
use maigie_services::accounts;
pub use maigie_services::accounts::RegisterRequest;
use maigie_services::accounts::sessions::{self, Refreshed};
use maigie_store::users::UserRow;
use redis::AsyncCommands;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extractor::{AuthUser, revoked_key};
use super::session::{self, AuthResponse, ClientInfo};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// Ends the session this refresh token belongs to.
    pub refresh_token: Option<String>,
    /// Ends every session of the account.
    #[serde(default)]
    pub all: bool,
}

pub(crate) fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| &s[..s.len().min(255)])
}

/// Creates a user with their onboarding workflow start and audit entry (see
/// [`accounts::register`]). Shared by password registration and OAuth sign-up.
pub(crate) async fn create_user(
    state: &AppState,
    email: &Email,
    password_hash: Option<&str>,
    name: Option<&str>,
    email_verified: bool,
) -> ApiResult<UserRow> {
    let account = accounts::NewAccount {
        email,
        password_hash,
        name,
        role: Role::User.as_str(),
        email_verified,
    };
    Ok(accounts::register(&state.services, account).await?)
}

/// Create an account.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; the welcome e-mail and event follow.", body = AuthResponse),
        (status = 409, description = "E-mail already registered (`email_taken`).", body = ErrorBody),
        (status = 422, description = "Invalid fields (`validation_failed`).", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address.", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<AuthResponse>)> {
    let registration = body.parse()?;
    let hash = state
        .passwords
        .hash(registration.password.expose().to_owned())
        .await?;
    let user = create_user(
        &state,
        &registration.email,
        Some(&hash),
        registration.name.as_ref().map(DisplayName::as_str),
        false,
    )
    .await?;
    let response = session::start(&state, &user, client.client()).await?;
    Ok((StatusCode::CREATED, Json(response)))
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = AuthResponse),
        (status = 401, description = "Wrong e-mail or password (`invalid_credentials`).", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address.", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Json<AuthResponse>> {
    let user = sessions::check_password(
        &state.services,
        &state.passwords,
        &body.email,
        body.password,
    )
    .await?
    .ok_or_else(|| ApiError::unauthorized("invalid_credentials", "Wrong e-mail or password."))?;
    Ok(Json(session::start(&state, &user, client.client()).await?))
}

/// Exchange a refresh token for a new pair. The presented token is spent; presenting a
/// spent token again revokes every token of its session (reuse detection).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = AuthResponse),
        (status = 401, description = "`invalid_refresh_token`, or `refresh_token_reused` (the session is now revoked).", body = ErrorBody),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<Json<AuthResponse>> {
    let expires_at = session::refresh_expiry(&state);
    let refreshed = sessions::refresh(
        &state.services,
        &body.refresh_token,
        client.client(),
        expires_at,
    )
    .await?;
    match refreshed {
        Refreshed::Rotated(opened) => Ok(Json(session::respond(&state, *opened)?)),
        Refreshed::Reused => Err(ApiError::unauthorized(
            "refresh_token_reused",
            "This refresh token was already used; the session has been revoked. Sign in again.",
        )),
        Refreshed::Invalid => Err(invalid_refresh()),
    }
}

fn invalid_refresh() -> ApiError {
    ApiError::unauthorized(
        "invalid_refresh_token",
        "The refresh token is invalid, expired or revoked.",
    )
}

/// Sign out: revokes the access token used, and the session of the refresh token
/// given; with `all: true`, every session of the account ends — every access and
/// refresh token, MCP token, the calendar feed URL, and open sockets and streams.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    request_body(content = Option<LogoutRequest>),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    user: AuthUser,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    // The body is optional: an empty one means "this access token only".
    let body: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.to_string(),
            )
        })?
    };
    // Sessions first: they live in PostgreSQL and outlast the access token, so they
    // end even if the deny-list (Redis) is unavailable.
    if body.all {
        // Every access token of the account, its sockets and streams too.
        return sessions::end_all(&state.services, &user.ctx())
            .await
            .map(|()| StatusCode::NO_CONTENT)
            .map_err(Into::into);
    }
    if let Some(token) = body.refresh_token.as_deref() {
        sessions::end_by_refresh_token(&state.services, &user.ctx(), token).await?;
    }
    revoke_access_token(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts the token id on the deny-list until the token would have expired anyway.
pub(crate) async fn revoke_access_token(state: &AppState, user: &AuthUser) -> ApiResult<()> {
    let ttl = (user.exp - chrono::Utc::now().timestamp()).max(1) + 10;
    let mut redis = state.redis.clone();
    redis
        .set_ex::<_, _, ()>(
            revoked_key(state, user.jti),
            1,
            u64::try_from(ttl).unwrap_or(60),
        )
        .await
        .map_err(|e| ApiError::Unavailable(format!("cannot revoke the token now: {e}")))?;
    Ok(())
}
