//! Provider and chain configuration, and parsing it from environment values.

use std::time::Duration;

/// One OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, …) and the model asked there.
#[derive(Clone)]
pub struct ProviderConfig {
    /// Name used in logs and errors: the host (and port) of `base_url` by default.
    pub name: String,
    /// API base including the version path, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// Bearer token; `None` sends none worth the name (local servers).
    pub api_key: Option<String>,
    /// Model name sent in each request.
    pub model: String,
    /// Whole-attempt timeout: connecting, waiting and reading the full (streamed) reply.
    pub timeout: Duration,
    /// `false` asks without streaming: Ollama drops `tool_calls` when streaming with tools.
    pub stream: bool,
}

// Hand-written so that the API key never reaches a log line through `{:?}`.
impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("stream", &self.stream)
            .finish()
    }
}

/// Providers in order of preference, with the retry and circuit-breaker policy shared by all.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    /// Tried in order; later ones are fallbacks.
    pub providers: Vec<ProviderConfig>,
    /// Extra attempts per provider on retryable errors (connect, timeout, 429, 5xx).
    pub retries: u32,
    /// Delay before the first retry, doubled for each further one.
    pub backoff: Duration,
    /// Consecutive failed completions that open a provider's circuit.
    pub breaker_failures: u32,
    /// How long an open circuit skips its provider before one trial request (half-open).
    pub breaker_cooldown: Duration,
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            providers: Vec::new(),
            retries: 2,
            backoff: Duration::from_millis(200),
            breaker_failures: 3,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// Why provider settings could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A base URL did not parse or is not http(s).
    #[error("invalid LLM base URL {0:?}")]
    InvalidUrl(String),
    /// A list has neither one entry nor one per base URL.
    #[error("{what}: expected 1 or {expected} comma-separated values, got {got}")]
    CountMismatch {
        /// Which list (`api keys`, `models`).
        what: &'static str,
        /// Number of base URLs.
        expected: usize,
        /// Number of entries given.
        got: usize,
    },
    /// Base URLs were given without any model.
    #[error("LLM base URLs given without a model")]
    MissingModel,
    /// An API key holds characters that cannot go into an HTTP header.
    #[error("the API key for provider {0} has characters not allowed in an HTTP header")]
    InvalidApiKey(String),
}

/// Ollama's default port: its OpenAI endpoint drops tool calls when streaming, so ask it whole.
const OLLAMA_PORT: u16 = 11434;

impl ChainConfig {
    /// Builds providers from comma-separated lists as found in the environment.
    ///
    /// One key or model applies to every URL; otherwise there must be one per URL. Empty
    /// `base_urls` gives no providers. Each provider is named after the host (and non-default
    /// port) of its URL, with `#2`, `#3`… added to repeated names. Providers on Ollama's port
    /// 11434 are asked without streaming; other settings take [`ChainConfig::default`].
    pub fn from_env_values(
        base_urls: &str,
        api_keys: &str,
        models: &str,
        timeout: Duration,
    ) -> Result<Self, ConfigError> {
        let urls = split_list(base_urls);
        let keys = split_list(api_keys);
        let models = split_list(models);
        let mut providers: Vec<ProviderConfig> = Vec::with_capacity(urls.len());
        if !urls.is_empty() && models.is_empty() {
            return Err(ConfigError::MissingModel);
        }
        for (i, raw_url) in urls.iter().enumerate() {
            let url = url::Url::parse(raw_url)
                .map_err(|_| ConfigError::InvalidUrl(raw_url.to_string()))?;
            let host = match (url.scheme(), url.host_str()) {
                ("http" | "https", Some(host)) => host.to_string(),
                _ => return Err(ConfigError::InvalidUrl(raw_url.to_string())),
            };
            let mut name = match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            };
            let same = providers
                .iter()
                .filter(|p| p.name.split('#').next() == Some(name.as_str()));
            let repeats = same.count();
            if repeats > 0 {
                name = format!("{name}#{}", repeats + 1);
            }
            let api_key = pick(&keys, i, urls.len(), "api keys")?.map(str::to_string);
            if api_key
                .as_deref()
                .is_some_and(|k| !k.chars().all(|c| c.is_ascii_graphic()))
            {
                return Err(ConfigError::InvalidApiKey(name));
            }
            let model = pick(&models, i, urls.len(), "models")?.ok_or(ConfigError::MissingModel)?;
            providers.push(ProviderConfig {
                stream: url.port() != Some(OLLAMA_PORT),
                name,
                base_url: raw_url.trim_end_matches('/').to_string(),
                api_key,
                model: model.to_string(),
                timeout,
            });
        }
        Ok(Self {
            providers,
            ..Self::default()
        })
    }
}

fn split_list(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The entry for provider `i`: the only one, the i-th of exactly `n`, or none of an empty list.
fn pick<'a>(
    list: &[&'a str],
    i: usize,
    n: usize,
    what: &'static str,
) -> Result<Option<&'a str>, ConfigError> {
    match list.len() {
        0 => Ok(None),
        1 => Ok(Some(list[0])),
        len if len == n => Ok(Some(list[i])),
        got => Err(ConfigError::CountMismatch {
            what,
            expected: n,
            got,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(30);

    #[test]
    fn one_key_and_model_apply_to_every_provider_named_by_host() {
        let c = ChainConfig::from_env_values(
            "https://api.openai.com/v1, http://127.0.0.1:11434/v1/",
            "sk-1",
            "gpt-4o-mini",
            T,
        )
        .expect("valid");
        let names: Vec<_> = c.providers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["api.openai.com", "127.0.0.1:11434"]);
        assert!(
            c.providers
                .iter()
                .all(|p| p.api_key.as_deref() == Some("sk-1"))
        );
        assert_eq!(c.providers[1].base_url, "http://127.0.0.1:11434/v1");
        assert!(c.providers[0].stream && !c.providers[1].stream);
    }

    #[test]
    fn per_provider_lists_must_match_the_url_count() {
        let err =
            ChainConfig::from_env_values("http://a/v1,http://b/v1,http://c/v1", "", "m1,m2", T);
        assert_eq!(
            err.err(),
            Some(ConfigError::CountMismatch {
                what: "models",
                expected: 3,
                got: 2
            })
        );
        let ok = ChainConfig::from_env_values("http://a/v1,http://a/v1", "k1,k2", "m1,m2", T)
            .expect("valid");
        assert_eq!(ok.providers[1].name, "a#2");
        assert_eq!(ok.providers[1].model, "m2");
        assert_eq!(ok.providers[1].api_key.as_deref(), Some("k2"));
    }

    #[test]
    fn empty_urls_give_no_providers_and_bad_input_is_refused() {
        assert!(
            ChainConfig::from_env_values(" ", "", "", T)
                .expect("empty")
                .providers
                .is_empty()
        );
        assert_eq!(
            ChainConfig::from_env_values("http://a", "", "", T).err(),
            Some(ConfigError::MissingModel)
        );
        assert!(matches!(
            ChainConfig::from_env_values("ftp://a", "", "m", T),
            Err(ConfigError::InvalidUrl(_))
        ));
        assert!(matches!(
            ChainConfig::from_env_values("http://a", "bad key", "m", T),
            Err(ConfigError::InvalidApiKey(_))
        ));
    }

    #[test]
    fn debug_output_hides_the_api_key() {
        let c = ChainConfig::from_env_values("http://a", "sk-secret", "m", T).expect("valid");
        assert!(!format!("{c:?}").contains("sk-secret"));
    }
}
