//! Short-lived access tokens: HS256 JWTs with `sub`, `iat`, `exp`, `jti`, and the
//! session they belong to (`sid`, the refresh-token family) and its epoch (`sep`).

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use maigie_domain::Tier;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

/// What an access token says. `tier` is a hint for rate limiting only: it may lag a
/// plan change by one token lifetime; authorisation decisions read the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub tier: Tier,
    /// The account's session epoch when the token was issued: a token from an earlier
    /// epoch is refused (every session ended since). Absent in older tokens (0).
    #[serde(default)]
    pub sep: i64,
    /// The session (refresh-token family) the token belongs to, so that ending that
    /// one session refuses its access tokens too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    /// Set when the account's address was not verified at issue: under
    /// `EMAIL_VERIFICATION=required` such a token opens only the account's own routes.
    /// A refresh after verifying drops it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unv: bool,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    #[must_use]
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        // Only HS256 is accepted: `alg: none` and algorithm-confusion tokens fail here.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A token for `user_id` in session `sid` of epoch `sep` (`unverified`: the
    /// account's address is not verified).
    pub fn issue(
        &self,
        user_id: Uuid,
        tier: Tier,
        sep: i64,
        sid: Option<Uuid>,
        unverified: bool,
    ) -> Result<(String, Claims), ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(900),
            jti: Uuid::new_v4(),
            tier,
            sep,
            sid,
            unv: unverified,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, claims))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("token_expired", "The access token has expired.")
                }
                _ => ApiError::unauthorized("invalid_token", "The access token is invalid."),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60))
    }

    #[test]
    fn issued_tokens_verify() {
        let keys = keys();
        let id = Uuid::new_v4();
        let (token, _) = keys.issue(id, Tier::Free, 0, None, false).expect("issue");
        assert_eq!(keys.verify(&token).expect("verify").sub, id);
    }

    #[test]
    fn unsigned_tokens_are_rejected() {
        let keys = keys();
        let (token, _) = keys
            .issue(Uuid::new_v4(), Tier::Free, 0, None, false)
            .expect("issue");
        let payload = token.split('.').nth(1).expect("payload");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn tokens_signed_with_another_key_are_rejected() {
        let other = JwtKeys::new(b"another-secret-another-secret-xx", Duration::from_secs(60));
        let (token, _) = other
            .issue(Uuid::new_v4(), Tier::Free, 0, None, false)
            .expect("issue");
        assert!(keys().verify(&token).is_err());
    }
}
