//! Who may use voice, and how much audio this month.

use chrono::{NaiveTime, TimeZone, Utc};
use maigie_domain::Tier;
use maigie_store::agent as log;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::Services;
use crate::chat::send::month_bounds;
use crate::error::{ServiceError, ServiceResult};

/// Seconds of audio this month against the tier's cap.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoiceUsage {
    /// Whether the plan includes voice at all.
    pub allowed: bool,
    /// Seconds heard and spoken this month (UTC calendar month).
    pub seconds_used: f64,
    /// `null`: unlimited.
    pub seconds_limit: Option<u32>,
}

async fn tier(svc: &Services, user_id: Uuid) -> ServiceResult<Tier> {
    Ok(maigie_store::users::tier(&svc.db, user_id)
        .await?
        .parse()
        .unwrap_or(Tier::Free))
}

/// The caller's voice usage this month.
pub async fn usage(svc: &Services, user_id: Uuid) -> ServiceResult<VoiceUsage> {
    let tier = tier(svc, user_id).await?;
    let (month, _) = month_bounds();
    let since = Utc.from_utc_datetime(&month.and_time(NaiveTime::MIN));
    Ok(VoiceUsage {
        allowed: svc.settings.limits.for_tier(tier).voice,
        seconds_used: log::audio_seconds_since(&svc.db, user_id, since).await?,
        seconds_limit: limit(svc, tier),
    })
}

fn limit(svc: &Services, tier: Tier) -> Option<u32> {
    let voice = &svc.settings.voice;
    if tier.is_premium() {
        voice.premium_seconds_per_month
    } else {
        voice.free_seconds_per_month
    }
}

/// The caller may use voice now: their plan has it and the month's seconds are not
/// used up. Asked for before an upload is read, so a refused caller's audio is never
/// read; only [`admit`] makes one.
#[derive(Debug)]
pub struct VoiceAdmission {
    pub(super) user_id: Uuid,
}

/// Refuses voice to a plan without it (402 `tier_limit_reached`) or past the month's
/// seconds (429 `voice_quota_exceeded`), and to a server with no voice providers (503
/// `voice_unavailable`). The tier is read from the account, not the token: a downgrade
/// counts at once.
pub async fn admit(svc: &Services, ctx: &crate::Ctx) -> ServiceResult<VoiceAdmission> {
    super::providers(svc)?;
    check(svc, ctx.user_id).await?;
    Ok(VoiceAdmission {
        user_id: ctx.user_id,
    })
}

async fn check(svc: &Services, user_id: Uuid) -> ServiceResult<()> {
    let tier = tier(svc, user_id).await?;
    if !svc.settings.limits.for_tier(tier).voice {
        return Err(ServiceError::TierLimit {
            limit: "voice",
            allowed: 0,
            tier: tier.as_str().to_owned(),
        });
    }
    let usage = usage(svc, user_id).await?;
    if let Some(cap) = usage.seconds_limit
        && usage.seconds_used >= f64::from(cap)
    {
        return Err(ServiceError::refused(
            429,
            "voice_quota_exceeded",
            format!("This month's {cap} seconds of voice are used up."),
        ));
    }
    Ok(())
}

/// Records seconds of audio once (a retry with the same `request_id` counts nothing).
pub(super) async fn record(
    svc: &Services,
    user_id: Uuid,
    provider_id: &str,
    kind: &str,
    seconds: f32,
    request_id: &str,
) -> ServiceResult<()> {
    let (provider, model) = provider_id.split_once('/').unwrap_or((provider_id, "-"));
    log::record_audio_usage(
        &svc.db,
        &log::AudioUsage {
            user_id,
            conversation_id: None,
            provider,
            model,
            kind,
            audio_seconds: seconds.max(0.0),
            request_id,
        },
    )
    .await?;
    Ok(())
}
