//! The OpenAPI document: its frame (info, servers, tags, the bearer scheme) here,
//! paths and schemas collected from the handlers by `utoipa-axum`, and the rules every
//! operation follows applied once by [`contract`].

use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Maigie API",
        description = "AI study and productivity assistant. Every error answers \
                       `{\"error\": {\"code\", \"message\", \"details\"}}`; other users' \
                       resources answer 404; every response carries `x-request-id` and \
                       `RateLimit-*` headers. Real-time events: `GET /ws` (see the README).",
    ),
    // Enums only query parameters name (bodies' schemas are collected from the routes).
    components(schemas(
        ErrorBody, ErrorDetail, maigie_domain::tasks::StatusFilter, maigie_domain::tasks::TaskSort,
        maigie_domain::tasks::SortOrder, maigie_domain::goals::GoalStatus, maigie_domain::Priority,
        maigie_domain::resources::ResourceType, maigie_domain::resources::Difficulty,
        maigie_services::schema_enums::ActionStatus, maigie_services::schema_enums::BillingEventStatus,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Registration, sign-in, sessions"),
        (name = "users", description = "The signed-in user's account"),
        (name = "courses", description = "Courses, modules and topics"),
        (name = "goals", description = "Goals and their tasks"),
        (name = "tasks", description = "Tasks, with recurrence"),
        (name = "schedule", description = "Schedule blocks, occurrences, conflicts"),
        (name = "calendar", description = "iCalendar feed"),
        (name = "plans", description = "Weekly plans, daily plans, plan items"),
        (name = "notes", description = "Notes with full-text search"),
        (name = "resources", description = "Resource catalogue and saved resources"),
        (name = "notifications", description = "In-app notifications (reminders and more)"),
        (name = "billing", description = "Stripe Checkout and portal, the subscription, Stripe's webhook"),
        (name = "admin", description = "Administrators: tiers, Stripe events"),
        (name = "analytics", description = "Daily figures computed after each local midnight, and a live summary"),
        (name = "chat", description = "The AI assistant: conversations, streamed answers, actions with confirm and undo"),
        (name = "voice", description = "Speech to text and text to speech (Premium)"),
        (name = "mcp", description = "Tokens for external agents using the MCP endpoint"),
        (name = "ops", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

mod components;
mod contract;
mod examples;
mod operation_ids;

/// The served document: what the handlers declare, with the contract's rules applied.
#[must_use]
pub fn document(collected: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(collected).unwrap_or_else(|_| json!({}));
    doc["servers"] = json!([{
        "url": "/",
        "description": "The server that serves this document",
    }]);
    contract::apply(&mut doc);
    examples::add_request_examples(&mut doc);
    doc
}

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
