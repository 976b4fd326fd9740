//! What MCP requests cost: each JSON-RPC message (one per POST) — and each GET that
//! opens the event stream or DELETE that ends a session — is one request of the
//! user's per-user rate limit, the bucket their REST requests use.

use maigie_store::mcp::McpTokenRow;

use crate::error::ApiError;
use crate::state::AppState;

/// Charges one unit of the token's user's request budget (the bucket of their `tier`,
/// read with the token); over it, a 429 with `Retry-After`. Redis down: the request
/// runs (as for REST).
pub(super) async fn charge(
    state: &AppState,
    token: &McpTokenRow,
    tier: &str,
) -> Result<(), ApiError> {
    let tier = tier.parse().unwrap_or(maigie_domain::Tier::Free);
    match crate::http::rate_limit::charge_user(state, token.user_id, tier, 1).await {
        Ok((0, retry_after_secs)) => Err(ApiError::RateLimited { retry_after_secs }),
        Ok(_) => Ok(()),
        Err(err) => {
            tracing::warn!(error = %err, "rate limiter unavailable; MCP request allowed");
            Ok(())
        }
    }
}
