//! Account recovery and verification: where mailed links point, how long they work,
//! how often they may be asked for, and whether an unverified address limits an
//! account.

use std::time::Duration;

use maigie_activities::account_mail::AccountMailSettings;
use maigie_api::settings::AccountSettings;

use super::{ConfigError, Env, invalid};

/// `APP_BASE_URL` (default: `PUBLIC_BASE_URL`) and the links' lifetimes.
pub(super) fn mail<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    public_base_url: &url::Url,
) -> Result<AccountMailSettings, ConfigError> {
    let app_base_url = env.url("APP_BASE_URL", public_base_url.as_str())?;
    if !matches!(app_base_url.scheme(), "http" | "https") {
        return Err(invalid("APP_BASE_URL", "must be an http(s) URL"));
    }
    let secs = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
        match env.parse(name, default)? {
            0 => Err(invalid(name, "must be greater than 0")),
            v => Ok(Duration::from_secs(v)),
        }
    };
    Ok(AccountMailSettings {
        app_base_url: app_base_url.to_string(),
        password_reset_ttl: secs("PASSWORD_RESET_TTL_SECS", 1800)?,
        verify_email_ttl: secs("EMAIL_VERIFY_TTL_SECS", 172_800)?,
        email_change_ttl: secs("EMAIL_CHANGE_TTL_SECS", 86_400)?,
        email_revert_ttl: secs("EMAIL_REVERT_TTL_SECS", 604_800)?,
    })
}

/// The API's limits and `EMAIL_VERIFICATION` policy.
pub(super) fn settings<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<AccountSettings, ConfigError> {
    let require_verified_email = match env.or("EMAIL_VERIFICATION", "optional").as_str() {
        "optional" => false,
        "required" => true,
        other => {
            return Err(invalid(
                "EMAIL_VERIFICATION",
                format!("{other:?}: expected optional or required"),
            ));
        }
    };
    Ok(AccountSettings {
        reset_per_address_per_hour: env.parse("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", 5)?,
        verify_resend_per_hour: env.parse("EMAIL_VERIFY_RESEND_PER_HOUR", 5)?,
        require_verified_email,
    })
}
