//! A forgotten password (`/api/auth/password/*`) and the links mailed to prove an
//! address (`/api/auth/email/*`). None of these needs a token: the mailed link is
//! the credential.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use maigie_services::accounts::{
    self, AddressToken, AdminPolicy, EmailConfirmed, ForgotPassword, ResetPassword,
};
use sha2::{Digest, Sha256};

use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::Json;
use crate::http::rate_limit::charge_hourly;
use crate::state::AppState;

/// Ask for a password reset link. Always 202, the same way and in the same time
/// whether an account has the address or not; the mail (a single-use link to
/// `APP_BASE_URL/reset-password?token=…`, valid 30 minutes) goes only to an existing
/// account. Limited per client IP and per address.
#[utoipa::path(post, path = "/api/auth/password/forgot", tag = "auth",
    request_body = ForgotPassword,
    responses(
        (status = 202, description = "Accepted: a link is mailed if an account has this address."),
        (status = 422, description = "Not an e-mail address (`validation_failed`).", body = ErrorBody),
        (status = 429, description = "Too many requests from this address or for this e-mail.", body = ErrorBody),
    ))]
pub async fn forgot(
    State(state): State<AppState>,
    Json(body): Json<ForgotPassword>,
) -> ApiResult<StatusCode> {
    let email = accounts::parse_forgot(&body)?;
    // Keyed by a digest: Redis never holds the addresses people typed.
    let digest = Sha256::digest(email.as_str().to_lowercase().as_bytes());
    let key = format!("rl:reset:{}", maigie_domain::hex::hex(&digest[..16]));
    let per_hour = state.settings.accounts.reset_per_address_per_hour;
    charge_hourly(&state, &key, per_hour).await?;
    accounts::request_password_reset(&state.services, &email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with a reset link's token. Every session of the account ends
/// (access, refresh and MCP tokens, the calendar feed URL, open sockets), every
/// other reset link dies, and a notice is mailed. Sign in with the new password.
#[utoipa::path(post, path = "/api/auth/password/reset", tag = "auth",
    request_body = ResetPassword,
    responses(
        (status = 204, description = "Password set; every session has ended."),
        (status = 400, description = "`invalid_token`: unknown, used or expired link.", body = ErrorBody),
        (status = 422, description = "The new password is not acceptable (`validation_failed`).", body = ErrorBody),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    Json(body): Json<ResetPassword>,
) -> ApiResult<StatusCode> {
    accounts::reset_password(&state.services, &state.passwords, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `ADMIN_EMAILS` and the request id, for the use-cases that prove an address.
pub(crate) fn admin_policy<'a>(state: &'a AppState, headers: &'a HeaderMap) -> AdminPolicy<'a> {
    AdminPolicy {
        admin_emails: &state.settings.admin_emails,
        request_id: headers.get("x-request-id").and_then(|v| v.to_str().ok()),
    }
}

/// Prove an address with a mailed link's token: the verification link of a new
/// account (or one asked for again), or the confirmation link of a change of
/// address (the account moves to it, and the old address is told, with a link to
/// undo it). Sessions stay; a fresh token pair (`/api/auth/refresh`) carries the
/// verified address.
#[utoipa::path(post, path = "/api/auth/email/verify", tag = "auth",
    request_body = AddressToken,
    responses(
        (status = 200, body = EmailConfirmed),
        (status = 400, description = "`invalid_token`: unknown, used or expired link, or the account's address changed since it was sent.", body = ErrorBody),
        (status = 409, description = "`email_taken`: another account took the new address meanwhile.", body = ErrorBody),
    ))]
pub async fn verify_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<AddressToken>,
) -> ApiResult<Json<EmailConfirmed>> {
    let policy = admin_policy(&state, &headers);
    Ok(Json(
        accounts::confirm_email(&state.services, body, policy).await?,
    ))
}

/// Undo a change of address with the link mailed to the old address (valid 7 days):
/// the account goes back to it, every session ends, and a password reset link is
/// mailed there (whoever made the change may know the password).
#[utoipa::path(post, path = "/api/auth/email/revert", tag = "auth",
    request_body = AddressToken,
    responses(
        (status = 200, body = EmailConfirmed),
        (status = 400, description = "`invalid_token`: unknown, used or expired link.", body = ErrorBody),
        (status = 409, description = "`email_taken`: another account holds the old address now.", body = ErrorBody),
    ))]
pub async fn revert_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<AddressToken>,
) -> ApiResult<Json<EmailConfirmed>> {
    let policy = admin_policy(&state, &headers);
    Ok(Json(
        accounts::revert_email(&state.services, body, policy).await?,
    ))
}
