//! Google sign-in, three ways in, one way to an account:
//!
//! - **Browser, JSON** ([`authorize`] then [`callback`]): the authorization-code flow
//!   with our own PKCE (S256) and `state`; the callback answers the token pair.
//! - **Client app** (`authorize?redirect_uri=…&code_challenge=…`, then [`exchange`]):
//!   the same flow, but the callback sends the user back to a registered client
//!   redirect URI with a one-time code bound to the client's own PKCE challenge;
//!   the app trades it (and its verifier) for the token pair. Tokens never travel in
//!   a URL.
//! - **Mobile, ID token** ([`id_token`]): the app signs in with Google's SDK and posts
//!   the ID token; we verify it against Google's keys ([`jwks`]).
//!
//! All three end in [`sign_in`]: an existing link, else an existing account with the
//! same verified e-mail, else a new account; then admin promotion by address.

pub mod authorize;
pub mod callback;
mod error;
pub mod exchange;
pub mod id_token;
pub mod jwks;
mod redirect;

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use maigie_domain::{DisplayName, Email};
use maigie_services::accounts;
use maigie_services::secret::random_token;
use maigie_store::{oauth, users};
use sha2::{Digest, Sha256};

pub use error::OAuthError;
pub use redirect::RedirectAllowlist;

use super::handlers::create_user;
use crate::error::{ApiError, ApiResult};
use crate::settings::GoogleSettings;
use crate::state::AppState;

const PROVIDER: &str = "google";

/// Google's settings, or 404 `oauth_provider_disabled`.
fn settings(state: &AppState) -> ApiResult<&GoogleSettings> {
    Ok(state.settings.google.as_ref().ok_or(OAuthError::Disabled)?)
}

/// The PKCE S256 transform (RFC 7636 §4.2).
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(format!("sign-in is temporarily unavailable: {e}"))
}

/// Who the provider says signed in: from userinfo (web) or the ID token (mobile).
#[derive(Debug, serde::Deserialize)]
pub struct Identity {
    /// Google's stable account id.
    pub sub: String,
    pub email: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    pub email_verified: bool,
    pub name: Option<String>,
}

/// Google has sent `email_verified` as `"true"` in some tokens; accept both forms.
fn flexible_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flexible {
        Bool(bool),
        Text(String),
    }
    Ok(
        match <Option<Flexible> as serde::Deserialize>::deserialize(d)? {
            Some(Flexible::Bool(b)) => b,
            Some(Flexible::Text(t)) => t.eq_ignore_ascii_case("true"),
            None => false,
        },
    )
}

/// Signs `identity` in: finds, links or creates the account, then promotes a listed
/// address Google vouched for. Shared by the callback and the ID-token sign-in.
async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    identity: &Identity,
) -> ApiResult<users::UserRow> {
    let mut user = find_or_create(state, identity).await?;
    if let (Some(email), true) = (&identity.email, identity.email_verified) {
        let vouched = accounts::Vouched {
            provider: PROVIDER,
            email,
            request_id: headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        };
        accounts::promote_vouched(&state.db, &state.settings.admin_emails, vouched, &mut user)
            .await?;
    }
    Ok(user)
}

async fn find_or_create(state: &AppState, identity: &Identity) -> ApiResult<users::UserRow> {
    if let Some(user_id) = oauth::find_user(&state.db, PROVIDER, &identity.sub).await? {
        return users::find_by_id(&state.db, user_id)
            .await?
            .ok_or(ApiError::NotFound);
    }
    // Only a verified address may be linked to (or create) an account: otherwise
    // anyone could claim someone else's account by typing their e-mail at Google.
    let email = match (&identity.email, identity.email_verified) {
        (Some(raw), true) => Email::parse(raw).map_err(|_| OAuthError::EmailUnverified)?,
        _ => return Err(OAuthError::EmailUnverified.into()),
    };
    let user = match users::find_by_email(&state.db, email.as_str()).await? {
        Some(user) => user,
        None => {
            let name = identity
                .name
                .as_deref()
                .and_then(|n| DisplayName::parse(n).ok());
            let name = name.as_ref().map(DisplayName::as_str);
            create_user(state, &email, None, name, true).await?
        }
    };
    maigie_services::accounts::link_identity(
        &state.services,
        user.id,
        PROVIDER,
        &identity.sub,
        email.as_str(),
    )
    .await?;
    users::find_by_id(&state.db, user.id)
        .await?
        .ok_or(ApiError::NotFound)
}
