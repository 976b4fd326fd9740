//! Conversations: list, start (optionally about one of the user's things), rename,
//! clear, delete, and their history.

use maigie_store::chat::{self, ConversationChange};
use uuid::Uuid;

use super::{
    CONTEXTS, ConversationPage, ConversationView, CreateConversation, MessagePage, PageParams,
    RenameConversation, title,
};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services, pagination};

/// The user's conversations, most recently active first.
pub async fn list_conversations(
    svc: &Services,
    ctx: &Ctx,
    q: PageParams,
) -> ServiceResult<ConversationPage> {
    let limit = pagination::limit(q.limit)?;
    let after = q.cursor.as_deref().map(pagination::decode).transpose()?;
    let rows = chat::list_conversations(&svc.db, ctx.user_id, after, limit).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.last_message_at, r.id));
    Ok(ConversationPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

/// The context a conversation is about, checked: a known kind, and one of the user's.
async fn context(
    svc: &Services,
    ctx: &Ctx,
    body: &CreateConversation,
) -> ServiceResult<Option<(String, Option<Uuid>)>> {
    match (body.context_type.as_deref(), body.context_id) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ServiceError::invalid_field(
            "context_type",
            "required",
            "is required with context_id",
        )),
        (Some(kind), _) if !CONTEXTS.contains(&kind) => Err(ServiceError::invalid_field(
            "context_type",
            "unknown_value",
            format!("must be one of {}", CONTEXTS.join(", ")),
        )),
        (Some(kind), id) => {
            if let Some(id) = id {
                let exists = maigie_store::snapshot::snapshot(&svc.db, kind, ctx.user_id, id)
                    .await
                    .map_err(ServiceError::internal)?;
                if exists.is_none() {
                    return Err(ServiceError::invalid_field(
                        "context_id",
                        "not_found",
                        format!("No such {kind} of yours."),
                    ));
                }
            }
            Ok(Some((kind.to_owned(), id)))
        }
    }
}

/// Starts a conversation, optionally about one of the user's courses, goals, plans…
pub async fn create_conversation(
    svc: &Services,
    ctx: &Ctx,
    body: CreateConversation,
) -> ServiceResult<ConversationView> {
    let title = body.title.as_deref().map(title).transpose()?;
    let about = context(svc, ctx, &body).await?;
    let about = about.as_ref().map(|(kind, id)| (kind.as_str(), *id));
    let row = chat::create_conversation(&svc.db, ctx.user_id, title.as_deref(), about).await?;
    Ok(row.into())
}

/// One conversation.
pub async fn get_conversation(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
) -> ServiceResult<ConversationView> {
    Ok(chat::get_conversation(&svc.db, ctx.user_id, id)
        .await?
        .into())
}

/// Renames a conversation.
pub async fn rename_conversation(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: RenameConversation,
) -> ServiceResult<ConversationView> {
    let title = title(&body.title)?;
    let change = ConversationChange {
        title: Some(&title),
        clear: false,
    };
    Ok(chat::update_conversation(&svc.db, ctx.user_id, id, change)
        .await?
        .into())
}

/// Deletes a conversation and its messages (the action log stays, so undo works).
pub async fn delete_conversation(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    Ok(chat::delete_conversation(&svc.db, ctx.user_id, id).await?)
}

/// Clears the history (hidden from the user and from the assistant's context).
pub async fn clear_conversation(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
) -> ServiceResult<ConversationView> {
    let change = ConversationChange {
        title: None,
        clear: true,
    };
    Ok(chat::update_conversation(&svc.db, ctx.user_id, id, change)
        .await?
        .into())
}

/// The history, newest first, a page at a time.
pub async fn history(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    q: PageParams,
) -> ServiceResult<MessagePage> {
    chat::get_conversation(&svc.db, ctx.user_id, id).await?;
    let limit = pagination::limit(q.limit)?;
    let before = q.cursor.as_deref().map(pagination::decode).transpose()?;
    let rows = chat::history(&svc.db, ctx.user_id, id, before, limit).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    Ok(MessagePage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}
