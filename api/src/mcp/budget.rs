//! What MCP messages cost: each JSON-RPC message — one by one inside a batch — is one
//! request of the user's per-user rate limit (the bucket their REST requests use), so
//! a batch of 20 tool calls costs 20, not one HTTP request.

use maigie_store::mcp::McpTokenRow;
use serde_json::{Value, json};

use super::rpc_error;
use crate::error::ApiError;
use crate::state::AppState;

/// JSON-RPC error code of a message over the user's request budget (server-defined
/// range; 429 in it). The HTTP answer stays 200 when some message of the batch ran.
const RATE_LIMITED: i64 = -32029;

/// Charges every message one unit of the user's request budget and answers how many,
/// from the first, may run (and the wait for the next). When none may, the whole
/// request is a 429 with `Retry-After`. Redis down: all run (as for REST).
pub(super) async fn charge(
    state: &AppState,
    token: &McpTokenRow,
    units: usize,
) -> Result<(usize, u64), ApiError> {
    let tier = maigie_store::users::tier(&state.db, token.user_id)
        .await?
        .parse()
        .unwrap_or(maigie_domain::Tier::Free);
    let asked = u32::try_from(units).unwrap_or(u32::MAX);
    match crate::http::rate_limit::charge_user(state, token.user_id, tier, asked).await {
        Ok((0, retry_after_secs)) => Err(ApiError::RateLimited { retry_after_secs }),
        Ok((granted, retry)) => Ok((usize::try_from(granted).unwrap_or(units), retry)),
        Err(err) => {
            tracing::warn!(error = %err, "rate limiter unavailable; MCP messages allowed");
            Ok((units, 0))
        }
    }
}

/// The answer to a message past the budget (none for a notification: it is dropped).
pub(super) fn over(m: &Value, retry_after_secs: u64) -> Option<Value> {
    let id = m.get("id")?;
    let mut error = rpc_error(
        id,
        RATE_LIMITED,
        &format!("Too many requests; retry in {retry_after_secs} s."),
    );
    error["error"]["data"] = json!({"code": "rate_limited", "retry_after_secs": retry_after_secs});
    Some(error)
}
