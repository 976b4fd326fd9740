//! One-time codes: what the callback hands a client app instead of tokens, and
//! `POST /api/auth/oauth/exchange`, where the app trades one for a session.
//!
//! A code is 256 random bits, lives `OAUTH_CODE_TTL_SECS` (60 s by default), and is
//! stored under its SHA-256 only (a Redis dump holds no usable code) with the user,
//! the client's PKCE challenge and the redirect URI it was sent to. It is taken
//! with GETDEL before anything is checked, so every presentation spends it: a code
//! read from a URL by someone else is useless without the app's verifier, and a
//! wrong guess at the verifier cannot be retried.

use axum::extract::State;
use maigie_store::users;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::authorize::ClientRequest;
use super::{OAuthError, random_token, s256, settings, unavailable};
use crate::auth::session::{self, AuthResponse, ClientInfo};
use crate::error::{ApiResult, ErrorBody};
use crate::http::extract::Json;
use crate::state::AppState;

/// What a one-time code stands for.
#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    user_id: Uuid,
    code_challenge: String,
    redirect_uri: String,
}

fn code_key(state: &AppState, code: &str) -> String {
    state.redis_key(&format!("oauth:code:{}", s256(code)))
}

/// Stores a new one-time code for `user_id`, bound to what `client` asked for.
pub(super) async fn issue(
    state: &AppState,
    user_id: Uuid,
    client: &ClientRequest,
) -> ApiResult<String> {
    let ttl = settings(state)?.code_ttl.as_secs().max(1);
    let code = random_token();
    let grant = Grant {
        user_id,
        code_challenge: client.code_challenge.clone(),
        redirect_uri: client.redirect_uri.clone(),
    };
    let value = serde_json::to_string(&grant).map_err(crate::error::ApiError::internal)?;
    let mut redis = state.redis.clone();
    redis
        .set_ex::<_, _, ()>(code_key(state, &code), value, ttl)
        .await
        .map_err(unavailable)?;
    Ok(code)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRequest {
    /// The `code` the callback added to your redirect URI.
    pub code: String,
    /// The PKCE verifier whose S256 challenge you sent to `authorize`.
    #[schema(example = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")]
    pub code_verifier: String,
    /// If given, must be the redirect URI the code was sent to.
    pub redirect_uri: Option<String>,
}

/// Trade a one-time sign-in code (from Google sign-in with a `redirect_uri`) and its
/// PKCE verifier for a session. The code is spent by this call whatever its outcome.
#[utoipa::path(post, path = "/api/auth/oauth/exchange", tag = "auth",
    request_body = ExchangeRequest,
    responses(
        (status = 200, body = AuthResponse),
        (status = 400, description = "Unknown, expired or used code, or a verifier or redirect URI that does not match (`oauth_invalid_code`).", body = ErrorBody),
        (status = 404, description = "Google sign-in not configured (`oauth_provider_disabled`).", body = ErrorBody),
    ))]
pub async fn exchange(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(body): Json<ExchangeRequest>,
) -> ApiResult<Json<AuthResponse>> {
    settings(&state)?;
    let mut redis = state.redis.clone();
    let stored: Option<String> = redis
        .get_del(code_key(&state, &body.code))
        .await
        .map_err(unavailable)?;
    let grant: Grant = stored
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .ok_or(OAuthError::InvalidCode(
            "The code is unknown, expired or already used; sign in again.",
        ))?;
    // Comparing digests: a timing difference tells nothing about the verifier.
    if s256(&body.code_verifier) != grant.code_challenge {
        return Err(OAuthError::InvalidCode(
            "The code_verifier does not match the code_challenge; sign in again.",
        )
        .into());
    }
    if body
        .redirect_uri
        .as_deref()
        .is_some_and(|given| !same_uri(given, &grant.redirect_uri))
    {
        return Err(OAuthError::InvalidCode(
            "The redirect_uri is not the one the code was sent to; sign in again.",
        )
        .into());
    }
    let user =
        users::find_by_id(&state.db, grant.user_id)
            .await?
            .ok_or(OAuthError::InvalidCode(
                "The account of this code no longer exists.",
            ))?;
    Ok(Json(session::start(&state, &user, client.client()).await?))
}

/// The same URI once normalised, as the allow-list compares them.
fn same_uri(given: &str, stored: &str) -> bool {
    match (url::Url::parse(given), url::Url::parse(stored)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
