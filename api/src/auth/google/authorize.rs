//! `GET /api/auth/oauth/google/authorize`: the start of the dance.
//!
//! Our PKCE verifier is stored under a random `state` in Redis (10 minutes, single
//! use). A client app that wants the user back adds its registered `redirect_uri`
//! and its own PKCE challenge: both are stored with our verifier, so the callback
//! knows where to send the one-time code and whom it is bound to. A refused
//! `redirect_uri` stops here, before anything is stored or sent to Google.

use axum::extract::State;
use axum::http::{StatusCode, header::LOCATION};
use axum::response::{IntoResponse, Response};
use maigie_domain::FieldError;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::{OAuthError, random_token, s256, settings, unavailable};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::Query;
use crate::settings::GoogleSettings;
use crate::state::AppState;

const STATE_TTL_SECS: u64 = 600;
/// The longest client `state` echoed back: enough for a CSRF token and a route.
const MAX_CLIENT_STATE: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    /// Where to send the user back with a one-time code: one of
    /// `OAUTH_REDIRECT_ALLOWLIST`, exactly. Without it the callback answers JSON.
    #[param(example = "com.maigie.app:/oauth")]
    pub redirect_uri: Option<String>,
    /// The client's PKCE challenge, `BASE64URL(SHA256(code_verifier))` (43
    /// characters); required with `redirect_uri`.
    pub code_challenge: Option<String>,
    /// `S256` (the only method); required with `redirect_uri`.
    pub code_challenge_method: Option<String>,
    /// Echoed back to `redirect_uri` untouched (at most 500 characters).
    pub state: Option<String>,
}

/// What a client app asked for, kept with our verifier until the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ClientRequest {
    pub redirect_uri: String,
    pub code_challenge: String,
    pub state: Option<String>,
}

/// What the callback takes back under our `state`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Pending {
    pub verifier: String,
    pub client: Option<ClientRequest>,
}

pub(super) fn state_key(state: &AppState, oauth_state: &str) -> String {
    state.redis_key(&format!("oauth:google:{oauth_state}"))
}

/// Start Google sign-in: redirects (302) to Google's consent page.
#[utoipa::path(get, path = "/api/auth/oauth/google/authorize", tag = "auth",
    params(AuthorizeParams),
    responses(
        (status = 302, description = "Redirect to the identity provider."),
        (status = 400, description = "`redirect_uri` not registered (`oauth_redirect_not_allowed`).", body = ErrorBody),
        (status = 404, description = "Google sign-in not configured (`oauth_provider_disabled`).", body = ErrorBody),
        (status = 422, description = "Bad `code_challenge`, `code_challenge_method` or `state` (`validation_failed`).", body = ErrorBody),
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    Query(params): Query<AuthorizeParams>,
) -> ApiResult<Response> {
    let google = settings(&state)?;
    let client = client_request(google, params)?;
    let oauth_state = random_token();
    let verifier = random_token();
    let challenge = s256(&verifier);
    let pending = Pending { verifier, client };
    let value = serde_json::to_string(&pending).map_err(ApiError::internal)?;
    let mut redis = state.redis.clone();
    redis
        .set_ex::<_, _, ()>(state_key(&state, &oauth_state), value, STATE_TTL_SECS)
        .await
        .map_err(unavailable)?;
    let mut url = google.auth_url.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &google.client_id)
        .append_pair("redirect_uri", google.redirect_url.as_str())
        .append_pair("scope", "openid email profile")
        .append_pair("state", &oauth_state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("prompt", "select_account");
    Ok((StatusCode::FOUND, [(LOCATION, url.to_string())]).into_response())
}

/// The client's part of the request, checked: a registered redirect URI first (the
/// security decision), then its PKCE challenge and state, every bad field at once.
fn client_request(
    google: &GoogleSettings,
    params: AuthorizeParams,
) -> ApiResult<Option<ClientRequest>> {
    let Some(redirect_uri) = params.redirect_uri else {
        // Nothing to bind a challenge or echo a state to: the JSON flow.
        return Ok(None);
    };
    let Some(registered) = google.redirect_allowlist.find(&redirect_uri) else {
        return Err(OAuthError::RedirectNotAllowed.into());
    };
    let mut problems = Vec::new();
    let field = |field: &str, code: &'static str, message: &str| FieldError {
        field: field.to_owned(),
        code,
        message: message.to_owned(),
    };
    let challenge = params.code_challenge.unwrap_or_default();
    if !is_s256_challenge(&challenge) {
        problems.push(field(
            "code_challenge",
            "invalid",
            "Required with redirect_uri: BASE64URL(SHA256(code_verifier)), 43 characters.",
        ));
    }
    if params.code_challenge_method.as_deref() != Some("S256") {
        problems.push(field(
            "code_challenge_method",
            "invalid",
            "Required with redirect_uri, and only S256 is supported.",
        ));
    }
    let client_state = params.state;
    if let Some(s) = &client_state
        && (s.chars().count() > MAX_CLIENT_STATE || s.chars().any(char::is_control))
    {
        problems.push(field(
            "state",
            "invalid",
            "At most 500 characters, without control characters.",
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    Ok(Some(ClientRequest {
        redirect_uri: registered.to_string(),
        code_challenge: challenge,
        state: client_state,
    }))
}

/// A SHA-256 digest in base64url without padding: 43 characters of that alphabet.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
