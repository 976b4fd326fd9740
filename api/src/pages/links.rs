//! The pages the account mails link to when no client app is configured
//! (`APP_BASE_URL` defaults to the API itself): `/reset-password`, `/verify-email`,
//! `/revert-email`. Each `GET` shows a form and changes nothing (mail scanners open
//! links); its `POST` (a plain HTML form, no script) runs the same use-case as the
//! JSON endpoint and shows what happened.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use maigie_services::ServiceError;
use maigie_services::accounts::{self, AccountError, AddressToken, ResetPassword};
use serde::Deserialize;

use super::{escape, layout};
use crate::auth::recovery::admin_policy;
use crate::state::AppState;

pub const RESET_PATH: &str = "/reset-password";
pub const VERIFY_PATH: &str = "/verify-email";
pub const REVERT_PATH: &str = "/revert-email";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(RESET_PATH, get(reset_form).post(reset))
        .route(VERIFY_PATH, get(verify_form).post(verify))
        .route(REVERT_PATH, get(revert_form).post(revert))
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    (
        status,
        Html(layout(title, &format!("<h1>{}</h1>{body}", escape(title)))),
    )
        .into_response()
}

/// A form posting `token` back to `action`, with `fields` before its button.
fn token_form(action: &str, token: &str, fields: &str, button: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">{fields}\
         <p><button type=\"submit\">{}</button></p></form>",
        escape(token),
        escape(button)
    )
}

/// What a failed use-case tells the person at the page.
fn failure(err: AccountError) -> Response {
    let (status, message) = match err {
        AccountError::Service(ServiceError::BadRequest { message, .. }) => {
            (StatusCode::BAD_REQUEST, message)
        }
        AccountError::Service(ServiceError::Invalid(fields)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        AccountError::Service(ServiceError::Conflict { message, .. }) => {
            (StatusCode::CONFLICT, message)
        }
        other => {
            tracing::error!(error = %other, "account link page failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Something went wrong on our side. Try the link again in a moment.".to_owned(),
            )
        }
    };
    page(
        status,
        "That did not work",
        &format!("<p>{}</p>", escape(&message)),
    )
}

async fn reset_form(Query(q): Query<TokenQuery>) -> Response {
    let fields = "<p><label>New password (8 to 128 characters)<br>\
                  <input type=\"password\" name=\"new_password\" minlength=\"8\" \
                  maxlength=\"128\" autocomplete=\"new-password\" required></label></p>";
    let body = token_form(RESET_PATH, &q.token, fields, "Set the new password");
    page(StatusCode::OK, "Choose a new password", &body)
}

async fn reset(State(state): State<AppState>, Form(form): Form<ResetForm>) -> Response {
    let body = ResetPassword {
        token: form.token,
        new_password: form.new_password,
    };
    match accounts::reset_password(&state.services, &state.passwords, body).await {
        Ok(()) => page(
            StatusCode::OK,
            "Your password is set",
            "<p>Every device signed in to your account was signed out. Sign in again \
             with the new password.</p>",
        ),
        Err(err) => failure(err),
    }
}

async fn verify_form(Query(q): Query<TokenQuery>) -> Response {
    let body = token_form(VERIFY_PATH, &q.token, "", "Confirm my address");
    page(StatusCode::OK, "Confirm your e-mail address", &body)
}

async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenQuery>,
) -> Response {
    let token = AddressToken { token: form.token };
    match accounts::confirm_email(&state.services, token, admin_policy(&state, &headers)).await {
        Ok(done) => page(
            StatusCode::OK,
            "Address confirmed",
            &format!(
                "<p>Your account's address is <strong>{}</strong>, and it is verified.</p>",
                escape(&done.email)
            ),
        ),
        Err(err) => failure(err),
    }
}

async fn revert_form(Query(q): Query<TokenQuery>) -> Response {
    let body = token_form(REVERT_PATH, &q.token, "", "Undo the change of address");
    page(StatusCode::OK, "Undo the change of address", &body)
}

async fn revert(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenQuery>,
) -> Response {
    let token = AddressToken { token: form.token };
    match accounts::revert_email(&state.services, token, admin_policy(&state, &headers)).await {
        Ok(done) => page(
            StatusCode::OK,
            "The change is undone",
            &format!(
                "<p>Your account's address is <strong>{}</strong> again, and every device \
                 was signed out. We mailed a link there to choose a new password.</p>",
                escape(&done.email)
            ),
        ),
        Err(err) => failure(err),
    }
}
