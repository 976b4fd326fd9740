//! `GET /api/auth/oauth/google/callback`: Google sends the user back here.
//!
//! We take our `state` back (single use), exchange Google's code with our verifier,
//! read the verified identity from the userinfo endpoint (over TLS, with the fresh
//! access token) and sign the user in. Then, by what `authorize` was asked:
//!
//! - no client redirect: the token pair as JSON (a browser or a test);
//! - a client redirect: 302 to it with a one-time code and the client's state, and
//!   every failure after a valid `state` is also a 302 there with `error=<code>`, so
//!   the app, not a JSON page, tells the user. Before a valid state we do not know
//!   where to send anyone: those failures stay JSON.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redis::AsyncCommands;
use serde::Deserialize;
use utoipa::IntoParams;

use super::authorize::{ClientRequest, Pending, state_key};
use super::{Identity, OAuthError, exchange, settings, sign_in, unavailable};
use crate::auth::session::{self, AuthResponse, ClientInfo};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{Json, Query};
use crate::settings::GoogleSettings;
use crate::state::AppState;

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

/// Finish Google sign-in: exchanges the code and answers a session, or sends the user
/// back to the client app that started it.
#[utoipa::path(get, path = "/api/auth/oauth/google/callback", tag = "auth",
    params(CallbackParams),
    responses(
        (status = 200, description = "Signed in (sign-in started without `redirect_uri`).", body = AuthResponse),
        (status = 302, description = "Back to the client's `redirect_uri` with `code` and `state`, or with `error` (`oauth_denied`, `oauth_exchange_failed`, `oauth_email_unverified`, …) and `state`."),
        (status = 400, description = "`oauth_denied`, `oauth_invalid_state`, `oauth_exchange_failed` or `oauth_email_unverified`.", body = ErrorBody),
        (status = 404, description = "Google sign-in not configured (`oauth_provider_disabled`).", body = ErrorBody),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> ApiResult<Response> {
    let google = settings(&state)?;
    let pending = match params.state.as_deref() {
        Some(oauth_state) => take_pending(&state, oauth_state).await?,
        None => None,
    };
    let Some(pending) = pending else {
        return Err(match params.error {
            Some(error) => OAuthError::Denied(truncate(&error)),
            None => OAuthError::InvalidState,
        }
        .into());
    };
    let signed_in = finish(&state, google, &headers, params, &pending.verifier).await;
    match pending.client {
        None => {
            Ok(Json(session::start(&state, &signed_in?, client.client()).await?).into_response())
        }
        Some(app) => {
            let code = match signed_in {
                Ok(user) => exchange::issue(&state, user.id, &app).await,
                Err(e) => Err(e),
            };
            back_to_client(&app, code)
        }
    }
}

/// The pending sign-in under `oauth_state`, taken (GETDEL: a state is used once).
async fn take_pending(state: &AppState, oauth_state: &str) -> ApiResult<Option<Pending>> {
    let mut redis = state.redis.clone();
    let raw: Option<String> = redis
        .get_del(state_key(state, oauth_state))
        .await
        .map_err(unavailable)?;
    Ok(raw.and_then(|raw| serde_json::from_str(&raw).ok()))
}

/// Google's answer for a valid state: the signed-in user, or why not.
async fn finish(
    state: &AppState,
    google: &GoogleSettings,
    headers: &HeaderMap,
    params: CallbackParams,
    verifier: &str,
) -> ApiResult<maigie_store::users::UserRow> {
    if let Some(error) = params.error {
        return Err(OAuthError::Denied(truncate(&error)).into());
    }
    let code = params.code.ok_or(OAuthError::InvalidState)?;
    let identity = identity(state, google, &code, verifier).await?;
    sign_in(state, headers, &identity).await
}

/// What the provider said, shortened: it is echoed in our message.
fn truncate(error: &str) -> String {
    error.chars().take(100).collect()
}

/// 302 to the client's redirect URI with `code` (or `error`) and its `state`.
fn back_to_client(app: &ClientRequest, code: ApiResult<String>) -> ApiResult<Response> {
    let mut url = url::Url::parse(&app.redirect_uri).map_err(ApiError::internal)?;
    {
        let mut query = url.query_pairs_mut();
        match &code {
            Ok(code) => query.append_pair("code", code),
            Err(e) => {
                // Not answered as a response, so log what `into_response` would.
                if let ApiError::Internal(source) = e {
                    tracing::error!(error = %source, "internal error in the OAuth callback");
                } else {
                    tracing::info!(code = e.code(), "OAuth sign-in refused; back to the client");
                }
                query.append_pair("error", e.code())
            }
        };
        if let Some(client_state) = &app.state {
            query.append_pair("state", client_state);
        }
    }
    let location = HeaderValue::from_str(url.as_str()).map_err(ApiError::internal)?;
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            // The URL carries a code: no cache may keep it, no page may leak it.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
    )
        .into_response())
}

/// Trades Google's code for an access token, and that for the identity.
async fn identity(
    state: &AppState,
    google: &GoogleSettings,
    code: &str,
    verifier: &str,
) -> ApiResult<Identity> {
    let failed = |e: reqwest::Error| {
        tracing::warn!(error = %e, "OAuth code exchange failed");
        ApiError::from(OAuthError::ExchangeFailed)
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
