//! The AI agent: tools ([`registry`], [`tools`]), the model turn ([`turn`]) with its
//! context ([`context`]) and offline fallback ([`offline`]), the action steps
//! ([`steps`]), and, with the `worker` feature, the Temporal activities that run them
//! for the `ai_action` and `schedule_generation` workflows (`activities`).
//!
//! A tool calls the same use-cases (`maigie_services`) as the REST handlers, with the
//! user's [`Ctx`] (source `chat` or `mcp`): same validation, same ownership rules,
//! same events and reminder plans, in the same transaction. No HTTP is involved:
//! MCP (in the API) frames the protocol and calls [`tools::run`] too.

#[cfg(feature = "worker")]
pub mod activities;
pub mod context;
pub mod drafting;
mod error;
pub mod exec;
pub mod external;
pub mod offline;
pub mod parameters;
pub mod registry;
pub mod schema;
pub mod steps;
pub mod tools;
pub mod turn;

use std::sync::Arc;

use maigie_domain::{EventKind, Tier};
use maigie_llm::LlmChain;
use maigie_services::{Ctx, Services, Source};
use maigie_store::PgPool;
use maigie_store::agent::CallerRow;
use uuid::Uuid;

/// Everything the agent's activities need.
#[derive(Clone)]
pub struct Agent {
    /// The use-cases the tools call.
    pub services: Services,
    pub llm: Arc<LlmChain>,
    /// The action log, the conversation and the drafts (the agent's own rows).
    pub db: PgPool,
}

impl Agent {
    #[must_use]
    pub fn new(services: Services, llm: Arc<LlmChain>) -> Self {
        let db = services.db.clone();
        Self { services, llm, db }
    }

    /// The user's time zone (UTC when unknown).
    pub async fn zone_of(&self, user_id: Uuid) -> chrono_tz::Tz {
        self.services
            .zone(user_id)
            .await
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    /// Publishes a live event to the user (`chat.*`, `schedule.*`; best effort: the
    /// data is stored anyway).
    pub async fn publish(&self, user_id: Uuid, kind: EventKind, data: &impl serde::Serialize) {
        self.services.publish(user_id, kind, data).await;
    }
}

/// The caller of the use-cases for `user_id` through `source` (with the tier the
/// store has for them now) and their time zone (UTC when unreadable), from one read
/// of the account: what an MCP call needs (an action's turns and tool calls read them
/// with the action, `maigie_store::agent::{action_caller, call}`).
pub async fn caller_for(
    db: &PgPool,
    user_id: Uuid,
    source: Source,
) -> Result<(Ctx, chrono_tz::Tz), maigie_store::StoreError> {
    let (tier, timezone) = maigie_store::users::tier_and_timezone(db, user_id).await?;
    Ok(caller_of(user_id, &CallerRow { tier, timezone }, source))
}

/// The caller and time zone from the account's stored tier and zone names (free and
/// UTC when unreadable).
pub(crate) fn caller_of(user_id: Uuid, stored: &CallerRow, source: Source) -> (Ctx, chrono_tz::Tz) {
    let zone = stored.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let tier = stored.tier.parse().unwrap_or(Tier::Free);
    let ctx = Ctx::new(user_id, tier, source).with_zone(zone);
    (ctx, zone)
}
