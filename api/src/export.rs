//! `GET /api/users/me/export`: all of the user's data as one JSON document
//! ([`maigie_services::accounts::export`]), sent as an attachment.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maigie_services::accounts;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// Download everything you have stored: profile, courses, goals, tasks, schedule,
/// plans, notes, saved resources, conversations, notifications, analytics. Secrets
/// (password hash, tokens) are not included.
#[utoipa::path(get, path = "/api/users/me/export", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{format, exported_at, user, courses, modules, topics, goals, tasks, …}`; sent as an attachment.", body = Object),
        (status = 401, body = ErrorBody),
    ))]
pub async fn export(State(state): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    let now = Utc::now();
    let doc = accounts::export(&state.services, &user.ctx(), now).await?;
    let filename = format!(
        "attachment; filename=\"maigie-export-{}.json\"",
        now.format("%Y%m%d")
    );
    Ok((
        [(header::CONTENT_DISPOSITION, filename)],
        axum::Json(Value::Object(doc)),
    )
        .into_response())
}
