//! Google's public signing keys (a JWKS), cached in memory.
//!
//! Google rotates its keys and announces how long a set may be kept in
//! `Cache-Control: max-age`; we honour it within a floor (so a misconfigured or
//! hostile answer cannot make us fetch on every sign-in) and a ceiling (so a
//! withdrawn key stops being trusted within a day). A token signed with a key we do
//! not know may mean a rotation happened early: we fetch again, but at most once a
//! minute, so made-up key ids cannot turn us into a traffic generator. When a fetch
//! fails, keys we already have stay in use until the next try.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::header::CACHE_CONTROL;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use tokio::sync::Mutex;
use url::Url;

/// How long a set is kept when the provider says less (or nothing parseable).
const MIN_MAX_AGE: Duration = Duration::from_secs(60);
/// How long a set is kept at most, whatever the provider says.
const MAX_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// Kept this long when the answer has no `max-age`.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);
/// The least time between two fetches caused by an unknown key id.
const UNKNOWN_KID_REFETCH: Duration = Duration::from_secs(60);
/// The least time between two fetches after a failed one.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// A JWKS is a few kilobytes; anything much bigger is not one.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why no key could be found.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The set (fetched or cached) has no usable RSA key with this id.
    #[error("unknown signing key")]
    Unknown,
    /// No set could be fetched and none is cached.
    #[error("the provider's signing keys cannot be fetched: {0}")]
    Unavailable(String),
}

#[derive(Default)]
struct Cached {
    keys: Option<JwkSet>,
    fresh_until: Option<Instant>,
    last_fetch: Option<Instant>,
}

/// The cache, shared by every request of the process (cheap to clone).
#[derive(Clone, Default)]
pub struct JwksCache {
    // A tokio mutex held across the fetch: concurrent sign-ins wait for one fetch
    // instead of each starting their own.
    inner: Arc<Mutex<Cached>>,
}

impl JwksCache {
    /// The RSA key `kid` of the set at `url`, fetched with `http` when needed.
    ///
    /// # Errors
    /// [`KeyError::Unknown`] when the set has no such key, [`KeyError::Unavailable`]
    /// when there is no set at all.
    pub async fn key(
        &self,
        http: &reqwest::Client,
        url: &Url,
        kid: &str,
    ) -> Result<DecodingKey, KeyError> {
        let mut cached = self.inner.lock().await;
        let now = Instant::now();
        let stale = cached.fresh_until.is_none_or(|t| now >= t);
        if stale && may_fetch(cached.last_fetch, now, RETRY_AFTER_FAILURE) {
            refresh(&mut cached, http, url, now).await?;
        }
        if let Some(key) = find(cached.keys.as_ref(), kid) {
            return Ok(key);
        }
        if may_fetch(cached.last_fetch, now, UNKNOWN_KID_REFETCH) {
            refresh(&mut cached, http, url, now).await?;
        }
        find(cached.keys.as_ref(), kid).ok_or(KeyError::Unknown)
    }
}

fn may_fetch(last: Option<Instant>, now: Instant, gap: Duration) -> bool {
    last.is_none_or(|t| now.duration_since(t) >= gap)
}

/// Fetches the set; on failure keeps the old one if there is one.
async fn refresh(
    cached: &mut Cached,
    http: &reqwest::Client,
    url: &Url,
    now: Instant,
) -> Result<(), KeyError> {
    cached.last_fetch = Some(now);
    match fetch(http, url).await {
        Ok((set, max_age)) => {
            cached.keys = Some(set);
            cached.fresh_until = Some(now + max_age);
            Ok(())
        }
        Err(e) if cached.keys.is_some() => {
            tracing::warn!(error = %e, "JWKS refresh failed; keeping the keys we have");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(error = %e, "JWKS fetch failed");
            Err(KeyError::Unavailable(e))
        }
    }
}

async fn fetch(http: &reqwest::Client, url: &Url) -> Result<(JwkSet, Duration), String> {
    let res = http
        .get(url.clone())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| e.to_string())?;
    let max_age = res
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(max_age)
        .map_or(DEFAULT_MAX_AGE, |age| age.clamp(MIN_MAX_AGE, MAX_MAX_AGE));
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    if body.len() > MAX_BODY_BYTES {
        return Err(format!("{} bytes is too large for a JWKS", body.len()));
    }
    let set = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    Ok((set, max_age))
}

/// `max-age` of a `Cache-Control` value.
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().trim_matches('"').parse().ok())?
            .map(Duration::from_secs)
    })
}

/// Only RSA keys: the set could hold others, and an HMAC "key" published in a JWKS
/// must never verify anything.
fn find(set: Option<&JwkSet>, kid: &str) -> Option<DecodingKey> {
    let jwk = set?.find(kid)?;
    match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => DecodingKey::from_rsa_components(&rsa.n, &rsa.e).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_any_position_and_ignores_the_rest() {
        let cases = [
            (
                "public, max-age=19845, must-revalidate, no-transform",
                Some(19_845),
            ),
            ("max-age=60", Some(60)),
            ("Max-Age = \"300\"", Some(300)),
            ("no-cache", None),
            ("max-age=soon", None),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(
                max_age(header),
                expected.map(Duration::from_secs),
                "{header}"
            );
        }
    }

    #[test]
    fn fetches_are_spaced_by_the_gap() {
        let now = Instant::now();
        assert!(may_fetch(None, now, UNKNOWN_KID_REFETCH));
        assert!(!may_fetch(Some(now), now, UNKNOWN_KID_REFETCH));
        let earlier = now.checked_sub(Duration::from_secs(61)).expect("clock");
        assert!(may_fetch(Some(earlier), now, UNKNOWN_KID_REFETCH));
    }
}
