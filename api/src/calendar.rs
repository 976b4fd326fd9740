//! The iCalendar feed (`GET /api/calendar/{secret}.ics`) and its secret URL
//! ([`maigie_services::schedule::calendar`]): calendar apps cannot send our bearer
//! token, so the unguessable secret in the URL is the credential.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maigie_services::schedule::calendar;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, delete_token))
        .routes(routes!(feed))
}

/// Where the user's feed is served.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedUrl {
    /// Secret: whoever has it can read the schedule. Shown only now.
    #[schema(example = "https://api.maigie.com/api/calendar/3q2-7wXyZ....ics")]
    pub url: String,
}

/// Create the feed URL, or rotate it (the previous URL stops working).
#[utoipa::path(post, path = "/api/calendar/token", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = CalendarFeedUrl), (status = 401, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<CalendarFeedUrl>> {
    let secret = calendar::rotate_secret(&state.services, &user.ctx()).await?;
    let base = state
        .settings
        .public_base_url
        .as_str()
        .trim_end_matches('/');
    Ok(Json(CalendarFeedUrl {
        url: format!("{base}/api/calendar/{secret}.ics"),
    }))
}

/// Disable the feed.
#[utoipa::path(delete, path = "/api/calendar/token", tag = "calendar", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn delete_token(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    calendar::remove_secret(&state.services, &user.ctx()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed (RFC 5545). No `Authorization`: the secret in the path is the credential.
#[utoipa::path(get, path = "/api/calendar/{file}", tag = "calendar",
    params(("file" = String, Path, description = "`{secret}.ics`")),
    responses((status = 200, content_type = "text/calendar", body = String),
        (status = 404, description = "Unknown, rotated or disabled secret.", body = ErrorBody)))]
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let secret = file.strip_suffix(".ics").ok_or(ApiError::NotFound)?;
    let body = calendar::feed(&state.services, secret, Utc::now()).await?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    // The URL is a credential: keep responses out of shared caches.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(response)
}
