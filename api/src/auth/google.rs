//! Google sign-in: OAuth 2.0 authorization-code flow with PKCE (S256) and `state`.
//!
//! `authorize` stores the PKCE verifier under a random `state` in Redis (10 minutes,
//! single use) and redirects to Google. `callback` takes the state back, exchanges
//! the code with the verifier, reads the verified identity from the userinfo
//! endpoint (over TLS, with the fresh access token) and signs the user in: an
//! existing link, else an existing account with the same verified e-mail, else a new
//! account.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header::LOCATION};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use maigie_domain::{DisplayName, Email};
use maigie_store::{oauth, users};
use rand::RngCore;
use redis::AsyncCommands;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::handlers::{create_user, promote_verified_admin};
use super::session::{self, AuthResponse, ClientInfo};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Query};
use crate::settings::GoogleSettings;
use crate::state::AppState;

const PROVIDER: &str = "google";
const STATE_TTL_SECS: u64 = 600;

fn settings(state: &AppState) -> ApiResult<&GoogleSettings> {
    state.settings.google.as_ref().ok_or_else(|| {
        ApiError::client(
            StatusCode::NOT_FOUND,
            "oauth_provider_disabled",
            "Google sign-in is not configured on this server.",
        )
    })
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn state_key(state: &AppState, oauth_state: &str) -> String {
    state.redis_key(&format!("oauth:google:{oauth_state}"))
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(format!("sign-in is temporarily unavailable: {e}"))
}

/// Start Google sign-in: redirects (302) to Google's consent page.
#[utoipa::path(get, path = "/api/auth/oauth/google/authorize", tag = "auth",
    responses(
        (status = 302, description = "Redirect to the identity provider."),
        (status = 404, description = "Google sign-in not configured (`oauth_provider_disabled`).", body = ErrorBody),
    ))]
pub async fn authorize(State(state): State<AppState>) -> ApiResult<Response> {
    let google = settings(&state)?;
    let oauth_state = random_token();
    let verifier = random_token();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut redis = state.redis.clone();
    redis
        .set_ex::<_, _, ()>(state_key(&state, &oauth_state), &verifier, STATE_TTL_SECS)
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set by the provider when the user declined.
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    name: Option<String>,
}

/// Finish Google sign-in: exchanges the code and answers a session.
#[utoipa::path(get, path = "/api/auth/oauth/google/callback", tag = "auth",
    params(CallbackParams),
    responses(
        (status = 200, body = AuthResponse),
        (status = 400, description = "`oauth_denied`, `oauth_invalid_state`, `oauth_exchange_failed` or `oauth_email_unverified`.", body = ErrorBody),
        (status = 404, description = "Google sign-in not configured (`oauth_provider_disabled`).", body = ErrorBody),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> ApiResult<Json<AuthResponse>> {
    let google = settings(&state)?;
    if let Some(error) = params.error {
        let error: String = error.chars().take(100).collect();
        return Err(ApiError::bad_request(
            "oauth_denied",
            format!("The identity provider refused: {error}."),
        ));
    }
    let (Some(code), Some(oauth_state)) = (params.code, params.state) else {
        return Err(ApiError::bad_request(
            "oauth_invalid_state",
            "Missing `code` or `state`.",
        ));
    };
    let mut redis = state.redis.clone();
    let verifier: Option<String> = redis
        .get_del(state_key(&state, &oauth_state))
        .await
        .map_err(unavailable)?;
    let verifier = verifier.ok_or_else(|| {
        ApiError::bad_request(
            "oauth_invalid_state",
            "The sign-in attempt is unknown or expired; start again.",
        )
    })?;
    let info = exchange(&state, google, &code, &verifier).await?;
    let mut user = find_or_create(&state, &info).await?;
    if let (Some(email), true) = (&info.email, info.email_verified) {
        promote_verified_admin(&state, &headers, PROVIDER, email, &mut user).await?;
    }
    Ok(Json(session::start(&state, &user, client.client()).await?))
}

async fn exchange(
    state: &AppState,
    google: &GoogleSettings,
    code: &str,
    verifier: &str,
) -> ApiResult<UserInfo> {
    let failed = |e: reqwest::Error| {
        tracing::warn!(error = %e, "OAuth code exchange failed");
        ApiError::bad_request(
            "oauth_exchange_failed",
            "The identity provider rejected the sign-in.",
        )
    };
    let token: TokenResponse = state
        .http
        .post(google.token_url.clone())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", google.redirect_url.as_str()),
            ("client_id", &google.client_id),
            ("client_secret", &google.client_secret),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(failed)?
        .json()
        .await
        .map_err(failed)?;
    state
        .http
        .get(google.userinfo_url.clone())
        .bearer_auth(token.access_token)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(failed)?
        .json()
        .await
        .map_err(failed)
}

async fn find_or_create(state: &AppState, info: &UserInfo) -> ApiResult<users::UserRow> {
    if let Some(user_id) = oauth::find_user(&state.db, PROVIDER, &info.sub).await? {
        return users::find_by_id(&state.db, user_id)
            .await?
            .ok_or(ApiError::NotFound);
    }
    // Only a verified address may be linked to (or create) an account: otherwise
    // anyone could claim someone else's account by typing their e-mail at Google.
    let email = match (&info.email, info.email_verified) {
        (Some(raw), true) => Email::parse(raw).map_err(|_| unverified())?,
        _ => return Err(unverified()),
    };
    let user = match users::find_by_email(&state.db, email.as_str()).await? {
        Some(user) => user,
        None => {
            let name = info
                .name
                .as_deref()
                .and_then(|n| DisplayName::parse(n).ok());
            create_user(
                state,
                &email,
                None,
                name.as_ref().map(DisplayName::as_str),
                true,
            )
            .await?
        }
    };
    maigie_services::accounts::link_identity(
        &state.services,
        user.id,
        PROVIDER,
        &info.sub,
        email.as_str(),
    )
    .await?;
    users::find_by_id(&state.db, user.id)
        .await?
        .ok_or(ApiError::NotFound)
}

fn unverified() -> ApiError {
    ApiError::bad_request(
        "oauth_email_unverified",
        "The identity provider did not supply a verified e-mail address.",
    )
}
