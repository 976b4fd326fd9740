//! Values shared by several commands: the database URL, the log format, addresses.

use super::{ConfigError, Env, LogFormat, invalid};
use std::net::SocketAddr;

pub(super) fn database_url<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<String, ConfigError> {
    let database_url = env.required("DATABASE_URL")?;
    if !database_url.starts_with("postgres://") && !database_url.starts_with("postgresql://") {
        return Err(invalid("DATABASE_URL", "must start with postgres://"));
    }
    Ok(database_url)
}

pub(super) fn log_format<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<LogFormat, ConfigError> {
    match env.or("LOG_FORMAT", "json").as_str() {
        "json" => Ok(LogFormat::Json),
        "pretty" | "text" => Ok(LogFormat::Pretty),
        other => Err(invalid(
            "LOG_FORMAT",
            format!("{other:?}: use json or pretty"),
        )),
    }
}

pub(super) fn socket_addr<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    name: &'static str,
) -> Result<Option<SocketAddr>, ConfigError> {
    env.get(name)
        .map(|raw| {
            raw.trim()
                .parse()
                .map_err(|e| invalid(name, format!("{raw:?}: {e} (use host:port)")))
        })
        .transpose()
}
