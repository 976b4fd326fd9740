//! `POST /api/auth/oauth/google/id-token`: a mobile app signed in with Google's SDK
//! and posts the ID token it got; we check it as the OpenID Connect spec says
//! (§3.1.3.7) and sign the user in like the web callback does.
//!
//! Checks, in order: RS256 only (no `none`, no HMAC with a public key), a signature
//! by one of Google's published keys, `iss` one of Google's, `aud` one of our client
//! ids, `exp` not past and `iat` not in the future (60 s of clock skew either way),
//! the `nonce` claim equal to the nonce the app generated, and that nonce never used
//! before: it is remembered in Redis (SET NX) until the token expires, so a token
//! intercepted or pulled from a log cannot sign anyone in a second time.

use axum::extract::State;
use axum::http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use redis::AsyncCommands;
use serde::Deserialize;
use utoipa::ToSchema;

use super::jwks::KeyError;
use super::{Identity, OAuthError, s256, settings, sign_in, unavailable};
use crate::auth::session::{self, AuthResponse, ClientInfo};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::Json;
use crate::settings::GoogleSettings;
use crate::state::AppState;

/// Clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: u64 = 60;
/// A nonce is the app's random value; this is plenty and bounds the Redis key input.
const MAX_NONCE: usize = 512;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdTokenRequest {
    /// The ID token (a JWT) Google's sign-in SDK gave the app.
    #[schema(example = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln")]
    pub id_token: String,
    /// The nonce the app passed to Google's SDK for this sign-in; used once.
    #[schema(example = "n-0S6_WzA2Mj")]
    pub nonce: String,
}

/// The claims we read; everything optional so a missing one is named, not a parse
/// error.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: Option<String>,
    exp: Option<u64>,
    iat: Option<u64>,
    nonce: Option<String>,
    #[serde(flatten)]
    profile: Profile,
}

#[derive(Debug, Deserialize)]
struct Profile {
    email: Option<String>,
    #[serde(default, deserialize_with = "super::flexible_bool")]
    email_verified: bool,
    name: Option<String>,
}

/// Sign in with a Google ID token (mobile apps).
#[utoipa::path(post, path = "/api/auth/oauth/google/id-token", tag = "auth",
    request_body = IdTokenRequest,
    responses(
        (status = 200, body = AuthResponse),
        (status = 400, description = "No verified e-mail in the token for a new account (`oauth_email_unverified`).", body = ErrorBody),
        (status = 401, description = "`invalid_id_token` (the message names the failed check: signature, audience, issuer, expiry, nonce), or `id_token_replayed` (its nonce was already used).", body = ErrorBody),
        (status = 404, description = "Google sign-in not configured (`oauth_provider_disabled`).", body = ErrorBody),
    ))]
pub async fn id_token(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    Json(body): Json<IdTokenRequest>,
) -> ApiResult<Json<AuthResponse>> {
    let google = settings(&state)?;
    let claims = verify(&state, google, &body.id_token).await?;
    if body.nonce.is_empty()
        || body.nonce.len() > MAX_NONCE
        || claims.nonce.as_deref() != Some(body.nonce.as_str())
    {
        return Err(OAuthError::InvalidIdToken("the nonce does not match").into());
    }
    let sub = claims
        .sub
        .ok_or(OAuthError::InvalidIdToken("the subject is missing"))?;
    spend_nonce(&state, &body.nonce, claims.exp.unwrap_or_default()).await?;
    let identity = Identity {
        sub,
        email: claims.profile.email,
        email_verified: claims.profile.email_verified,
        name: claims.profile.name,
    };
    let user = sign_in(&state, &headers, &identity).await?;
    Ok(Json(session::start(&state, &user, client.client()).await?))
}

/// The token's claims once its signature, issuer, audience and times are good.
async fn verify(state: &AppState, google: &GoogleSettings, token: &str) -> ApiResult<Claims> {
    let invalid = |reason| ApiError::from(OAuthError::InvalidIdToken(reason));
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("it is not a JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(invalid("it is not signed with RS256"));
    }
    let kid = header
        .kid
        .ok_or_else(|| invalid("it names no signing key"))?;
    let key = state
        .google_keys
        .key(&state.http, &google.jwks_url, &kid)
        .await
        .map_err(|e| match e {
            KeyError::Unknown => invalid("the signature is not by a key of the provider"),
            KeyError::Unavailable(e) => unavailable(e),
        })?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&google.id_token_audiences);
    validation.set_issuer(&google.issuers);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|e| invalid(reason(e.kind())))?
        .claims;
    let now = jsonwebtoken::get_current_timestamp();
    match claims.iat {
        Some(iat) if iat <= now + LEEWAY_SECS => Ok(claims),
        Some(_) => Err(invalid("its issue time is in the future")),
        None => Err(invalid("the issue time is missing")),
    }
}

/// What to tell the client about a failed check, without internals.
fn reason(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidSignature => "the signature does not verify",
        ErrorKind::InvalidAudience => "the audience is not one of this server's client ids",
        ErrorKind::InvalidIssuer => "the issuer is not the provider",
        ErrorKind::ExpiredSignature => "it has expired",
        ErrorKind::ImmatureSignature => "it is not valid yet",
        ErrorKind::InvalidAlgorithm => "it is not signed with RS256",
        ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
            "a required claim is missing or malformed"
        }
        _ => "it is malformed",
    }
}

/// Remembers `nonce` until the token it came in expires; a second use is refused.
async fn spend_nonce(state: &AppState, nonce: &str, exp: u64) -> ApiResult<()> {
    let now = jsonwebtoken::get_current_timestamp();
    // Past `exp` (plus the leeway) the token itself is refused: no need to remember.
    let ttl = exp.saturating_add(LEEWAY_SECS).saturating_sub(now).max(1);
    let key = state.redis_key(&format!("oauth:google:nonce:{}", s256(nonce)));
    let options = redis::SetOptions::default()
        .conditional_set(redis::ExistenceCheck::NX)
        .with_expiration(redis::SetExpiry::EX(ttl));
    let mut redis = state.redis.clone();
    let first: bool = redis
        .set_options(key, 1, options)
        .await
        .map_err(unavailable)?;
    if first {
        Ok(())
    } else {
        Err(OAuthError::IdTokenReplayed.into())
    }
}
