//! `/api/chat`: conversations with the assistant, messages answered by a durable
//! `ai_action` workflow and streamed back ([`send`]), the actions' log with confirm,
//! reject and undo ([`actions`]), and usage against the tier's allowance ([`usage`]).
//! The rules live in [`maigie_services::chat`]; these handlers extract, call and
//! answer (and stream).

pub mod actions;
pub mod send;
pub mod usage;

use axum::extract::State;
use axum::http::StatusCode;
use maigie_services::chat;
pub use maigie_services::chat::{
    ConversationPage, ConversationView, CreateConversation, MessagePage, MessageView, PageParams,
    RenameConversation,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations, create_conversation))
        .routes(routes!(
            get_conversation,
            rename_conversation,
            delete_conversation
        ))
        .routes(routes!(clear_conversation))
        .routes(routes!(history, send::send_message))
        .routes(routes!(actions::list_actions))
        .routes(routes!(actions::get_action))
        .routes(routes!(actions::confirm_action))
        .routes(routes!(actions::reject_action))
        .routes(routes!(actions::undo_action))
        .routes(routes!(usage::my_usage))
}

/// List conversations, most recently active first.
#[utoipa::path(get, path = "/api/chat/conversations", tag = "chat", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = ConversationPage), (status = 400, body = ErrorBody)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<PageParams>,
) -> ApiResult<Json<ConversationPage>> {
    Ok(Json(
        chat::list_conversations(&state.services, &user.ctx(), q).await?,
    ))
}

/// Start a conversation, optionally about one of your courses, goals, plans…
#[utoipa::path(post, path = "/api/chat/conversations", tag = "chat", security(("bearer" = [])),
    request_body = CreateConversation,
    responses((status = 201, body = ConversationView), (status = 422, body = ErrorBody)))]
pub async fn create_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<CreateConversation>,
) -> ApiResult<(StatusCode, Json<ConversationView>)> {
    let view = chat::create_conversation(&state.services, &user.ctx(), body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One conversation.
#[utoipa::path(get, path = "/api/chat/conversations/{id}", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)))]
pub async fn get_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(
        chat::get_conversation(&state.services, &user.ctx(), id).await?,
    ))
}

/// Rename a conversation.
#[utoipa::path(patch, path = "/api/chat/conversations/{id}", tag = "chat", security(("bearer" = [])),
    request_body = RenameConversation,
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Json(body): Json<RenameConversation>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(
        chat::rename_conversation(&state.services, &user.ctx(), id, body).await?,
    ))
}

/// Delete a conversation and its messages (the action log stays, so undo still works).
#[utoipa::path(delete, path = "/api/chat/conversations/{id}", tag = "chat", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    chat::delete_conversation(&state.services, &user.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Clear the history (hidden from you and from the assistant's context).
#[utoipa::path(post, path = "/api/chat/conversations/{id}/clear", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)))]
pub async fn clear_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(
        chat::clear_conversation(&state.services, &user.ctx(), id).await?,
    ))
}

/// The history, newest first, a page at a time.
#[utoipa::path(get, path = "/api/chat/conversations/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, body = MessagePage), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PageParams>,
) -> ApiResult<Json<MessagePage>> {
    Ok(Json(
        chat::history(&state.services, &user.ctx(), id, q).await?,
    ))
}
