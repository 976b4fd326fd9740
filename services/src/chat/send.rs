//! Sending a message to the assistant: the message is counted against the month's
//! allowance, stored, and its `ai_action` workflow recorded for start — all in one
//! transaction, so a message that is refused or fails to store counts nothing, and a
//! stored one always gets its answer (the start is retried by the outbox relay when
//! Temporal is down).

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use maigie_store::agent as log;
use maigie_store::chat::{self, NewMessage};
use maigie_workflows::ai_action::{self, AiActionInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Replace, Services, Work};

/// A message is at most this long.
const CONTENT_MAX: usize = 8_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// 1–8,000 characters.
    #[schema(example = "Add a task to revise chapter 3 tomorrow at 5pm")]
    pub content: String,
}

/// The first event of the stream (and the JSON answer when SSE was not asked for).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageAccepted {
    pub action_id: Uuid,
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    /// The Temporal workflow running the action (inspect it in the Temporal UI).
    pub workflow_id: String,
}

/// The first day of the month of `now` (UTC) and the instant the next one starts.
#[must_use]
pub fn month_bounds() -> (NaiveDate, chrono::DateTime<Utc>) {
    let today = Utc::now().date_naive();
    let start = today.with_day(1).unwrap_or(today);
    let next = start
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(start);
    let resets = Utc.from_utc_datetime(&next.and_time(chrono::NaiveTime::MIN));
    (start, resets)
}

/// Counts one unit of the month's AI allowance (a message, or a generated schedule
/// draft) in the transaction, or refuses it when the tier's allowance is used up. The
/// tier is read from the account, not the token (a downgrade counts at once).
pub(crate) async fn count(svc: &Services, work: &mut Work, user_id: Uuid) -> ServiceResult<()> {
    let tier = maigie_store::users::tier(work.conn(), user_id)
        .await?
        .parse()
        .unwrap_or(maigie_domain::Tier::Free);
    let limit = svc.settings.limits.for_tier(tier).ai_messages_per_month;
    let (month, resets_at) = month_bounds();
    let allowed = limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX));
    match log::count_message(work.conn(), user_id, month, allowed).await? {
        Some(_) => Ok(()),
        None => Err(ServiceError::QuotaExceeded {
            limit: limit.unwrap_or(0),
            resets_at,
        }),
    }
}

fn content(body: &SendMessage) -> ServiceResult<&str> {
    let content = body.content.trim();
    if content.is_empty() || content.chars().count() > CONTENT_MAX {
        return Err(ServiceError::invalid_field(
            "content",
            "invalid_length",
            "must be 1–8000 characters",
        ));
    }
    Ok(content)
}

/// Titles an untitled conversation after its first message (its first 60 characters).
pub(crate) async fn title_after(
    conn: &mut maigie_store::PgConnection,
    user_id: Uuid,
    id: Uuid,
    content: &str,
) -> ServiceResult<()> {
    let title: String = content.chars().take(60).collect();
    chat::title_if_untitled(conn, user_id, id, title.trim()).await?;
    Ok(())
}

/// Sends a message in conversation `id`; the answer follows as `chat.*` events.
pub async fn send(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: &SendMessage,
) -> ServiceResult<MessageAccepted> {
    let content = content(body)?;
    chat::get_conversation(&svc.db, ctx.user_id, id).await?;
    let mut work = svc.begin().await?;
    count(svc, &mut work, ctx.user_id).await?;
    let new = NewMessage {
        conversation_id: id,
        role: "user",
        content,
        ..NewMessage::default()
    };
    let message = chat::add_message_on(work.conn(), ctx.user_id, &new).await?;
    title_after(work.conn(), ctx.user_id, id, content).await?;
    let action_id = Uuid::new_v4();
    let workflow_id = ai_action::ai_action_workflow_id(action_id);
    log::create_action(
        work.conn(),
        action_id,
        ctx.user_id,
        Some(id),
        Some(message.id),
        "chat",
        Some(&workflow_id),
    )
    .await?;
    let agent = &svc.settings.agent;
    let input = AiActionInput {
        action_id,
        user_id: ctx.user_id,
        max_turns: agent.max_turns,
        confirm_timeout_secs: agent.confirm_timeout.as_secs(),
    };
    work.start_workflow(
        Some(ctx.user_id),
        ai_action::WORKFLOW_NAME,
        &workflow_id,
        &input,
        Replace::Never,
    )
    .await?;
    work.commit(svc).await?;
    Ok(MessageAccepted {
        action_id,
        message_id: message.id,
        conversation_id: id,
        workflow_id,
    })
}
