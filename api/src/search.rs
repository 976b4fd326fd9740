//! `GET /api/search`: hybrid search over the user's knowledge (full-text rank and
//! meaning, fused). The rules live in [`maigie_services::knowledge::search`].

use axum::extract::State;
use maigie_services::knowledge::search;
pub use maigie_services::knowledge::search::{SearchHit, SearchMode, SearchPage, SearchParams};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_knowledge))
}

/// Search your knowledge — notes, tasks, goals, courses, modules, topics and the
/// resources you added — by words and by meaning: "how do plants make food" finds the
/// note that says "chlorophyll turns light into sugar". One result per item (its best
/// passage), best first, with a highlighted snippet. `mode` in the answer says how it
/// was ranked: `fulltext` when meaning could not be used (the embedding provider is
/// down). Words match the moment an item is written; meaning a few seconds later.
#[utoipa::path(get, path = "/api/search", tag = "search", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search_knowledge(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<SearchPage>> {
    let page = search::search(&state.services, &user.ctx(), p).await?;
    Ok(Json(page))
}
