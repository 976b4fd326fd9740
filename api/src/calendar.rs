//! The iCalendar feed: `GET /api/calendar/{secret}.ics` serves the user's schedule
//! blocks and due tasks to calendar apps, which cannot send our bearer token, so the
//! unguessable secret in the URL is the credential. Only its SHA-256 is stored: a
//! leaked database does not leak working feed URLs. Rotating replaces it (old URLs
//! answer 404); deleting disables the feed. The format choices are documented in
//! [`maigie_domain::schedule::ical`].

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use maigie_domain::schedule::ical::{self, Due, FeedBlock, FeedTask};
use maigie_store::schedule;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path};
use crate::state::AppState;
use maigie_services::schedule::{exception_of, series_of};

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

fn hash(secret: &str) -> String {
    maigie_domain::hex::hex(&Sha256::digest(secret.as_bytes()))
}

/// Create the feed URL, or rotate it (the previous URL stops working).
#[utoipa::path(post, path = "/api/calendar/token", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = CalendarFeedUrl), (status = 401, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<CalendarFeedUrl>> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    schedule::set_calendar_token(&state.db, user.id, Some(&hash(&secret))).await?;
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
    schedule::set_calendar_token(&state.db, user.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed (RFC 5545). No `Authorization`: the secret in the path is the credential.
#[utoipa::path(get, path = "/api/calendar/{file}", tag = "calendar",
    params(("file" = String, Path, description = "`{secret}.ics`")),
    responses((status = 200, content_type = "text/calendar", body = String),
        (status = 404, description = "Unknown, rotated or disabled secret.", body = ErrorBody)))]
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let secret = file.strip_suffix(".ics").ok_or(ApiError::NotFound)?;
    if secret.is_empty() || secret.len() > 128 {
        return Err(ApiError::NotFound);
    }
    let user_id = schedule::user_by_calendar_token(&state.db, &hash(secret))
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows = schedule::all_blocks(&state.db, user_id).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let mut exceptions: HashMap<_, Vec<_>> = HashMap::new();
    for e in schedule::exceptions_of(&state.db, user_id, &ids).await? {
        exceptions
            .entry(e.block_id)
            .or_default()
            .push(exception_of(&e));
    }
    let mut blocks = Vec::with_capacity(rows.len());
    for row in &rows {
        blocks.push(FeedBlock {
            id: row.id,
            title: row.title.clone(),
            description: row.description.clone(),
            series: series_of(row)?,
            exceptions: exceptions.remove(&row.id).unwrap_or_default(),
            updated_at: row.updated_at,
        });
    }
    let tasks: Vec<FeedTask> = schedule::due_tasks(&state.db, user_id)
        .await?
        .into_iter()
        .filter_map(|t| {
            let due = t.due_at.map(Due::At).or(t.due_date.map(Due::Day))?;
            Some(FeedTask {
                id: t.id,
                title: t.title,
                due,
                updated_at: t.updated_at,
            })
        })
        .collect();
    let body = ical::render(&blocks, &tasks, Utc::now());
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
