//! `/api/chat`: conversations with the assistant, messages answered by a durable
//! `ai_action` workflow and streamed back ([`send`]), the actions' log with confirm,
//! reject and undo ([`actions`]), and usage against the tier's allowance ([`usage`]).

pub mod actions;
pub mod send;
pub mod usage;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maigie_store::chat::{self, ConversationChange, ConversationRow, MessageRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extractor::AuthUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Path, Query};
use crate::pagination;
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

/// What a conversation can be about.
const CONTEXTS: [&str; 7] = [
    "course",
    "goal",
    "task",
    "note",
    "daily_plan",
    "weekly_plan",
    "schedule_block",
];

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: Uuid,
    pub title: Option<String>,
    /// course, goal, task, note, daily_plan, weekly_plan or schedule_block.
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
    pub last_message_at: DateTime<Utc>,
    /// History before this moment is hidden (cleared).
    pub cleared_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ConversationRow> for ConversationView {
    fn from(r: ConversationRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            context_type: r.context_type,
            context_id: r.context_id,
            last_message_at: r.last_message_at,
            cleared_at: r.cleared_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A message of a conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    /// user, assistant or tool.
    pub role: String,
    pub content: String,
    /// The assistant's tool calls (OpenAI shape).
    #[schema(value_type = Option<Object>)]
    pub tool_calls: Option<Value>,
    pub tool_call_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<MessageRow> for MessageView {
    fn from(r: MessageRow) -> Self {
        Self {
            id: r.id,
            role: r.role,
            content: r.content,
            tool_calls: r.tool_calls,
            tool_call_id: r.tool_call_id,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<ConversationView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub items: Vec<MessageView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageParams {
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversation {
    /// 1–200 characters; default: the start of the first message.
    pub title: Option<String>,
    /// What the conversation is about: course, goal, task, note, daily_plan, weekly_plan
    /// or schedule_block (one of yours, given as `context_id`).
    pub context_type: Option<String>,
    pub context_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameConversation {
    /// 1–200 characters.
    pub title: String,
}

fn title(raw: &str) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(ApiError::invalid_field(
            "title",
            "invalid_length",
            "must be 1–200 characters",
        ));
    }
    Ok(t.to_owned())
}

/// List conversations, most recently active first.
#[utoipa::path(get, path = "/api/chat/conversations", tag = "chat", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = ConversationPage), (status = 400, body = ErrorBody)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<PageParams>,
) -> ApiResult<Json<ConversationPage>> {
    let limit = pagination::limit(q.limit)?;
    let after = q.cursor.as_deref().map(pagination::decode).transpose()?;
    let rows = chat::list_conversations(&state.db, user.id, after, limit).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.last_message_at, r.id));
    Ok(Json(ConversationPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
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
    let title = body.title.as_deref().map(title).transpose()?;
    let context = match (body.context_type.as_deref(), body.context_id) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ApiError::invalid_field(
                "context_type",
                "required",
                "is required with context_id",
            ));
        }
        (Some(kind), _) if !CONTEXTS.contains(&kind) => {
            return Err(ApiError::invalid_field(
                "context_type",
                "unknown_value",
                format!("must be one of {}", CONTEXTS.join(", ")),
            ));
        }
        (Some(kind), id) => {
            if let Some(id) = id {
                let exists = maigie_store::snapshot::snapshot(&state.db, kind, user.id, id)
                    .await
                    .map_err(ApiError::internal)?;
                if exists.is_none() {
                    return Err(ApiError::invalid_field(
                        "context_id",
                        "not_found",
                        format!("No such {kind} of yours."),
                    ));
                }
            }
            Some((kind, id))
        }
    };
    let row = chat::create_conversation(&state.db, user.id, title.as_deref(), context).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
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
        chat::get_conversation(&state.db, user.id, id).await?.into(),
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
    let title = title(&body.title)?;
    Ok(Json(
        chat::update_conversation(
            &state.db,
            user.id,
            id,
            ConversationChange {
                title: Some(&title),
                clear: false,
            },
        )
        .await?
        .into(),
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
    chat::delete_conversation(&state.db, user.id, id).await?;
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
        chat::update_conversation(
            &state.db,
            user.id,
            id,
            ConversationChange {
                title: None,
                clear: true,
            },
        )
        .await?
        .into(),
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
    chat::get_conversation(&state.db, user.id, id).await?;
    let limit = pagination::limit(q.limit)?;
    let before = q.cursor.as_deref().map(pagination::decode).transpose()?;
    let rows = chat::history(&state.db, user.id, id, before, limit).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    Ok(Json(MessagePage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}
