//! This month's AI messages against the tier's allowance, and the tokens each model
//! provider and conversation used.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use maigie_domain::Tier;
use maigie_store::agent as log;
use serde::Serialize;
use utoipa::ToSchema;

use super::send::month_bounds;
use crate::error::ServiceResult;
use crate::{Ctx, Services};

/// Tokens one provider used this month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderUsage {
    /// The provider's host (e.g. `api.openai.com`); the offline assistant uses none.
    pub provider: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Model calls.
    pub calls: i64,
}

/// Tokens used this month for one purpose.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindUsage {
    /// `chat` (the assistant's turns), `schedule_generation` (a draft's explanation), or
    /// `stt` / `tts` (voice: calls here, seconds under `voice`).
    #[schema(value_type = crate::schema_enums::UsageKind)]
    pub kind: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Model calls.
    pub calls: i64,
}

/// Tokens one conversation used this month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationUsage {
    pub conversation_id: uuid::Uuid,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// AI usage this month (UTC calendar month).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Usage {
    #[schema(value_type = maigie_domain::Tier)]
    pub tier: String,
    pub period_start: DateTime<Utc>,
    /// When the allowance resets.
    pub resets_at: DateTime<Utc>,
    /// Messages and generated schedule drafts counted this month.
    pub ai_messages_used: i32,
    /// `null`: unlimited.
    pub ai_messages_limit: Option<u32>,
    pub tokens: Vec<ProviderUsage>,
    /// The same tokens by what they were for.
    pub kinds: Vec<KindUsage>,
    /// The 20 conversations that used the most tokens.
    pub conversations: Vec<ConversationUsage>,
    /// Seconds of audio heard and spoken, against the plan's monthly cap.
    pub voice: crate::voice::VoiceUsage,
}

/// The caller's AI usage this month.
pub async fn usage(svc: &Services, ctx: &Ctx) -> ServiceResult<Usage> {
    let tier: Tier = maigie_store::users::tier(&svc.db, ctx.user_id)
        .await?
        .parse()
        .unwrap_or(Tier::Free);
    let (month, resets_at) = month_bounds();
    let period_start = Utc.from_utc_datetime(&month.and_time(NaiveTime::MIN));
    let used = log::messages_counted(&svc.db, ctx.user_id, month).await?;
    let tokens = log::usage_by_provider(&svc.db, ctx.user_id, period_start)
        .await?
        .into_iter()
        .map(
            |(provider, prompt_tokens, completion_tokens, calls)| ProviderUsage {
                provider,
                prompt_tokens,
                completion_tokens,
                calls,
            },
        )
        .collect();
    let kinds = log::usage_by_kind(&svc.db, ctx.user_id, period_start)
        .await?
        .into_iter()
        .map(
            |(kind, prompt_tokens, completion_tokens, calls)| KindUsage {
                kind,
                prompt_tokens,
                completion_tokens,
                calls,
            },
        )
        .collect();
    let conversations = log::usage_by_conversation(&svc.db, ctx.user_id, period_start)
        .await?
        .into_iter()
        .map(
            |(conversation_id, prompt_tokens, completion_tokens)| ConversationUsage {
                conversation_id,
                prompt_tokens,
                completion_tokens,
            },
        )
        .collect();
    let voice = crate::voice::usage(svc, ctx.user_id).await?;
    Ok(Usage {
        voice,
        tier: tier.as_str().to_owned(),
        period_start,
        resets_at,
        ai_messages_used: used,
        ai_messages_limit: svc.settings.limits.for_tier(tier).ai_messages_per_month,
        tokens,
        kinds,
        conversations,
    })
}
