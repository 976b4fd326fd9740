//! The signed-in user's own account: profile, password, deletion. The rules live in
//! [`maigie_services::accounts`]; these handlers extract, call and answer (and issue
//! or revoke the tokens).

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::ServiceError;
use maigie_services::accounts::sessions::{self, SessionView};
use maigie_services::accounts::{self, AccountError};
pub use maigie_services::accounts::{
    ChangeEmail, ChangePassword, DeleteAccount, EmailChangePending, UpdateProfile,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::auth::session::{self, AuthResponse, ClientInfo};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;
use crate::views::UserView;

/// How fresh a token must be to set a first password.
const FIRST_PASSWORD_MAX_TOKEN_AGE_SECS: i64 = 600;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me, delete_me))
        .routes(routes!(change_password))
        .routes(routes!(change_email))
        .routes(routes!(resend_verification))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
}

/// Where the account is signed in: one entry per sign-in (kept alive by its refresh
/// token), most recently used first; `current` marks the caller's.
#[utoipa::path(get, path = "/api/users/me/sessions", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Vec<SessionView>>> {
    Ok(Json(
        sessions::list(&state.services, &user.ctx(), user.sid).await?,
    ))
}

/// End one session: its refresh token, access tokens and open sockets stop working
/// at once, on every instance. Ending the caller's own session signs them out.
#[utoipa::path(delete, path = "/api/users/me/sessions/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session id, from the list.")),
    responses((status = 204), (status = 401, body = ErrorBody),
              (status = 404, description = "No such live session of yours (`not_found`).", body = ErrorBody)))]
pub async fn end_session(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    sessions::end(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn gone() -> ApiError {
    ApiError::unauthorized("account_not_found", "The account no longer exists.")
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Gone => gone(),
            AccountError::ReauthenticationRequired => Self::forbidden(
                "reauthentication_required",
                "Sign in again (less than 10 minutes ago): this account has no password to \
                 confirm the change with.",
            ),
            AccountError::Service(err) => err.into(),
        }
    }
}

/// The signed-in user's profile.
#[utoipa::path(get, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<UserView>> {
    let row = accounts::profile(&state.services, &user.ctx()).await?;
    Ok(Json(UserView::try_from(&row)?))
}

/// Update name, time zone or preferences.
#[utoipa::path(patch, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateProfile,
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<UpdateProfile>,
) -> ApiResult<Json<UserView>> {
    let view = accounts::update_profile(&state.services, &user.ctx(), body).await?;
    Ok(Json(view))
}

/// The signed-in user's own account is gone: a valid token for a deleted account is
/// no longer a credential (401), not a missing resource.
pub fn account_gone(err: ServiceError) -> ApiError {
    match err {
        ServiceError::NotFound => gone(),
        other => other.into(),
    }
}

/// Change the password. Every session ends — access, refresh and MCP tokens, the
/// calendar feed URL, open sockets; a fresh pair is returned for this client.
#[utoipa::path(post, path = "/api/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = ChangePassword,
    responses((status = 200, body = AuthResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Json(body): Json<ChangePassword>,
) -> ApiResult<Json<AuthResponse>> {
    let recent = user.signed_in_within(FIRST_PASSWORD_MAX_TOKEN_AGE_SECS);
    let row =
        accounts::change_password(&state.services, &user.ctx(), &state.passwords, body, recent)
            .await?;
    // Every session has ended (this one too); a new one starts for this client.
    Ok(Json(session::start(&state, &row, client.client()).await?))
}

/// Move the account to a new address: a confirmation link goes to it (valid 24
/// hours), and nothing changes until it is used (`POST /api/auth/email/verify`);
/// the old address is then told, with a link to undo the change for 7 days.
/// Confirmed with the current password (an account without one: a sign-in under
/// 10 minutes old).
#[utoipa::path(post, path = "/api/users/me/email", tag = "users", security(("bearer" = [])),
    request_body = ChangeEmail,
    responses((status = 202, body = EmailChangePending), (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required`: an account without a password needs a sign-in under 10 minutes old.", body = ErrorBody),
        (status = 409, description = "`email_taken`.", body = ErrorBody),
        (status = 422, description = "Bad or same address, wrong password (`validation_failed`).", body = ErrorBody)))]
pub async fn change_email(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<ChangeEmail>,
) -> ApiResult<(StatusCode, Json<EmailChangePending>)> {
    let recent = user.signed_in_within(FIRST_PASSWORD_MAX_TOKEN_AGE_SECS);
    let pending = accounts::request_email_change(
        &state.services,
        &user.ctx(),
        &state.passwords,
        body,
        recent,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Mail the address verification link again (a new link; the older ones keep
/// working until they expire). Limited per account per hour.
#[utoipa::path(post, path = "/api/users/me/email/verify/resend", tag = "users", security(("bearer" = [])),
    responses((status = 202, description = "A verification link is on its way."),
        (status = 401, body = ErrorBody),
        (status = 409, description = "`email_already_verified`.", body = ErrorBody)))]
pub async fn resend_verification(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<StatusCode> {
    let per_hour = state.settings.accounts.verify_resend_per_hour;
    crate::http::rate_limit::charge_hourly(&state, &format!("rl:verify:{}", user.id), per_hour)
        .await?;
    accounts::resend_verification(&state.services, &user.ctx()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Delete the account and every piece of data that belongs to it.
#[utoipa::path(delete, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    request_body(content = Option<DeleteAccount>),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required`: an account without a password needs a sign-in under 10 minutes old.", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn delete_me(
    State(state): State<AppState>,
    user: AuthUser,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    let body: DeleteAccount = if body.iter().all(u8::is_ascii_whitespace) {
        DeleteAccount::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.to_string(),
            )
        })?
    };
    // An unreadable issue time counts as old: the account then needs a fresh sign-in.
    let issued_at = chrono::DateTime::from_timestamp(user.iat, 0).unwrap_or_default();
    // Once committed, every token of the account is refused and its sockets close.
    accounts::delete(
        &state.services,
        &user.ctx(),
        &state.passwords,
        body,
        issued_at,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
