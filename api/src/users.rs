//! The signed-in user's own account: profile, password, deletion.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use maigie_domain::{DisplayName, Password, Preferences, Timezone, Validation};
use maigie_services::ServiceError;
use maigie_services::notifications::profile_error;
use maigie_store::audit::{self, AuditEntry};
use maigie_store::tokens;
use maigie_store::users::{self, ProfileChanges, UserRow};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::auth::handlers::{revoke_access_token, user_agent};
use crate::auth::password;
use crate::auth::session::{self, AuthResponse};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::events;
use crate::http::extract::Json;
use crate::http::input::nullable;
use crate::state::AppState;
use crate::views::UserView;

/// How fresh a token must be to set a first password.
const FIRST_PASSWORD_MAX_TOKEN_AGE_SECS: i64 = 600;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me, delete_me))
        .routes(routes!(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    /// 1–100 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// IANA time zone, e.g. `America/New_York`.
    pub timezone: Option<String>,
    /// Merged key by key into the stored preferences; a key set to `null` is removed.
    #[schema(value_type = Option<Object>)]
    pub preferences: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// Required when the account has a password (not for Google-only accounts).
    pub current_password: Option<String>,
    pub new_password: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    /// Required when the account has a password.
    pub password: Option<String>,
}

async fn load(state: &AppState, user: &AuthUser) -> ApiResult<UserRow> {
    // A valid token for a deleted account is no longer a credential.
    users::find_by_id(&state.db, user.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("account_not_found", "The account no longer exists."))
}

async fn confirm_password(row: &UserRow, given: Option<String>, field: &str) -> ApiResult<()> {
    if row.password_hash.is_none() {
        return Ok(());
    }
    let Some(given) = given else {
        return Err(ApiError::invalid_field(
            field,
            "required",
            "Confirm with your current password.",
        ));
    };
    if password::verify(given, row.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            field,
            "incorrect",
            "The password is incorrect.",
        ))
    }
}

/// The signed-in user's profile.
#[utoipa::path(get, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<UserView>> {
    Ok(Json(UserView::try_from(&load(&state, &user).await?)?))
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
    let mut v = Validation::new();
    let name = match body.name {
        Some(Some(raw)) => v
            .check("name", DisplayName::parse(&raw))
            .map(|n| Some(n.as_str().to_owned())),
        Some(None) => Some(None),
        None => None,
    };
    let timezone = body
        .timezone
        .as_deref()
        .and_then(|raw| v.check("timezone", Timezone::parse(raw)))
        .map(|tz| tz.name().to_owned());
    let preferences = body
        .preferences
        .and_then(|raw| v.check("preferences", Preferences::parse(raw)))
        .map(Preferences::into_value);
    v.finish()?;
    let row = users::update_profile(
        &state.db,
        user.id,
        ProfileChanges {
            name,
            timezone,
            preferences,
        },
    )
    .await
    .map_err(profile_error)
    .map_err(account_gone)?;
    let view = UserView::try_from(&row)?;
    events::publish(&state, user.id, "user.updated", &view).await;
    Ok(Json(view))
}

/// The signed-in user's own account is gone: a valid token for a deleted account is
/// no longer a credential (401), not a missing resource.
pub fn account_gone(err: ServiceError) -> ApiError {
    match err {
        ServiceError::NotFound => {
            ApiError::unauthorized("account_not_found", "The account no longer exists.")
        }
        other => other.into(),
    }
}

/// Change the password. Every other session is signed out; a fresh pair is returned
/// for this one.
#[utoipa::path(post, path = "/api/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = ChangePassword,
    responses((status = 200, body = AuthResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(body): Json<ChangePassword>,
) -> ApiResult<Json<AuthResponse>> {
    let row = load(&state, &user).await?;
    // An account without a password (Google only) has nothing to confirm with: ask
    // for a recent sign-in instead, so a stolen token cannot plant a password.
    if row.password_hash.is_none() && !user.signed_in_within(FIRST_PASSWORD_MAX_TOKEN_AGE_SECS) {
        return Err(ApiError::forbidden(
            "reauthentication_required",
            "Sign in again (less than 10 minutes ago) to set a password.",
        ));
    }
    let new = Password::parse(&body.new_password)
        .map_err(|e| ApiError::invalid_field("new_password", "invalid_password", e.to_string()))?;
    confirm_password(&row, body.current_password, "current_password").await?;
    let hash = password::hash(new.expose().to_owned()).await?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    tokens::revoke_all(&mut *tx, user.id).await?;
    audit::record(
        &mut *tx,
        AuditEntry {
            actor_id: Some(user.id),
            subject_id: Some(user.id),
            action: "user.password_changed",
            details: json!({}),
            request_id: None,
        },
    )
    .await?;
    tx.commit().await.map_err(ApiError::internal)?;
    revoke_access_token(&state, &user).await?;
    // Reloaded: the response must show the account as it is now (`has_password`
    // turns true when a Google-only account sets its first password).
    let row = load(&state, &user).await?;
    Ok(Json(
        session::start(&state, &row, user_agent(&headers)).await?,
    ))
}

/// Delete the account and every piece of data that belongs to it.
#[utoipa::path(delete, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    request_body(content = Option<DeleteAccount>),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    let row = load(&state, &user).await?;
    confirm_password(&row, body.password, "password").await?;
    let mut tx = state.db.begin().await.map_err(ApiError::internal)?;
    // Recorded before the delete: the entry keeps the id in `details` because the
    // foreign keys are nulled when the user row goes.
    audit::record(
        &mut *tx,
        AuditEntry {
            actor_id: Some(user.id),
            subject_id: Some(user.id),
            action: "user.deleted",
            details: json!({ "user_id": user.id }),
            request_id: None,
        },
    )
    .await?;
    users::delete(&mut *tx, user.id).await?;
    tx.commit().await.map_err(ApiError::internal)?;
    revoke_access_token(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
