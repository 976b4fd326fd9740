//! Configuration from the environment (and `.env`), validated at start: a bad value
//! stops the process with a message naming the variable.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use maigie_activities::account_mail::AccountMailSettings;
use maigie_activities::mail::Mailbox;
use maigie_api::settings::{AgentSettings, Limits, TierLimits};
use maigie_api::{ApiSettings, HeaderValue, RateLimits};
use maigie_embed::EmbeddingSettings;
use maigie_store::vector_index::setup::EngineChoice;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required but not set (see .env.example)")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// Everything the processes need, parsed.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    pub redis_url: String,
    pub temporal_address: Url,
    pub temporal_namespace: String,
    pub smtp_url: String,
    pub mail_from: String,
    pub bind: IpAddr,
    pub port: u16,
    pub log_format: LogFormat,
    /// Worker: a reminder delivered later than this after its time says it is late.
    pub reminder_late_after: Duration,
    /// Worker: create the hourly daily-analytics schedule at start.
    pub analytics_schedule: bool,
    /// Worker: the model providers of the AI agent (none: the offline assistant).
    pub llm: LlmSettings,
    /// Worker (`maigie worker`): its own listener of `/health` and `/metrics`.
    pub worker_http_addr: Option<SocketAddr>,
    /// Where account mails link to, and how long their links work (worker).
    pub account_mail: AccountMailSettings,
    /// The embedding provider (`EMBEDDING_*`).
    pub embedding: EmbeddingSettings,
    /// `VECTOR_ENGINE`: asked for; the engine itself is chosen at start (`vectors`).
    pub vector_engine: EngineChoice,
    /// `VECTOR_CACHE_MB`, in bytes: the cache of users' vectors in front of the vector
    /// engine (0: none).
    pub vector_cache_bytes: usize,
    /// The voice providers (`VOICE_STT_*`, `VOICE_TTS_*`).
    pub voice: VoiceProviderSettings,
    pub api: ApiSettings,
}

/// What `maigie migrate` (and `grant-admin`) need: the database, and how to log.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub database_url: String,
    pub log_format: LogFormat,
}

/// `LLM_*`: comma-separated lists, one entry per provider of the fallback chain (a
/// single key or model applies to every provider).
#[derive(Clone, Default)]
pub struct LlmSettings {
    pub base_urls: String,
    pub api_keys: String,
    pub models: String,
    pub timeout: Duration,
    /// Stream answers (turn off for Ollama, which drops tool calls when streaming).
    pub stream: bool,
    /// Ask each provider's `GET /models` at start whether it serves the model.
    pub check_at_start: bool,
}

impl std::fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmSettings")
            .field("base_urls", &self.base_urls)
            .field("api_keys", &"***")
            .field("models", &self.models)
            .field("timeout", &self.timeout)
            .field("stream", &self.stream)
            .field("check_at_start", &self.check_at_start)
            .finish()
    }
}

/// Reads variables through `lookup`, so tests can configure without touching the
/// process environment.
struct Env<F> {
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    fn get(&self, name: &'static str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// A variable named at run time (for settings a library parses itself).
    fn get_dynamic(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    fn or(&self, name: &'static str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError::Missing(name))
    }

    fn parse<T: std::str::FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|e: T::Err| ConfigError::Invalid {
                    name,
                    reason: format!("{raw:?}: {e}"),
                }),
        }
    }

    fn url(&self, name: &'static str, default: &str) -> Result<Url, ConfigError> {
        let raw = self.or(name, default);
        Url::parse(&raw).map_err(|e| ConfigError::Invalid {
            name,
            reason: format!("{raw:?} is not a URL: {e}"),
        })
    }

    fn list(&self, name: &'static str, default: &str) -> Vec<String> {
        self.or(name, default)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

impl Config {
    /// From the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From the process environment, for the worker alone: it issues and checks no
    /// tokens, so `JWT_SECRET` may be absent (it is left empty then).
    pub fn worker_from_env() -> Result<Self, ConfigError> {
        Self::read(|name| std::env::var(name).ok(), false)
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::read(lookup, true)
    }

    /// From the process environment, for `maigie migrate` and `grant-admin`: only
    /// `DATABASE_URL` is needed (and `LOG_FORMAT` read).
    pub fn database_from_env() -> Result<DatabaseConfig, ConfigError> {
        Self::database_from_lookup(|name| std::env::var(name).ok())
    }

    pub fn database_from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<DatabaseConfig, ConfigError> {
        let env = Env { lookup };
        Ok(DatabaseConfig {
            database_url: database_url(&env)?,
            log_format: log_format(&env)?,
        })
    }

    fn read(lookup: impl Fn(&str) -> Option<String>, needs_jwt: bool) -> Result<Self, ConfigError> {
        let env = Env { lookup };
        let database_url = database_url(&env)?;
        let redis_url = env.or("REDIS_URL", "redis://127.0.0.1:6379");
        redis::Client::open(redis_url.as_str()).map_err(|e| invalid("REDIS_URL", e.to_string()))?;
        let temporal_raw = env.or("TEMPORAL_ADDRESS", "http://127.0.0.1:7233");
        let temporal_raw = if temporal_raw.contains("://") {
            temporal_raw
        } else {
            format!("http://{temporal_raw}")
        };
        let temporal_address = Url::parse(&temporal_raw)
            .map_err(|e| invalid("TEMPORAL_ADDRESS", format!("{temporal_raw:?}: {e}")))?;
        let smtp_url = env.or("SMTP_URL", "smtp://127.0.0.1:1025");
        if !(smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://")) {
            return Err(invalid("SMTP_URL", "must start with smtp:// or smtps://"));
        }
        let mail_from = env.or("MAIL_FROM", "Maigie <no-reply@maigie.localhost>");
        mail_from
            .parse::<Mailbox>()
            .map_err(|e| invalid("MAIL_FROM", e.to_string()))?;
        let jwt_secret = match env.get("JWT_SECRET") {
            None if !needs_jwt => String::new(),
            _ => env.required("JWT_SECRET")?,
        };
        if needs_jwt && jwt_secret.len() < 32 {
            return Err(invalid("JWT_SECRET", "must be at least 32 characters"));
        }
        let public_base_url = env.url("PUBLIC_BASE_URL", "http://127.0.0.1:8080")?;
        let cors_origins = env
            .list(
                "CORS_ORIGINS",
                "http://localhost:3000,http://127.0.0.1:3000",
            )
            .into_iter()
            .map(|o| HeaderValue::from_str(&o).map_err(|e| invalid("CORS_ORIGINS", e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let log_format = log_format(&env)?;
        let positive = |name: &'static str, v: u64| {
            if v == 0 {
                Err(invalid(name, "must be greater than 0"))
            } else {
                Ok(v)
            }
        };
        // An ended session's deny-list entry outlives its access tokens only if they
        // live less than a day.
        let at_most_a_day = |v: u64| {
            if v > 86_400 {
                Err(invalid(
                    "JWT_ACCESS_TTL_SECS",
                    "must be at most 86400 (a day)",
                ))
            } else {
                Ok(v)
            }
        };
        let api = ApiSettings {
            jwt_secret: jwt_secret.into_bytes(),
            access_ttl: Duration::from_secs(at_most_a_day(positive(
                "JWT_ACCESS_TTL_SECS",
                env.parse("JWT_ACCESS_TTL_SECS", 900)?,
            )?)?),
            refresh_ttl: Duration::from_secs(
                86_400
                    * positive(
                        "REFRESH_TOKEN_TTL_DAYS",
                        env.parse("REFRESH_TOKEN_TTL_DAYS", 30)?,
                    )?,
            ),
            public_base_url,
            cors_origins,
            body_limit_bytes: env.parse("BODY_LIMIT_BYTES", 1_048_576)?,
            request_timeout: Duration::from_secs(positive(
                "REQUEST_TIMEOUT_SECS",
                env.parse("REQUEST_TIMEOUT_SECS", 30)?,
            )?),
            rate_limits: RateLimits {
                auth_per_minute: env.parse("RATE_LIMIT_AUTH_PER_MINUTE", 20)?,
                anonymous_per_minute: env.parse("RATE_LIMIT_ANONYMOUS_PER_MINUTE", 60)?,
                free_per_minute: env.parse("RATE_LIMIT_FREE_PER_MINUTE", 300)?,
                premium_per_minute: env.parse("RATE_LIMIT_PREMIUM_PER_MINUTE", 1200)?,
            },
            trust_proxy_hops: trust_proxy_hops(&env)?,
            metrics: metrics(&env)?,
            redis_prefix: env.or("REDIS_KEY_PREFIX", "maigie"),
            google: providers::google(&env)?,
            ws_ping_interval: Duration::from_secs(positive(
                "WS_PING_SECS",
                env.parse("WS_PING_SECS", 20)?,
            )?),
            ws_max_per_user: usize::try_from(positive(
                "WS_MAX_CONNECTIONS_PER_USER",
                env.parse("WS_MAX_CONNECTIONS_PER_USER", 10)?,
            )?)
            .map_err(|_| invalid("WS_MAX_CONNECTIONS_PER_USER", "too large"))?,
            temporal_task_queue: env.or("TEMPORAL_TASK_QUEUE", "maigie"),
            admin_emails: env
                .list("ADMIN_EMAILS", "")
                .into_iter()
                .map(|e| e.to_lowercase())
                .collect(),
            billing: providers::billing(&env)?,
            password_hashing: password_hashing(&env)?,
            limits: Limits {
                free: TierLimits {
                    active_goals: Some(env.parse("LIMIT_FREE_ACTIVE_GOALS", 3)?),
                    ai_messages_per_month: Some(env.parse("LIMIT_FREE_AI_MESSAGES_PER_MONTH", 50)?),
                    ai_courses: Some(env.parse("LIMIT_FREE_AI_COURSES", 2)?),
                    voice: env.parse("LIMIT_FREE_VOICE", false)?,
                },
            },
            agent: AgentSettings {
                max_turns: u32::try_from(positive("AI_MAX_TURNS", env.parse("AI_MAX_TURNS", 6)?)?)
                    .unwrap_or(6),
                confirm_timeout: Duration::from_secs(positive(
                    "AI_CONFIRM_TIMEOUT_SECS",
                    env.parse("AI_CONFIRM_TIMEOUT_SECS", 600)?,
                )?),
                bulk_threshold: env.parse("AI_CONFIRM_BULK_OVER", 5)?,
            },
            accounts: accounts::settings(&env)?,
            knowledge: knowledge::settings(&env)?,
            voice: voice::limits(&env)?,
        };
        let account_mail = accounts::mail(&env, &api.public_base_url)?;
        let embedding = EmbeddingSettings::from_lookup(|name| env.get_dynamic(name))
            .map_err(|e| invalid("EMBEDDING_*", e.to_string()))?;
        Ok(Self {
            database_url,
            database_max_connections: env.parse("DATABASE_MAX_CONNECTIONS", 20)?,
            redis_url,
            temporal_address,
            temporal_namespace: env.or("TEMPORAL_NAMESPACE", "default"),
            smtp_url,
            mail_from,
            bind: env.parse("BIND", IpAddr::from([127, 0, 0, 1]))?,
            port: env.parse("PORT", 8080)?,
            log_format,
            reminder_late_after: Duration::from_secs(positive(
                "REMINDER_LATE_AFTER_SECS",
                env.parse("REMINDER_LATE_AFTER_SECS", 60)?,
            )?),
            analytics_schedule: env.parse("ANALYTICS_SCHEDULE", true)?,
            llm: llm(&env)?,
            worker_http_addr: socket_addr(&env, "WORKER_HTTP_ADDR")?,
            account_mail,
            embedding,
            vector_engine: env.parse("VECTOR_ENGINE", EngineChoice::Auto)?,
            vector_cache_bytes: knowledge::cache_bytes(&env)?,
            voice: voice::providers(&env)?,
            api,
        })
    }
}

mod accounts;
mod http;
mod knowledge;
mod providers;
mod values;
mod voice;

use http::{metrics, password_hashing, trust_proxy_hops};
use providers::llm;
use values::{database_url, log_format, socket_addr};
pub use voice::{AudioStorage, TtsProvider, VoiceProviderSettings};
#[cfg(test)]
mod tests;
