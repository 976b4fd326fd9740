//! Closed sets of values that travel as strings (a database `CHECK`, a Stripe state,
//! a token scope) described as enums in the OpenAPI document, so generated clients
//! get real types. Only the document uses them: the values are parsed and produced
//! where they live; each list here mirrors the named constraint.

use utoipa::ToSchema;

/// An AI action's state (`ai_actions_status_check`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ActionStatus {
    Pending,
    AwaitingConfirmation,
    Running,
    Completed,
    Failed,
    Rejected,
    Expired,
    Undone,
}

/// One tool call's state (`ai_action_steps` status check).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Running,
    Completed,
    Failed,
    Skipped,
    Undone,
}

/// Who started an AI action.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ActionSource {
    Chat,
    Voice,
    Mcp,
}

/// Where a chat message came from (`chat_messages_source_check`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum MessageSource {
    Chat,
    Voice,
    Mcp,
}

/// The author of a chat message (`chat_messages_role_check`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum MessageRole {
    User,
    Assistant,
    System,
    Tool,
}

/// What model tokens were spent on.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum UsageKind {
    Chat,
    ScheduleGeneration,
    /// Speech to text (seconds in the voice usage, not tokens).
    Stt,
    /// Text to speech.
    Tts,
}

/// A subscription's state as the API shows it (`subscriptions_status_check`, and
/// `none` before any subscription).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    None,
    Incomplete,
    Active,
    PastDue,
    Canceled,
    Expired,
}

/// A recorded Stripe event's state (`billing_events_status_check`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum BillingEventStatus {
    Received,
    Processed,
    Ignored,
    Failed,
}

/// A plan that can be bought.
#[derive(ToSchema)]
#[schema(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaidPlan {
    PremiumMonthly,
    PremiumYearly,
}

/// A generated schedule draft's state.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DraftStatus {
    Generating,
    Ready,
    Accepted,
    Discarded,
    Failed,
}

/// What an MCP token may do.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum McpScope {
    Read,
    Write,
    Delete,
}
