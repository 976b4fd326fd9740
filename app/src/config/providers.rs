//! The settings of third-party providers: Stripe billing, Google sign-in, the LLMs.

use std::time::Duration;

use maigie_api::settings::{BillingSettings, GoogleSettings, RedirectAllowlist};

use super::{ConfigError, Env, LlmSettings, invalid};

pub(super) fn billing<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<BillingSettings, ConfigError> {
    let stripe_api_base = env
        .url("STRIPE_API_BASE", "https://api.stripe.com/")?
        .to_string();
    let offsets = env
        .list("BILLING_DUNNING_OFFSETS_SECS", "0,259200,518400")
        .iter()
        .map(|s| {
            s.parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|e| invalid("BILLING_DUNNING_OFFSETS_SECS", format!("{s:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let grace = Duration::from_secs(env.parse("BILLING_GRACE_SECS", 604_800)?);
    if grace.is_zero() {
        return Err(invalid("BILLING_GRACE_SECS", "must be greater than 0"));
    }
    Ok(BillingSettings {
        stripe_secret_key: env.or("STRIPE_SECRET_KEY", ""),
        stripe_api_base,
        webhook_secret: env.or("STRIPE_WEBHOOK_SECRET", ""),
        webhook_tolerance_secs: env.parse("STRIPE_WEBHOOK_TOLERANCE_SECS", 300)?,
        price_premium_monthly: env.or("STRIPE_PRICE_PREMIUM_MONTHLY", ""),
        price_premium_yearly: env.or("STRIPE_PRICE_PREMIUM_YEARLY", ""),
        grace,
        dunning_offsets: offsets,
    })
}

pub(super) fn google<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Option<GoogleSettings>, ConfigError> {
    let (Some(client_id), Some(client_secret)) =
        (env.get("GOOGLE_CLIENT_ID"), env.get("GOOGLE_CLIENT_SECRET"))
    else {
        return Ok(None);
    };
    let public = env.url("PUBLIC_BASE_URL", "http://127.0.0.1:8080")?;
    let default_redirect = public
        .join("/api/auth/oauth/google/callback")
        .map_err(|e| invalid("PUBLIC_BASE_URL", e.to_string()))?;
    // A code lives long enough for the app to post it back, and no longer: it is
    // what stands between a leaked redirect URL and a session.
    let code_ttl = env.parse("OAUTH_CODE_TTL_SECS", 60)?;
    if !(1..=600).contains(&code_ttl) {
        return Err(invalid("OAUTH_CODE_TTL_SECS", "must be between 1 and 600"));
    }
    Ok(Some(GoogleSettings {
        auth_url: env.url(
            "GOOGLE_AUTH_URL",
            "https://accounts.google.com/o/oauth2/v2/auth",
        )?,
        token_url: env.url("GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token")?,
        userinfo_url: env.url(
            "GOOGLE_USERINFO_URL",
            "https://openidconnect.googleapis.com/v1/userinfo",
        )?,
        redirect_url: env.url("GOOGLE_REDIRECT_URL", default_redirect.as_str())?,
        redirect_allowlist: RedirectAllowlist::parse(&env.list("OAUTH_REDIRECT_ALLOWLIST", ""))
            .map_err(|e| invalid("OAUTH_REDIRECT_ALLOWLIST", e))?,
        code_ttl: Duration::from_secs(code_ttl),
        jwks_url: env.url(
            "GOOGLE_JWKS_URL",
            "https://www.googleapis.com/oauth2/v3/certs",
        )?,
        id_token_audiences: std::iter::once(client_id.clone())
            .chain(env.list("GOOGLE_ID_TOKEN_AUDIENCES", ""))
            .collect(),
        issuers: env.list(
            "GOOGLE_ISSUERS",
            "https://accounts.google.com,accounts.google.com",
        ),
        client_id,
        client_secret,
    }))
}

/// `LLM_*`, checked here (URLs, one key/model or one per URL) so a bad value stops
/// the process before it connects to anything.
pub(super) fn llm<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<LlmSettings, ConfigError> {
    let timeout = env.parse("LLM_TIMEOUT_SECS", 60)?;
    if timeout == 0 {
        return Err(invalid("LLM_TIMEOUT_SECS", "must be greater than 0"));
    }
    let settings = LlmSettings {
        base_urls: env.or("LLM_BASE_URL", ""),
        api_keys: env.or("LLM_API_KEY", ""),
        models: env.or("LLM_MODEL", "gpt-4o-mini"),
        timeout: Duration::from_secs(timeout),
        stream: env.parse("LLM_STREAM", true)?,
        check_at_start: env.parse("LLM_CHECK_AT_START", true)?,
    };
    maigie_llm::ChainConfig::from_env_values(
        &settings.base_urls,
        &settings.api_keys,
        &settings.models,
        settings.timeout,
    )
    .map_err(|e| invalid("LLM_BASE_URL / LLM_API_KEY / LLM_MODEL", e.to_string()))?;
    Ok(settings)
}
