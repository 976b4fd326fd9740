//! The HTTP side: password hashing, proxies in front, the metrics listener.

use std::time::Duration;

use maigie_api::settings::{MetricsSettings, PasswordHashSettings};

use super::values::socket_addr;
use super::{ConfigError, Env, invalid};

/// `PASSWORD_HASH_CONCURRENCY` (default: the CPUs, at most 4: more hashes at once
/// than cores only queue inside the CPU while holding 19 MiB each) and
/// `PASSWORD_HASH_WAIT_MS` (default 5000).
pub(super) fn password_hashing<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<PasswordHashSettings, ConfigError> {
    let cpus = std::thread::available_parallelism().map_or(2, usize::from);
    let concurrency = env.parse("PASSWORD_HASH_CONCURRENCY", cpus.clamp(1, 4))?;
    if concurrency == 0 {
        return Err(invalid(
            "PASSWORD_HASH_CONCURRENCY",
            "must be greater than 0",
        ));
    }
    Ok(PasswordHashSettings {
        concurrency,
        wait: Duration::from_millis(env.parse("PASSWORD_HASH_WAIT_MS", 5000)?),
    })
}

/// `TRUST_PROXY_HOPS`; else the older `TRUST_PROXY` (kept for compatibility: `true` is
/// one hop).
pub(super) fn trust_proxy_hops<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<u8, ConfigError> {
    if env.get("TRUST_PROXY_HOPS").is_some() {
        return env.parse("TRUST_PROXY_HOPS", 0);
    }
    Ok(u8::from(env.parse("TRUST_PROXY", false)?))
}

/// `METRICS_ADDR` and `METRICS_TOKEN`: neither set, `/metrics` is not served.
pub(super) fn metrics<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<MetricsSettings, ConfigError> {
    let addr = socket_addr(env, "METRICS_ADDR")?;
    Ok(MetricsSettings {
        addr,
        token: env.get("METRICS_TOKEN"),
    })
}
