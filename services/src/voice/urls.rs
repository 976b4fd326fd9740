//! Signed, expiring URLs to a voice message's audio, so a client's `<audio src>` (or
//! any player without our bearer token) can fetch it: HMAC-SHA256 over the message,
//! the part and the expiry, keyed with a key derived from `JWT_SECRET`. A store with
//! URLs of its own (S3: presigned) is linked to directly instead.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};

/// Which audio of a voice message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AudioPart {
    /// What the user said.
    Recording,
    /// The assistant's spoken answer.
    Answer,
}

impl AudioPart {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recording => "recording",
            Self::Answer => "answer",
        }
    }
}

/// A link to audio, valid until `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AudioLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Signs and checks the API's audio URLs.
#[derive(Clone)]
pub struct AudioUrls {
    base: String,
    key: [u8; 32],
    ttl: Duration,
}

impl std::fmt::Debug for AudioUrls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioUrls")
            .field("base", &self.base)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

impl AudioUrls {
    /// URLs under `public_base` (`PUBLIC_BASE_URL`), valid for `ttl`; the signing key is
    /// derived from `secret` (so it is not the JWT key itself).
    #[must_use]
    pub fn new(public_base: &str, secret: &[u8], ttl: Duration) -> Self {
        let mut derive = mac(secret);
        derive.update(b"maigie audio url v1");
        Self {
            base: public_base.trim_end_matches('/').to_owned(),
            key: derive.finalize().into_bytes().into(),
            ttl,
        }
    }

    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn signature(&self, id: Uuid, part: AudioPart, expires: i64) -> Hmac<Sha256> {
        let mut m = mac(&self.key);
        m.update(format!("{id}/{}/{expires}", part.as_str()).as_bytes());
        m
    }

    /// A URL to `part` of voice message `id`, valid from `now` for the configured time.
    #[must_use]
    pub fn sign(&self, id: Uuid, part: AudioPart, now: DateTime<Utc>) -> AudioLink {
        let ttl = chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::hours(1));
        let expires_at = now + ttl;
        let expires = expires_at.timestamp();
        let signature =
            maigie_domain::hex::hex(&self.signature(id, part, expires).finalize().into_bytes());
        AudioLink {
            url: format!(
                "{}/api/voice/messages/{id}/audio/{}?expires={expires}&signature={signature}",
                self.base,
                part.as_str()
            ),
            expires_at: DateTime::from_timestamp(expires, 0).unwrap_or(expires_at),
        }
    }

    /// Checks a URL's signature (403 `invalid_signature`) and expiry (403
    /// `url_expired`).
    pub fn verify(
        &self,
        id: Uuid,
        part: AudioPart,
        expires: i64,
        signature: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let bytes = decode_hex(signature).ok_or_else(bad_signature)?;
        self.signature(id, part, expires)
            .verify_slice(&bytes)
            .map_err(|_| bad_signature())?;
        if expires < now.timestamp() {
            return Err(ServiceError::refused(
                403,
                "url_expired",
                "This audio link has expired; ask for the voice message again for a fresh one.",
            ));
        }
        Ok(())
    }
}

fn bad_signature() -> ServiceError {
    ServiceError::refused(403, "invalid_signature", "This audio link is not valid.")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_url_verifies_until_it_expires_and_nothing_else_does() {
        let urls = AudioUrls::new(
            "http://x/",
            b"a secret of at least some length",
            Duration::from_secs(60),
        );
        let id = Uuid::new_v4();
        let now = Utc::now();
        let link = urls.sign(id, AudioPart::Answer, now);
        assert!(link.url.starts_with(&format!(
            "http://x/api/voice/messages/{id}/audio/answer?expires="
        )));
        let query: std::collections::HashMap<_, _> = link
            .url
            .split_once('?')
            .expect("query")
            .1
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let expires: i64 = query["expires"].parse().expect("number");
        let sig = query["signature"];
        urls.verify(id, AudioPart::Answer, expires, sig, now)
            .expect("valid");
        let code = |r: ServiceResult<()>| match r {
            Err(ServiceError::Refused { code, .. }) => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(urls.verify(id, AudioPart::Recording, expires, sig, now)),
            "invalid_signature"
        );
        assert_eq!(
            code(urls.verify(Uuid::new_v4(), AudioPart::Answer, expires, sig, now)),
            "invalid_signature"
        );
        assert_eq!(
            code(urls.verify(id, AudioPart::Answer, expires + 1, sig, now)),
            "invalid_signature"
        );
        assert_eq!(
            code(urls.verify(id, AudioPart::Answer, expires, "zz", now)),
            "invalid_signature"
        );
        let later = now + chrono::Duration::seconds(120);
        assert_eq!(
            code(urls.verify(id, AudioPart::Answer, expires, sig, later)),
            "url_expired"
        );
        let other = AudioUrls::new(
            "http://x",
            b"another secret entirely, also long",
            Duration::from_secs(60),
        );
        assert_eq!(
            code(other.verify(id, AudioPart::Answer, expires, sig, now)),
            "invalid_signature"
        );
    }
}
