//! `GET /api/users/me/usage` (see [`maigie_services::chat::usage`]).

use axum::extract::State;
pub use maigie_services::chat::usage::{ConversationUsage, ProviderUsage, Usage};

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::Json;
use crate::state::AppState;

/// Your AI usage this month.
#[utoipa::path(get, path = "/api/users/me/usage", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Usage), (status = 401, body = ErrorBody)))]
pub async fn my_usage(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Usage>> {
    Ok(Json(
        maigie_services::chat::usage::usage(&state.services, &user.ctx()).await?,
    ))
}
