//! The AI agent: tools ([`registry`], [`tools`]), the model turn ([`turn`]) with its
//! context ([`context`]) and offline fallback ([`offline`]), the action steps and undo
//! ([`steps`]), and the Temporal activities that run them for the `ai_action` workflow
//! ([`activities`]).
//!
//! The worker builds an [`Agent`] from the same [`AppState`] as the API, so a tool call
//! goes through the API's own router: same validation, same ownership rules, same
//! events and reminder updates as the REST call a user would make.

pub mod activities;
pub mod context;
pub mod drafting;
pub mod exec;
pub mod offline;
pub mod registry;
pub mod schema;
pub mod steps;
pub mod tools;
pub mod turn;

use std::sync::Arc;

use axum::Router;
use maigie_domain::Tier;
use maigie_llm::LlmChain;
use serde_json::Value;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// Everything the agent's activities (and MCP) need.
#[derive(Clone)]
pub struct Agent {
    pub state: AppState,
    /// The API's routes without the public edge layers (rate limits, CORS): tools call it.
    pub router: Router,
    pub llm: Arc<LlmChain>,
}

impl Agent {
    #[must_use]
    pub fn new(state: AppState, llm: Arc<LlmChain>) -> Self {
        let router = crate::tool_router(state.clone());
        Self { state, router, llm }
    }

    /// A short-lived access token of the user, for the in-process tool calls.
    pub async fn token_for(&self, user_id: Uuid) -> Result<String, ApiError> {
        let tier = maigie_store::users::tier(&self.state.db, user_id).await?;
        let tier: Tier = tier.parse().unwrap_or(Tier::Free);
        Ok(self.state.jwt.issue(user_id, tier)?.0)
    }

    /// The user's time zone (UTC when unknown).
    pub async fn zone_of(&self, user_id: Uuid) -> chrono_tz::Tz {
        maigie_store::users::timezone(&self.state.db, user_id)
            .await
            .ok()
            .and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    /// Publishes a live event to the user (best effort: the data is stored anyway).
    pub async fn publish(&self, user_id: Uuid, kind: &str, data: Value) {
        let event = maigie_domain::UserEvent {
            user_id,
            kind: kind.to_owned(),
            data,
        };
        if let Err(err) = self.state.events.publish(&event).await {
            tracing::warn!(%user_id, kind, error = %err, "could not publish an agent event");
        }
    }
}
