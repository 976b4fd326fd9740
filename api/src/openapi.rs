//! The OpenAPI document's frame: info, tags and the bearer scheme. Paths and schemas
//! are collected from the handlers by `utoipa-axum`.

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
    components(schemas(ErrorBody, ErrorDetail)),
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
        (name = "mcp", description = "Tokens for external agents using the MCP endpoint"),
        (name = "ops", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

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
