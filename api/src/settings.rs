//! What the API needs to know, parsed once at start (see `maigie::config`).

use std::fmt;
use std::time::Duration;

use axum::http::HeaderValue;
use maigie_domain::Tier;
use url::Url;

pub use crate::auth::google::RedirectAllowlist;

/// Requests per minute, by who is asking.
pub use maigie_services::settings::{
    AgentSettings, KnowledgeSettings, Limits, ServiceSettings, TierLimits,
};

#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Per client IP on `/api/auth/*` (brute-force protection).
    pub auth_per_minute: u32,
    /// Per client IP on other routes without a valid token.
    pub anonymous_per_minute: u32,
    pub free_per_minute: u32,
    pub premium_per_minute: u32,
}

/// How many argon2 computations (19 MiB each) may run at once, and how long a request
/// waits for a turn before it is answered 503 `password_hashing_busy`.
#[derive(Debug, Clone, Copy)]
pub struct PasswordHashSettings {
    pub concurrency: usize,
    pub wait: Duration,
}

impl RateLimits {
    #[must_use]
    pub fn for_tier(&self, tier: Tier) -> u32 {
        if tier.is_premium() {
            self.premium_per_minute
        } else {
            self.free_per_minute
        }
    }
}

/// Google sign-in; every URL is configurable so tests use a local identity provider.
#[derive(Clone)]
pub struct GoogleSettings {
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: Url,
    pub token_url: Url,
    pub userinfo_url: Url,
    pub redirect_url: Url,
    /// Where a web or mobile client may ask to be sent back to with a one-time code
    /// (`OAUTH_REDIRECT_ALLOWLIST`); empty: only the JSON answer.
    pub redirect_allowlist: RedirectAllowlist,
    /// Lifetime of that one-time code (`OAUTH_CODE_TTL_SECS`).
    pub code_ttl: Duration,
    /// Google's public signing keys, for ID tokens (`GOOGLE_JWKS_URL`).
    pub jwks_url: Url,
    /// The `aud` an ID token may carry: our client id and the mobile apps' ids
    /// (`GOOGLE_ID_TOKEN_AUDIENCES`).
    pub id_token_audiences: Vec<String>,
    /// The `iss` an ID token may carry (`GOOGLE_ISSUERS`).
    pub issuers: Vec<String>,
}

impl fmt::Debug for GoogleSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("auth_url", &self.auth_url.as_str())
            .field("redirect_allowlist", &self.redirect_allowlist)
            .field("id_token_audiences", &self.id_token_audiences)
            .finish_non_exhaustive()
    }
}

/// Stripe and the subscription lifecycle.
#[derive(Clone, Default)]
pub struct BillingSettings {
    /// Empty: checkout and portal answer 503 `billing_unavailable`.
    pub stripe_secret_key: String,
    /// `https://api.stripe.com/`, or a local fake in tests.
    pub stripe_api_base: String,
    /// Empty: the webhook answers 503 `billing_unavailable`.
    pub webhook_secret: String,
    pub webhook_tolerance_secs: i64,
    /// Stripe price ids of the plans.
    pub price_premium_monthly: String,
    pub price_premium_yearly: String,
    /// How long a failed payment keeps Premium.
    pub grace: Duration,
    /// When each dunning e-mail goes out, from the start of the grace period.
    pub dunning_offsets: Vec<Duration>,
}

impl fmt::Debug for BillingSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BillingSettings")
            .field("stripe_api_base", &self.stripe_api_base)
            .field("stripe_secret_key", &"***")
            .field("webhook_secret", &"***")
            .finish_non_exhaustive()
    }
}

impl BillingSettings {
    /// The Stripe price of one of our plans.
    #[must_use]
    pub fn price_of(&self, plan: Tier) -> Option<&str> {
        let price = match plan {
            Tier::PremiumMonthly => &self.price_premium_monthly,
            Tier::PremiumYearly => &self.price_premium_yearly,
            Tier::Free => return None,
        };
        (!price.is_empty()).then_some(price.as_str())
    }

    /// Price id → plan name, for reading Stripe's events.
    #[must_use]
    pub fn prices(&self) -> Vec<(String, String)> {
        [Tier::PremiumMonthly, Tier::PremiumYearly]
            .into_iter()
            .filter_map(|t| {
                self.price_of(t)
                    .map(|p| (p.to_owned(), t.as_str().to_owned()))
            })
            .collect()
    }
}

/// Prometheus metrics are not public: on a listener of their own (`METRICS_ADDR`),
/// behind a bearer token (`METRICS_TOKEN`), both, or not at all (the default).
#[derive(Clone, Default)]
pub struct MetricsSettings {
    /// Serve `/metrics` here, and not on the API listener.
    pub addr: Option<std::net::SocketAddr>,
    /// Required as `Authorization: Bearer <token>` wherever `/metrics` is served.
    pub token: Option<String>,
}

impl fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("addr", &self.addr)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Clone)]
pub struct ApiSettings {
    pub jwt_secret: Vec<u8>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub public_base_url: Url,
    pub cors_origins: Vec<HeaderValue>,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    pub rate_limits: RateLimits,
    /// How many of our own reverse proxies stand in front (`TRUST_PROXY_HOPS`): the
    /// client IP is that many entries from the right of `X-Forwarded-For`; 0 ignores it.
    pub trust_proxy_hops: u8,
    /// Where `/metrics` is served, if anywhere.
    pub metrics: MetricsSettings,
    /// Prefix of every Redis key, so deployments can share one Redis.
    pub redis_prefix: String,
    pub google: Option<GoogleSettings>,
    pub ws_ping_interval: Duration,
    /// WebSockets one user may hold open on one instance; a newer one replaces the
    /// oldest.
    pub ws_max_per_user: usize,
    pub temporal_task_queue: String,
    /// Accounts with these e-mails become admins when they sign in with Google and
    /// Google vouches for the address, or when the owner uses our verification link
    /// (never by a typed address alone).
    pub admin_emails: Vec<String>,
    pub password_hashing: PasswordHashSettings,
    pub billing: BillingSettings,
    pub limits: Limits,
    pub agent: AgentSettings,
    pub accounts: AccountSettings,
    pub knowledge: KnowledgeSettings,
    /// Voice caps (`VOICE_MAX_*`, `LIMIT_*_VOICE_SECONDS_PER_MONTH`).
    pub voice: maigie_services::voice::VoiceSettings,
}

/// Password reset, e-mail verification and change of address: limits and policy.
#[derive(Debug, Clone, Copy)]
pub struct AccountSettings {
    /// Reset requests per address per hour (`PASSWORD_RESET_PER_ADDRESS_PER_HOUR`), on
    /// top of the per-IP auth limit; counted the same for unknown addresses.
    pub reset_per_address_per_hour: u32,
    /// Verification mails a user may ask for per hour (`EMAIL_VERIFY_RESEND_PER_HOUR`).
    pub verify_resend_per_hour: u32,
    /// `EMAIL_VERIFICATION=required`: an account whose address is not verified may sign
    /// in, but its tokens open only its own account routes (403 `email_unverified`
    /// elsewhere) until it verifies and refreshes. `optional` (default): no limit.
    pub require_verified_email: bool,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            reset_per_address_per_hour: 5,
            verify_resend_per_hour: 5,
            require_verified_email: false,
        }
    }
}

impl ApiSettings {
    /// HSTS only makes sense when clients reach us over TLS.
    #[must_use]
    pub fn behind_tls(&self) -> bool {
        self.public_base_url.scheme() == "https"
    }
}

impl fmt::Debug for ApiSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiSettings")
            .field("jwt_secret", &"***")
            .field("access_ttl", &self.access_ttl)
            .field("public_base_url", &self.public_base_url.as_str())
            .field("rate_limits", &self.rate_limits)
            .field("google", &self.google)
            .finish_non_exhaustive()
    }
}
